#include "datanode/persistence/listpack.h"

#include "common/base/byte_order.h"

#include <charconv>
#include <cstring>

#include "datanode/store/entry.h"

namespace vigil::datanode {
namespace {

constexpr size_t kHeaderSize = 6;
constexpr uint8_t kEof = 0xFF;

size_t BacklenSize(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Size of the encoding+data of an integer entry.
size_t IntEncodingSize(int64_t v) {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= INT32_MIN && v <= INT32_MAX) return 5;
  return 9;
}

size_t StringEncodingSize(size_t len) {
  if (len < 64) return 1 + len;
  if (len < 4096) return 2 + len;
  return 5 + len;
}

Status Bad(size_t offset, const std::string& what) {
  return Status::Error("Invalid listpack at offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

std::string_view ListpackEntry::Text(char* scratch) const {
  if (!is_int) return sval;
  auto r = std::to_chars(scratch, scratch + 21, ival);
  return {scratch, size_t(r.ptr - scratch)};
}

void ListpackWriter::Reset() {
  buf_.assign(kHeaderSize, '\0');
  count_ = 0;
}

size_t ListpackWriter::EntrySize(std::string_view s) {
  int64_t v;
  size_t enc = ParseCanonicalInt(s, &v) ? IntEncodingSize(v) : StringEncodingSize(s.size());
  return enc + BacklenSize(enc);
}

void ListpackWriter::AppendBacklen(size_t l) {
  switch (BacklenSize(l)) {
    case 1:
      buf_.push_back(static_cast<char>(l));
      break;
    case 2:
      buf_.push_back(static_cast<char>(l >> 7));
      buf_.push_back(static_cast<char>((l & 127) | 128));
      break;
    case 3:
      buf_.push_back(static_cast<char>(l >> 14));
      buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
      buf_.push_back(static_cast<char>((l & 127) | 128));
      break;
    case 4:
      buf_.push_back(static_cast<char>(l >> 21));
      buf_.push_back(static_cast<char>(((l >> 14) & 127) | 128));
      buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
      buf_.push_back(static_cast<char>((l & 127) | 128));
      break;
    default:
      buf_.push_back(static_cast<char>(l >> 28));
      buf_.push_back(static_cast<char>(((l >> 21) & 127) | 128));
      buf_.push_back(static_cast<char>(((l >> 14) & 127) | 128));
      buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
      buf_.push_back(static_cast<char>((l & 127) | 128));
      break;
  }
}

void ListpackWriter::AppendInt(int64_t v) {
  const size_t enc = IntEncodingSize(v);
  const uint64_t u = static_cast<uint64_t>(v);
  switch (enc) {
    case 1:
      buf_.push_back(static_cast<char>(u));
      break;
    case 2:
      buf_.push_back(static_cast<char>(0xC0 | ((u >> 8) & 0x1F)));
      buf_.push_back(static_cast<char>(u & 0xFF));
      break;
    case 3:
      buf_.push_back(static_cast<char>(0xF1));
      AppendLe(&buf_, u, 2);
      break;
    case 4:
      buf_.push_back(static_cast<char>(0xF2));
      AppendLe(&buf_, u, 3);
      break;
    case 5:
      buf_.push_back(static_cast<char>(0xF3));
      AppendLe(&buf_, u, 4);
      break;
    default:
      buf_.push_back(static_cast<char>(0xF4));
      AppendLe(&buf_, u, 8);
      break;
  }
  AppendBacklen(enc);
  ++count_;
}

void ListpackWriter::AppendString(std::string_view s) {
  int64_t v;
  if (ParseCanonicalInt(s, &v)) return AppendInt(v);
  const size_t len = s.size();
  if (len < 64) {
    buf_.push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (len >> 8)));
    buf_.push_back(static_cast<char>(len & 0xFF));
  } else {
    buf_.push_back(static_cast<char>(0xF0));
    AppendLe(&buf_, len, 4);
  }
  buf_.append(s);
  AppendBacklen(StringEncodingSize(len));
  ++count_;
}

std::string ListpackWriter::Finish() {
  buf_.push_back(static_cast<char>(kEof));
  const size_t total = buf_.size();
  for (int i = 0; i < 4; ++i) buf_[size_t(i)] = static_cast<char>((total >> (8 * i)) & 0xFF);
  const size_t count = count_ < 65535 ? count_ : 65535;
  buf_[4] = static_cast<char>(count & 0xFF);
  buf_[5] = static_cast<char>(count >> 8);
  std::string out = std::move(buf_);
  Reset();
  return out;
}

Status ListpackForEach(std::string_view blob, const std::function<bool(const ListpackEntry&)>& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < kHeaderSize + 1) return Bad(0, "blob of " + std::to_string(n) + " bytes is too short");
  const uint64_t total = LoadLe(p, 4);
  if (total != n) {
    return Bad(0, "header says " + std::to_string(total) + " bytes, blob has " + std::to_string(n));
  }
  if (p[n - 1] != kEof) return Bad(n - 1, "missing 0xFF terminator");
  const size_t declared = size_t(LoadLe(p + 4, 2));
  size_t pos = kHeaderSize;
  size_t seen = 0;
  while (pos < n - 1) {
    const size_t start = pos;
    const unsigned char b = p[pos];
    ListpackEntry e;
    size_t enc_len = 0;  // encoding byte(s) + data
    auto need = [&](size_t k) { return start + k <= n - 1; };
    if ((b & 0x80) == 0) {
      e.is_int = true;
      e.ival = b & 0x7F;
      enc_len = 1;
    } else if ((b & 0xC0) == 0x80) {
      const size_t len = b & 0x3F;
      if (!need(1 + len)) return Bad(start, "6-bit string overruns the blob");
      e.sval = std::string_view(blob.data() + start + 1, len);
      enc_len = 1 + len;
    } else if ((b & 0xE0) == 0xC0) {
      if (!need(2)) return Bad(start, "13-bit integer overruns the blob");
      uint64_t u = (uint64_t(b & 0x1F) << 8) | p[start + 1];
      e.is_int = true;
      e.ival = u >= (1 << 12) ? int64_t(u) - (1 << 13) : int64_t(u);
      enc_len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      if (!need(2)) return Bad(start, "12-bit string length overruns the blob");
      const size_t len = (size_t(b & 0x0F) << 8) | p[start + 1];
      if (!need(2 + len)) return Bad(start, "12-bit string overruns the blob");
      e.sval = std::string_view(blob.data() + start + 2, len);
      enc_len = 2 + len;
    } else if (b == 0xF0) {
      if (!need(5)) return Bad(start, "32-bit string length overruns the blob");
      const uint64_t len = LoadLe(p + start + 1, 4);
      if (len > n || !need(5 + size_t(len))) return Bad(start, "32-bit string overruns the blob");
      e.sval = std::string_view(blob.data() + start + 5, size_t(len));
      enc_len = 5 + size_t(len);
    } else if (b >= 0xF1 && b <= 0xF4) {
      static constexpr int kWidth[] = {2, 3, 4, 8};
      const int w = kWidth[b - 0xF1];
      if (!need(1 + size_t(w))) return Bad(start, "integer overruns the blob");
      uint64_t u = LoadLe(p + start + 1, w);
      if (w < 8) {
        const uint64_t sign = uint64_t(1) << (8 * w - 1);
        if (u & sign) u |= ~((sign << 1) - 1);
      }
      e.is_int = true;
      e.ival = static_cast<int64_t>(u);
      enc_len = 1 + size_t(w);
    } else {
      return Bad(start, "unknown entry encoding byte " + std::to_string(b));
    }
    const size_t bl = BacklenSize(enc_len);
    if (!need(enc_len + bl)) return Bad(start, "entry backlen overruns the blob");
    // Decode the backlen (high group first) and check it.
    const unsigned char* q = p + start + enc_len;
    uint64_t back = 0;
    for (size_t k = 0; k < bl; ++k) {
      const bool cont_bit = (q[k] & 0x80) != 0;
      if (cont_bit != (k != 0)) return Bad(start + enc_len + k, "malformed backlen");
      back = (back << 7) | (q[k] & 0x7F);
    }
    if (back != enc_len) return Bad(start + enc_len, "backlen does not match the entry size");
    pos = start + enc_len + bl;
    ++seen;
    if (!fn(e)) return Status::Ok();
  }
  if (declared != 65535 && declared != seen) {
    return Bad(4, "header count " + std::to_string(declared) + " but " + std::to_string(seen) +
                      " entries");
  }
  return Status::Ok();
}

}  // namespace vigil::datanode
