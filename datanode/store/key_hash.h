#pragma once
// A fast seeded 64-bit hash for keys and members (wyhash-style multiply-mix). The seed is
// random per process, so clients cannot pick keys that collide (Redis uses SipHash for the
// same reason); tests pass a fixed seed.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace vigil::datanode {

inline uint64_t Mix64(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Read64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Read32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t HashBytes(std::string_view s, uint64_t seed) {
  constexpr uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
                     k2 = 0x8ebc6af09c88c6e3ULL, k3 = 0x589965cc75374cc3ULL;
  const char* p = s.data();
  size_t len = s.size();
  uint64_t h = seed ^ k0;
  uint64_t a, b;
  if (len <= 16) {
    if (len >= 4) {
      a = (Read32(p) << 32) | Read32(p + ((len >> 3) << 2));
      b = (Read32(p + len - 4) << 32) | Read32(p + len - 4 - ((len >> 3) << 2));
    } else if (len > 0) {
      a = (uint64_t(uint8_t(p[0])) << 16) | (uint64_t(uint8_t(p[len >> 1])) << 8) |
          uint8_t(p[len - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = len;
    while (i > 16) {
      h = Mix64(Read64(p) ^ k1, Read64(p + 8) ^ h);
      p += 16;
      i -= 16;
    }
    a = Read64(p + i - 16);
    b = Read64(p + i - 8);
  }
  return Mix64(k1 ^ len, Mix64(a ^ k1, b ^ h) ^ k2) ^ k3;
}

}  // namespace vigil::datanode
