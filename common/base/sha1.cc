#include "common/base/sha1.h"

#include <algorithm>
#include <cstring>

namespace vigil {
namespace {

uint32_t Rotl(uint32_t v, int n) {
  return (v << n) | (v >> (32 - n));
}

}  // namespace

Sha1::Sha1() : h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u} {}

void Sha1::Block(const uint8_t* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; ++i) {
    w[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 1]) << 16 | uint32_t(p[4 * i + 2]) << 8 |
           uint32_t(p[4 * i + 3]);
  }
  for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f, k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999u;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1u;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDCu;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6u;
    }
    uint32_t t = Rotl(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = Rotl(b, 30);
    b = a;
    a = t;
  }
  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
}

void Sha1::Update(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  length_ += len;
  if (used_ > 0) {
    size_t take = std::min(len, sizeof(buf_) - used_);
    std::memcpy(buf_ + used_, p, take);
    used_ += take;
    p += take;
    len -= take;
    if (used_ < sizeof(buf_)) return;
    Block(buf_);
    used_ = 0;
  }
  for (; len >= 64; p += 64, len -= 64) Block(p);
  std::memcpy(buf_, p, len);
  used_ = len;
}

Sha1::Digest Sha1::Final() {
  const uint64_t bits = length_ * 8;
  static const uint8_t kPad[64] = {0x80};
  size_t pad = used_ < 56 ? 56 - used_ : 120 - used_;
  Update(kPad, pad);
  uint8_t len_be[8];
  for (int i = 0; i < 8; ++i) len_be[i] = uint8_t(bits >> (56 - 8 * i));
  Update(len_be, 8);
  Digest out;
  for (int i = 0; i < 5; ++i) {
    out[size_t(4 * i)] = uint8_t(h_[i] >> 24);
    out[size_t(4 * i + 1)] = uint8_t(h_[i] >> 16);
    out[size_t(4 * i + 2)] = uint8_t(h_[i] >> 8);
    out[size_t(4 * i + 3)] = uint8_t(h_[i]);
  }
  return out;
}

Sha1::Digest Sha1::Of(const void* data, size_t len) {
  Sha1 s;
  s.Update(data, len);
  return s.Final();
}

std::string HexLower(const uint8_t* data, size_t len) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

}  // namespace vigil
