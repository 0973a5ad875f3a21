#pragma once
// Intset blob (RDB type 11; docs/datanode-protocol.md, "RDB container blobs"): u32 LE encoding
// (2, 4 or 8 bytes per element), u32 LE count, then `count` strictly ascending signed integers,
// little-endian. Pure.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vigil::datanode {

// Requires: `sorted` is strictly ascending. Uses the narrowest width that holds every value.
std::string EncodeIntset(const std::vector<int64_t>& sorted);

// Decodes and validates (size, width, ascending order without duplicates). Errors name the
// offset inside the blob.
Status DecodeIntset(std::string_view blob, std::vector<int64_t>* out);

}  // namespace vigil::datanode
