#include "datanode/store/bitfield_int.h"

#include <limits>

#include "datanode/store/bit_ops.h"
#include "datanode/store/entry.h"

namespace vigil::datanode::bits {
namespace {

uint64_t WidthMask(int width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

// Two's complement subtraction without signed overflow: Redis relies on the wrapped result.
int64_t WrappingSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace

bool ParseFieldType(std::string_view text, FieldType* out) {
  if (text.empty() || (text[0] != 'i' && text[0] != 'u')) return false;
  int64_t width = 0;
  // Redis reads the width up to the first NUL byte, as a C string.
  std::string_view digits = text.substr(1);
  digits = digits.substr(0, digits.find('\0'));
  if (!ParseCanonicalInt(digits, &width)) return false;
  bool is_signed = text[0] == 'i';
  if (width < 1 || width > (is_signed ? 64 : 63)) return false;
  *out = FieldType{is_signed, int(width)};
  return true;
}

uint64_t ReadUnsignedField(std::string_view bytes, uint64_t offset, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 1) | uint64_t(GetBit(bytes, offset + uint64_t(i)));
  return v;
}

int64_t ReadSignedField(std::string_view bytes, uint64_t offset, int width) {
  uint64_t v = ReadUnsignedField(bytes, offset, width);
  if (width < 64 && (v >> (width - 1)) & 1) v |= ~WidthMask(width);
  return static_cast<int64_t>(v);
}

void WriteField(char* bytes, uint64_t offset, int width, uint64_t value) {
  for (int i = 0; i < width; ++i) {
    SetBit(bytes, offset + uint64_t(i), (value >> (width - 1 - i)) & 1);
  }
}

bool AddUnsigned(uint64_t value, int64_t incr, int width, Overflow mode, uint64_t* result) {
  const uint64_t max = WidthMask(width);
  bool up = value > max || (incr > 0 && incr > static_cast<int64_t>(max - value));
  bool down = !up && incr < 0 && incr < -static_cast<int64_t>(value);
  if (!up && !down) return true;
  if (mode == Overflow::kWrap) {
    *result = (value + static_cast<uint64_t>(incr)) & max;
  } else if (mode == Overflow::kSat) {
    *result = up ? max : 0;
  }
  return false;
}

bool AddSigned(int64_t value, int64_t incr, int width, Overflow mode, int64_t* result) {
  const int64_t max = width == 64 ? std::numeric_limits<int64_t>::max()
                                  : static_cast<int64_t>(WidthMask(width - 1));
  const int64_t min = -max - 1;
  // Room left before the limits; meaningful only when `value` is inside them, which the
  // checks below make sure of first (as Redis does, including for 64-bit fields).
  const int64_t room_up = WrappingSub(max, value);
  const int64_t room_down = WrappingSub(min, value);
  bool up =
      value > max || (width != 64 && incr > room_up) || (value >= 0 && incr > 0 && incr > room_up);
  bool down = !up && (value < min || (width != 64 && incr < room_down) ||
                      (value < 0 && incr < 0 && incr < room_down));
  if (!up && !down) return true;
  if (mode == Overflow::kWrap) {
    uint64_t sum = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (width < 64) {
      bool negative = (sum >> (width - 1)) & 1;
      sum = negative ? (sum | ~WidthMask(width)) : (sum & WidthMask(width));
    }
    *result = static_cast<int64_t>(sum);
  } else if (mode == Overflow::kSat) {
    *result = up ? max : min;
  }
  return false;
}

}  // namespace vigil::datanode::bits
