#include "datanode/persistence/ziplist_codec.h"

#include "common/base/byte_order.h"

#include <string>

namespace vigil::datanode {
namespace {

constexpr size_t kHeaderSize = 10;

Status Bad(size_t offset, const std::string& what) {
  return Status::Error("Invalid ziplist at offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

Status ZiplistForEach(std::string_view blob, const std::function<bool(const ListpackEntry&)>& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < kHeaderSize + 1) return Bad(0, "blob of " + std::to_string(n) + " bytes is too short");
  if (LoadLe(p, 4) != n) return Bad(0, "zlbytes does not match the blob size");
  if (p[n - 1] != 0xFF) return Bad(n - 1, "missing 0xFF terminator");
  const uint64_t tail = LoadLe(p + 4, 4);
  if (tail > n - 1) return Bad(4, "zltail points outside the blob");
  const size_t declared = size_t(LoadLe(p + 8, 2));
  size_t pos = kHeaderSize;
  size_t prev_len = 0;
  size_t seen = 0;
  size_t last_start = kHeaderSize;
  const size_t end = n - 1;
  while (pos < end) {
    const size_t start = pos;
    last_start = start;
    size_t prevlen_size = 1;
    size_t prevlen = p[pos];
    if (prevlen == 0xFE) {
      if (pos + 5 > end) return Bad(start, "prevlen overruns the blob");
      prevlen = size_t(LoadLe(p + pos + 1, 4));
      prevlen_size = 5;
    } else if (prevlen == 0xFF) {
      return Bad(start, "unexpected 0xFF prevlen");
    }
    if (prevlen != prev_len) return Bad(start, "prevlen does not match the previous entry");
    pos += prevlen_size;
    if (pos >= end) return Bad(pos, "entry encoding overruns the blob");
    const unsigned char b = p[pos];
    ListpackEntry e;
    size_t header = 1;
    size_t data = 0;
    switch (b >> 6) {
      case 0:
        data = b & 0x3F;
        break;
      case 1:
        if (pos + 2 > end) return Bad(pos, "14-bit length overruns the blob");
        data = (size_t(b & 0x3F) << 8) | p[pos + 1];
        header = 2;
        break;
      case 2:
        if (b != 0x80) return Bad(pos, "bad string encoding byte");
        if (pos + 5 > end) return Bad(pos, "32-bit length overruns the blob");
        data = (size_t(p[pos + 1]) << 24) | (size_t(p[pos + 2]) << 16) | (size_t(p[pos + 3]) << 8) |
               p[pos + 4];
        header = 5;
        break;
      default: {
        e.is_int = true;
        size_t w = 0;
        if (b == 0xC0)
          w = 2;
        else if (b == 0xD0)
          w = 4;
        else if (b == 0xE0)
          w = 8;
        else if (b == 0xF0)
          w = 3;
        else if (b == 0xFE)
          w = 1;
        else if (b >= 0xF1 && b <= 0xFD)
          e.ival = (b & 0x0F) - 1;
        else
          return Bad(pos, "unknown integer encoding byte " + std::to_string(b));
        if (w > 0) {
          if (pos + 1 + w > end) return Bad(pos, "integer overruns the blob");
          e.ival = SignExtend(LoadLe(p + pos + 1, w), w);
          data = w;
        }
        break;
      }
    }
    if (data > end || pos + header + data > end) return Bad(pos, "entry overruns the blob");
    if (!e.is_int) {
      e.sval = std::string_view(blob.data() + pos + header, data);
    }
    pos += header + data;
    prev_len = pos - start;
    ++seen;
    if (!fn(e)) return Status::Ok();
  }
  if (declared != 65535 && declared != seen) {
    return Bad(8, "header count " + std::to_string(declared) + " but " + std::to_string(seen) +
                      " entries");
  }
  // zltail must name the last entry: code that appends or pops from the tail trusts it.
  if (seen > 0 && tail != last_start) {
    return Bad(4, "zltail " + std::to_string(tail) + " is not the last entry's offset " +
                      std::to_string(last_start));
  }
  return Status::Ok();
}

}  // namespace vigil::datanode

namespace vigil::datanode {

Status ZipmapForEach(std::string_view blob,
                     const std::function<void(std::string_view, std::string_view)>& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 2) return Status::Error("Invalid zipmap at offset 0: blob too short");
  size_t pos = 1;
  auto read_len = [&](size_t* len) -> bool {
    if (pos >= n) return false;
    if (p[pos] < 254) {
      *len = p[pos++];
      return true;
    }
    if (p[pos] != 254 || pos + 5 > n) return false;
    *len = size_t(LoadLe(p + pos + 1, 4));
    pos += 5;
    return true;
  };
  while (pos < n && p[pos] != 0xFF) {
    const size_t start = pos;
    size_t klen, vlen;
    if (!read_len(&klen) || klen > n - pos) return Bad(start, "zipmap key overruns the blob");
    std::string_view key(blob.data() + pos, klen);
    pos += klen;
    if (!read_len(&vlen) || pos >= n) return Bad(start, "zipmap value length overruns the blob");
    const size_t free = p[pos++];
    if (vlen > n - pos || free > n - pos - vlen)
      return Bad(start, "zipmap value overruns the blob");
    std::string_view value(blob.data() + pos, vlen);
    pos += vlen + free;
    fn(key, value);
  }
  if (pos != n - 1) return Bad(pos, "missing zipmap terminator");
  return Status::Ok();
}

}  // namespace vigil::datanode
