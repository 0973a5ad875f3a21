#pragma once
// SHA-1 (FIPS 180-4). Not for security: Redis uses it to fingerprint datasets (DEBUG DIGEST),
// and a digest must match the one redis-server computes for the same data.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

class Sha1 {
 public:
  using Digest = std::array<uint8_t, 20>;

  Sha1();
  void Update(const void* data, size_t len);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Pads and returns the digest; the object must not be updated afterwards.
  Digest Final();

  static Digest Of(const void* data, size_t len);
  static Digest Of(std::string_view s) { return Of(s.data(), s.size()); }

 private:
  void Block(const uint8_t* p);

  uint32_t h_[5];
  uint64_t length_ = 0;  // bytes hashed so far
  uint8_t buf_[64];
  size_t used_ = 0;  // bytes waiting in buf_
};

// Lowercase hex of the bytes, as Redis prints digests.
std::string HexLower(const uint8_t* data, size_t len);

}  // namespace vigil
