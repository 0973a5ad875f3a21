#pragma once
// Little-endian integers of 1 to 8 bytes, as Redis's on-disk blobs store them (intsets,
// ziplists, listpacks, RDB fields), whatever the host's byte order.
#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil {

inline void AppendLe(std::string* out, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

inline uint64_t LoadLe(const unsigned char* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = bytes; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// Reads the low `bytes` bytes of `u` as a two's-complement signed number.
inline int64_t SignExtend(uint64_t u, size_t bytes) {
  if (bytes >= 8) return static_cast<int64_t>(u);
  const uint64_t sign = uint64_t(1) << (8 * bytes - 1);
  if (u & sign) u |= ~((sign << 1) - 1);
  return static_cast<int64_t>(u);
}

}  // namespace vigil
