#include "datanode/persistence/lzf.h"

#include <algorithm>
#include <cstring>

namespace vigil::datanode {
namespace {

constexpr size_t kMaxLiteral = 32;        // control byte 0..31
constexpr size_t kMaxOffset = 1 << 13;    // 13-bit distance - 1
constexpr size_t kMaxRef = (1 << 8) + 8;  // 7 + 255 + 2 = 264 bytes per back-reference

inline uint32_t Load3(const unsigned char* p) {
  return (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
}

}  // namespace

LzfCompressor::LzfCompressor() = default;
LzfCompressor::~LzfCompressor() = default;

size_t LzfCompressor::Slot(uint32_t v) {
  // liblzf's "VERY_FAST" hash of three bytes; a different hash finds different matches, and
  // the payloads must be byte-identical to Redis's.
  return ((v >> (24 - kHashLog)) - v * 5) & ((1u << kHashLog) - 1);
}

bool LzfCompressor::Compress(std::string_view in, size_t max_out, std::string* out) {
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  if (n == 0 || max_out == 0) return false;
  // Lazily: most encoders (DUMP of a short value) never compress anything.
  if (!table_) table_.reset(new uint64_t[size_t(1) << kHashLog]());
  out->resize(max_out);
  auto* op = reinterpret_cast<unsigned char*>(out->data());
  // Table entries from earlier inputs have absolute positions below base_, so they are
  // rejected as references; no clearing between calls.
  const uint64_t base = base_;
  base_ += n + 1;

  // The same steps and bounds checks as liblzf as Redis builds it, so that the output and
  // the "does not fit" verdict are the same: o is the next output byte, and a literal run's
  // control byte is reserved at o - lit - 1 before its bytes are known.
  size_t o = 1;
  size_t lit = 0;
  auto add_literal = [&](size_t i) {
    ++lit;
    op[o++] = ip[i];
    if (lit == kMaxLiteral) {
      op[o - lit - 1] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      ++o;
    }
  };
  size_t i = 0;
  while (i + 2 < n) {
    const size_t slot = Slot(Load3(ip + i));
    const uint64_t ref_abs = table_[slot];
    table_[slot] = base + i + 1;
    // A reference must lie in this input, after its first byte (liblzf's `ref > in_data`),
    // and within the 13-bit distance.
    const bool in_input = ref_abs > base + 1 && ref_abs - 1 - base < i;
    const size_t ref = in_input ? size_t(ref_abs - 1 - base) : 0;
    if (in_input && i - ref - 1 < kMaxOffset && ip[ref + 2] == ip[i + 2] && ip[ref] == ip[i] &&
        ip[ref + 1] == ip[i + 1]) {
      const size_t off = i - ref - 1;
      size_t len = 2;
      const size_t maxlen = std::min(kMaxRef, n - i - len);
      if (o + 3 + 1 >= max_out && o - (lit == 0 ? 1 : 0) + 3 + 1 >= max_out) return false;
      op[o - lit - 1] = static_cast<unsigned char>(lit - 1);  // close the literal run
      if (lit == 0) --o;                                      // (or drop an empty one)
      bool done = false;
      if (maxlen > 16) {
        // Sixteen steps without the bound check, then the checked loop: this can run up to
        // two bytes past maxlen at the end of the input, which is part of the format Redis
        // writes.
        for (int k = 0; k < 16 && !done; ++k) {
          ++len;
          done = ip[ref + len] != ip[i + len];
        }
      }
      if (!done) {
        do {
          ++len;
        } while (len < maxlen && ip[ref + len] == ip[i + len]);
      }
      len -= 2;  // now the length code: octets - 2
      if (len < 7) {
        op[o++] = static_cast<unsigned char>((off >> 8) + (len << 5));
      } else {
        op[o++] = static_cast<unsigned char>((off >> 8) + (7 << 5));
        op[o++] = static_cast<unsigned char>(len - 7);
      }
      op[o++] = static_cast<unsigned char>(off & 0xFF);
      lit = 0;
      ++o;  // reserve the next run's control byte
      i += len + 2;
      if (i + 2 >= n) break;
      // Index the two positions just before the resume point.
      table_[Slot(Load3(ip + i - 2))] = base + (i - 2) + 1;
      table_[Slot(Load3(ip + i - 1))] = base + (i - 1) + 1;
    } else {
      if (o >= max_out) return false;
      add_literal(i++);
    }
  }
  if (o + 3 > max_out) return false;
  while (i < n) add_literal(i++);
  op[o - lit - 1] = static_cast<unsigned char>(lit - 1);
  if (lit == 0) --o;
  out->resize(o);
  return true;
}

bool LzfDecompress(std::string_view in, size_t expected_len, std::string* out) {
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  out->resize(expected_len);
  auto* op = reinterpret_cast<unsigned char*>(out->data());
  size_t i = 0, o = 0;
  while (i < n) {
    const unsigned c = ip[i++];
    if (c < 32) {
      const size_t run = c + 1;
      if (i + run > n || o + run > expected_len) return false;
      std::memcpy(op + o, ip + i, run);
      i += run;
      o += run;
      continue;
    }
    size_t len = c >> 5;
    if (len == 7) {
      if (i >= n) return false;
      len += ip[i++];
    }
    len += 2;
    if (i >= n) return false;
    const size_t dist = ((size_t(c) & 0x1f) << 8) + ip[i++] + 1;
    if (dist > o || o + len > expected_len) return false;
    const unsigned char* from = op + o - dist;
    if (dist >= len) {
      std::memcpy(op + o, from, len);
    } else {
      for (size_t k = 0; k < len; ++k) op[o + k] = from[k];  // overlapping run
    }
    o += len;
  }
  return o == expected_len;
}

}  // namespace vigil::datanode
