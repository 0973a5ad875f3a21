#pragma once
// CRC-64 as Redis computes it for RDB trailers and DUMP payloads: "Jones" polynomial
// 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor.
// Check value: Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca. Pure; thread-safe.
#include <cstdint>
#include <string_view>

namespace vigil::datanode {

// Continues a CRC over `data` (start with crc = 0). Slicing-by-8, about 2 GB/s.
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace vigil::datanode
