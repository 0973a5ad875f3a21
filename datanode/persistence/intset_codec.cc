#include "datanode/persistence/intset_codec.h"

#include "common/base/byte_order.h"

namespace vigil::datanode {

std::string EncodeIntset(const std::vector<int64_t>& sorted) {
  size_t width = 2;
  for (int64_t v : sorted) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
      break;
    }
    if (v < INT16_MIN || v > INT16_MAX) width = 4;
  }
  std::string out;
  out.reserve(8 + width * sorted.size());
  AppendLe(&out, width, 4);
  AppendLe(&out, sorted.size(), 4);
  for (int64_t v : sorted) AppendLe(&out, static_cast<uint64_t>(v), width);
  return out;
}

Status DecodeIntset(std::string_view blob, std::vector<int64_t>* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) {
    return Status::Error("Invalid intset: blob of " + std::to_string(blob.size()) +
                         " bytes is shorter than its 8-byte header");
  }
  const uint64_t width = LoadLe(p, 4);
  if (width != 2 && width != 4 && width != 8) {
    return Status::Error("Invalid intset at offset 0: encoding " + std::to_string(width) +
                         " (expected 2, 4 or 8)");
  }
  const uint64_t count = LoadLe(p + 4, 4);
  if (count == 0 || (blob.size() - 8) / width != count || (blob.size() - 8) % width != 0) {
    return Status::Error("Invalid intset at offset 4: " + std::to_string(count) + " elements of " +
                         std::to_string(width) + " bytes do not fill a " +
                         std::to_string(blob.size()) + "-byte blob");
  }
  out->clear();
  out->reserve(size_t(count));
  for (size_t i = 0; i < count; ++i) {
    const size_t at = 8 + i * size_t(width);
    const int64_t v = SignExtend(LoadLe(p + at, size_t(width)), size_t(width));
    if (!out->empty() && v <= out->back()) {
      return Status::Error("Invalid intset at offset " + std::to_string(at) +
                           ": elements are not strictly ascending");
    }
    out->push_back(v);
  }
  return Status::Ok();
}

}  // namespace vigil::datanode
