#pragma once
// Bitmap primitives over string bytes, in Redis's bit order: bit 0 is the most significant bit
// of byte 0. Bits past the end of the bytes read as 0, as a bitmap is an infinite run of zeros.
// Pure functions: the bitmap commands (SETBIT, BITCOUNT, BITPOS, BITOP) are built on them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::datanode::bits {

// The bit at `offset`; 0 past the end.
bool GetBit(std::string_view bytes, uint64_t offset);
// Sets or clears the bit at `offset`, which must lie inside `bytes`.
void SetBit(char* bytes, uint64_t offset, bool on);

// Set bits among bits [first, last] (inclusive; last < 8 * size, first <= last).
uint64_t CountSetBits(std::string_view bytes, uint64_t first, uint64_t last);
inline uint64_t CountSetBits(std::string_view bytes) {
  return bytes.empty() ? 0 : CountSetBits(bytes, 0, bytes.size() * 8 - 1);
}

// Position of the first bit equal to `want` among bits [first, last] (inclusive, inside the
// bytes), or -1 when there is none.
int64_t FindBit(std::string_view bytes, uint64_t first, uint64_t last, bool want);

enum class BitOp { kAnd, kOr, kXor, kNot };

// BITOP: combines the sources byte by byte; shorter sources count as zero-padded, and the
// result is as long as the longest source. kNot takes exactly one source.
std::string Combine(BitOp op, const std::vector<std::string_view>& sources);

}  // namespace vigil::datanode::bits
