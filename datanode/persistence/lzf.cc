#include "datanode/persistence/lzf.h"

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

LzfCompressor::LzfCompressor() : table_(new uint64_t[size_t(1) << kHashLog]()) {}
LzfCompressor::~LzfCompressor() = default;

bool LzfCompressor::Compress(std::string_view in, size_t max_out, std::string* out) {
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  out->resize(max_out + 1);  // room for one control byte of slack, checked below
  auto* op = reinterpret_cast<unsigned char*>(out->data());
  size_t o = 0;
  size_t lit_start = 0;  // first pending literal
  size_t i = 0;
  // Table entries from earlier inputs have absolute positions below base_, so they are always
  // farther back than kMaxOffset and never match; no clearing between calls.
  const uint64_t base = base_;
  base_ += n + kMaxOffset + 1;

  auto flush_literals = [&](size_t end) -> bool {
    while (lit_start < end) {
      size_t run = std::min(kMaxLiteral, end - lit_start);
      if (o + 1 + run > max_out) return false;
      op[o++] = static_cast<unsigned char>(run - 1);
      std::memcpy(op + o, ip + lit_start, run);
      o += run;
      lit_start += run;
    }
    return true;
  };

  while (i + 2 < n) {
    const uint32_t v = Load3(ip + i);
    const uint32_t h = ((v * 2654435761u) >> (32 - kHashLog)) & ((1u << kHashLog) - 1);
    const uint64_t ref_abs = table_[h];
    table_[h] = base + i + 1;
    if (ref_abs > base && base + i + 1 - ref_abs <= kMaxOffset) {
      const size_t ref = size_t(ref_abs - 1 - base);
      if (Load3(ip + ref) == v) {
        const size_t max_len = std::min(kMaxRef, n - i);
        size_t len = 3;
        while (len < max_len && ip[ref + len] == ip[i + len]) ++len;
        if (!flush_literals(i)) return false;
        const size_t off = i - ref - 1;
        const size_t l = len - 2;
        if (o + 3 > max_out) return false;
        if (l < 7) {
          op[o++] = static_cast<unsigned char>((l << 5) | (off >> 8));
        } else {
          op[o++] = static_cast<unsigned char>((7 << 5) | (off >> 8));
          op[o++] = static_cast<unsigned char>(l - 7);
        }
        op[o++] = static_cast<unsigned char>(off & 0xFF);
        // Index the positions inside the match lightly (the first two), as liblzf does.
        for (size_t k = i + 1; k < i + len && k < i + 3 && k + 2 < n; ++k) {
          const uint32_t hv =
              ((Load3(ip + k) * 2654435761u) >> (32 - kHashLog)) & ((1u << kHashLog) - 1);
          table_[hv] = base + k + 1;
        }
        i += len;
        lit_start = i;
        continue;
      }
    }
    ++i;
  }
  if (!flush_literals(n)) return false;
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
