#pragma once
// BITFIELD's integers: a signed (1..64 bits) or unsigned (1..63 bits) big-endian integer at any
// bit offset of a string, and the arithmetic with overflow handling (WRAP, SAT, FAIL) that
// BITFIELD SET and INCRBY apply. Pure functions over bytes.
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode::bits {

struct FieldType {
  bool is_signed = false;
  int width = 0;  // bits
};

// Parses "i<n>" (1..64) or "u<n>" (1..63); u64 is refused because RESP integers are signed.
bool ParseFieldType(std::string_view text, FieldType* out);

enum class Overflow { kWrap, kSat, kFail };

// The field's bits at `offset` as an unsigned number, or sign-extended for a signed type.
// Bits past the end of `bytes` read as 0.
uint64_t ReadUnsignedField(std::string_view bytes, uint64_t offset, int width);
int64_t ReadSignedField(std::string_view bytes, uint64_t offset, int width);
// Stores the low `width` bits of `value` at `offset`; the bytes must already reach that far.
void WriteField(char* bytes, uint64_t offset, int width, uint64_t value);

// value + incr for a field of `width` bits. Returns false when the result does not fit; then
// *result holds what WRAP or SAT store (untouched for FAIL). SET checks with incr 0.
//
// These reproduce Redis 7.0's checks exactly, including its corner cases: a value outside the
// field range counts as an overflow upwards when an unsigned SET is given a negative number,
// and when a signed SET's value is so low that (max - value) wraps around.
bool AddUnsigned(uint64_t value, int64_t incr, int width, Overflow mode, uint64_t* result);
bool AddSigned(int64_t value, int64_t incr, int width, Overflow mode, int64_t* result);

}  // namespace vigil::datanode::bits
