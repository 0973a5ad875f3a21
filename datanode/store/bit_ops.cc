#include "datanode/store/bit_ops.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vigil::datanode::bits {
namespace {

uint8_t ByteAt(std::string_view bytes, uint64_t index) {
  return index < bytes.size() ? static_cast<uint8_t>(bytes[index]) : 0;
}

// The mask of bits [from, to] of one byte, counted from its most significant bit.
uint8_t ByteMask(unsigned from, unsigned to) {
  return static_cast<uint8_t>((0xFFu >> from) & (0xFFu << (7 - to)));
}

uint64_t LoadWord(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

}  // namespace

bool GetBit(std::string_view bytes, uint64_t offset) {
  return (ByteAt(bytes, offset >> 3) >> (7 - (offset & 7))) & 1;
}

void SetBit(char* bytes, uint64_t offset, bool on) {
  auto& b = reinterpret_cast<unsigned char&>(bytes[offset >> 3]);
  const unsigned char bit = static_cast<unsigned char>(0x80u >> (offset & 7));
  b = on ? (b | bit) : (b & ~bit);
}

uint64_t CountSetBits(std::string_view bytes, uint64_t first, uint64_t last) {
  uint64_t first_byte = first >> 3, last_byte = last >> 3;
  auto masked = [&](uint64_t index, unsigned from, unsigned to) {
    return uint64_t(std::popcount(uint8_t(ByteAt(bytes, index) & ByteMask(from, to))));
  };
  if (first_byte == last_byte) return masked(first_byte, first & 7, last & 7);
  uint64_t count = masked(first_byte, first & 7, 7) + masked(last_byte, 0, last & 7);
  // Whole bytes in between, a word at a time (popcount does not care about byte order).
  const char* p = bytes.data() + first_byte + 1;
  uint64_t n = last_byte - first_byte - 1;
  for (; n >= 8; n -= 8, p += 8) count += std::popcount(LoadWord(p));
  for (; n > 0; --n, ++p) count += std::popcount(static_cast<uint8_t>(*p));
  return count;
}

int64_t FindBit(std::string_view bytes, uint64_t first, uint64_t last, bool want) {
  // Looking for a 0 is looking for a 1 in the inverted byte.
  const uint8_t flip = want ? 0x00 : 0xFF;
  const uint64_t boring_word = want ? 0 : ~uint64_t{0};
  uint64_t first_byte = first >> 3, last_byte = last >> 3;
  for (uint64_t i = first_byte; i <= last_byte; ++i) {
    unsigned from = i == first_byte ? unsigned(first & 7) : 0;
    unsigned to = i == last_byte ? unsigned(last & 7) : 7;
    uint8_t hits = uint8_t(ByteAt(bytes, i) ^ flip) & ByteMask(from, to);
    if (hits != 0) return int64_t(i * 8 + unsigned(std::countl_zero(hits)));
    // Skip whole words with nothing of interest; long runs are the common case in bitmaps.
    while (i + 9 <= last_byte && LoadWord(bytes.data() + i + 1) == boring_word) i += 8;
  }
  return -1;
}

std::string Combine(BitOp op, const std::vector<std::string_view>& sources) {
  size_t longest = 0, shortest = sources.empty() ? 0 : SIZE_MAX;
  for (std::string_view s : sources) {
    longest = std::max(longest, s.size());
    shortest = std::min(shortest, s.size());
  }
  std::string out(longest, '\0');
  if (sources.empty()) return out;
  size_t j = 0;
  // Where every source has bytes, work a word at a time.
  for (; j + 8 <= shortest; j += 8) {
    uint64_t acc = LoadWord(sources[0].data() + j);
    if (op == BitOp::kNot) acc = ~acc;
    for (size_t i = 1; i < sources.size(); ++i) {
      uint64_t w = LoadWord(sources[i].data() + j);
      if (op == BitOp::kAnd) acc &= w;
      if (op == BitOp::kOr) acc |= w;
      if (op == BitOp::kXor) acc ^= w;
    }
    std::memcpy(out.data() + j, &acc, sizeof acc);
  }
  for (; j < longest; ++j) {
    uint8_t acc = ByteAt(sources[0], j);
    if (op == BitOp::kNot) acc = uint8_t(~acc);
    for (size_t i = 1; i < sources.size(); ++i) {
      uint8_t b = ByteAt(sources[i], j);
      if (op == BitOp::kAnd) acc &= b;
      if (op == BitOp::kOr) acc |= b;
      if (op == BitOp::kXor) acc ^= b;
    }
    out[j] = static_cast<char>(acc);
  }
  return out;
}

}  // namespace vigil::datanode::bits
