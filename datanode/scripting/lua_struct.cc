#include "datanode/scripting/lua_struct.h"

#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace vigil::datanode {
namespace {

constexpr int kMaxIntSize = 32;  // widest `In`

// The alignment of a double inside a struct, or of an int if larger: what `!` alone sets.
struct DoubleProbe {
  char c;
  double d;
};
constexpr int kMaxAlign = offsetof(DoubleProbe, d) > sizeof(int)
                              ? static_cast<int>(offsetof(DoubleProbe, d))
                              : static_cast<int>(sizeof(int));

constexpr bool kNativeLittle = std::endian::native == std::endian::little;

struct Layout {
  bool little = kNativeLittle;
  int align = 1;
};

// Format characters are tested in the C locale, as Redis (which never sets LC_CTYPE) tests them.
bool IsDigit(int c) {
  return c >= '0' && c <= '9';
}
bool IsAlnum(int c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The next format character, as the signed char the C library reads.
int NextOption(const char** fmt) {
  return static_cast<signed char>(*(*fmt)++);
}

// The number written after an option, or `fallback` when there is none.
int ReadCount(lua_State* L, const char** fmt, int fallback) {
  if (!IsDigit(**fmt)) return fallback;
  int n = 0;
  do {
    const int digit = **fmt - '0';
    if (n > INT_MAX / 10 || n * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
    n = n * 10 + digit;
    ++*fmt;
  } while (IsDigit(**fmt));
  return n;
}

// The size an option takes (0 for those without one: control options, `s`), reading its count.
size_t OptionSize(lua_State* L, int opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return sizeof(char);
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(ReadCount(L, fmt, 1));
    case 'i':
    case 'I': {
      const int size = ReadCount(L, fmt, sizeof(int));
      if (size > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", size, kMaxIntSize);
      }
      return static_cast<size_t>(size);
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` bytes at offset `at`. The formula is the library's own: for
// a size that is not a power of two it pads to what the bit mask gives, not to a multiple.
int Padding(size_t at, const Layout& layout, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(layout.align)) size = static_cast<size_t>(layout.align);
  return static_cast<int>((size - (at & (size - 1))) & (size - 1));
}

bool IsPowerOfTwo(int n) {
  return n > 0 && (n & (n - 1)) == 0;
}

// Endianness, alignment and spaces; anything else is an invalid option.
void ControlOption(lua_State* L, int opt, const char** fmt, Layout* layout) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      layout->little = false;
      return;
    case '<':
      layout->little = true;
      return;
    case '!': {
      const int align = ReadCount(L, fmt, kMaxAlign);
      if (!IsPowerOfTwo(align)) luaL_error(L, "alignment %d is not a power of 2", align);
      layout->align = align;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

// Double to integer conversions as x86-64 performs them (cvttsd2si): out of range or NaN gives
// the "integer indefinite" 0x8000000000000000; above 2^63 the unsigned conversion subtracts
// 2^63 first and flips the top bit back, so 2^64 and beyond give 0.
uint64_t SignedBits(double n) {
  if (!(n >= -0x1p63 && n < 0x1p63)) return uint64_t{1} << 63;
  return static_cast<uint64_t>(static_cast<int64_t>(n));
}
uint64_t UnsignedBits(double n) {
  if (!(n >= 0x1p63)) return SignedBits(n);  // NaN lands here too
  return SignedBits(n - 0x1p63) ^ (uint64_t{1} << 63);
}

void ReverseIfForeign(char* bytes, size_t size, bool little) {
  if (little == kNativeLittle) return;
  for (size_t i = 0, j = size - 1; i < j; ++i, --j) {
    const char t = bytes[i];
    bytes[i] = bytes[j];
    bytes[j] = t;
  }
}

void AddInteger(lua_State* L, luaL_Buffer* b, int arg, bool little, size_t size) {
  const lua_Number n = luaL_checknumber(L, arg);
  uint64_t value = n < 0 ? SignedBits(n) : UnsignedBits(n);
  char bytes[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    bytes[little ? i : size - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;  // past the 8th byte the rest are zeros, whatever the sign
  }
  luaL_addlstring(b, bytes, size);
}

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Layout layout;
  int arg = 2;
  size_t total = 0;
  // The nil separates the arguments from the buffer's stack slots: an argument asked for past
  // the last one reads this nil ("got nil"), as Redis's does.
  lua_pushnil(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    const int opt = NextOption(&fmt);
    size_t size = OptionSize(L, opt, &fmt);
    int padding = Padding(total, layout, opt, size);
    total += static_cast<size_t>(padding);
    while (padding-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        AddInteger(L, &b, arg++, layout.little, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        char bytes[sizeof(f)];
        std::memcpy(bytes, &f, sizeof(f));
        ReverseIfForeign(bytes, sizeof(bytes), layout.little);
        luaL_addlstring(&b, bytes, sizeof(bytes));
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        char bytes[sizeof(d)];
        std::memcpy(bytes, &d, sizeof(d));
        ReverseIfForeign(bytes, sizeof(bytes), layout.little);
        luaL_addlstring(&b, bytes, sizeof(bytes));
        break;
      }
      case 'c':
      case 's': {
        size_t len = 0;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        // The position reported is the next argument's: the library counts after moving on.
        luaL_argcheck(L, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &layout);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

lua_Number ReadInteger(const char* bytes, bool little, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[little ? size - 1 - i : i]);
  }
  if (!is_signed) return static_cast<lua_Number>(v);
  // The sign mask is ~0 shifted by size*8-1, a shift x86 takes modulo 64: for sizes above 8
  // it is not the sign of the field, and the library extends whatever it selects.
  const unsigned shift = (static_cast<unsigned>(size) * 8u - 1u) & 63u;
  const uint64_t mask = ~uint64_t{0} << shift;
  if ((v & mask) != 0) v |= mask;
  return static_cast<lua_Number>(static_cast<int64_t>(v));
}

int Unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  // A negative offset wraps to a huge position, which then fails as "data string too short".
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  Layout layout;
  int results = 0;
  while (*fmt != '\0') {
    const int opt = NextOption(&fmt);
    size_t size = OptionSize(L, opt, &fmt);
    pos += static_cast<size_t>(Padding(pos, layout, opt, size));
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(L, ReadInteger(data + pos, layout.little, opt >= 'a' && opt <= 'z', size));
        ++results;
        break;
      case 'x':
        break;
      case 'f': {
        char bytes[sizeof(float)];
        std::memcpy(bytes, data + pos, sizeof(bytes));
        ReverseIfForeign(bytes, sizeof(bytes), layout.little);
        float f;
        std::memcpy(&f, bytes, sizeof(f));
        lua_pushnumber(L, f);
        ++results;
        break;
      }
      case 'd': {
        char bytes[sizeof(double)];
        std::memcpy(bytes, data + pos, sizeof(bytes));
        ReverseIfForeign(bytes, sizeof(bytes), layout.little);
        double d;
        std::memcpy(&d, bytes, sizeof(d));
        lua_pushnumber(L, d);
        ++results;
        break;
      }
      case 'c':
        if (size == 0) {
          // The length is the previous result (a numeric string counts too), which it replaces.
          if (results == 0 || !lua_isnumber(L, -1)) {
            luaL_error(L, "format 'c0' needs a previous size");
          }
          size = static_cast<size_t>(UnsignedBits(lua_tonumber(L, -1)));
          lua_pop(L, 1);
          --results;
          luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++results;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++results;
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &layout);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return results + 1;
}

int Size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Layout layout;
  size_t pos = 0;
  while (*fmt != '\0') {
    const int opt = NextOption(&fmt);
    const size_t size = OptionSize(L, opt, &fmt);
    pos += static_cast<size_t>(Padding(pos, layout, opt, size));
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    // Unknown letters and digits count as nothing here, where pack and unpack refuse them.
    if (!IsAlnum(opt)) ControlOption(L, opt, &fmt, &layout);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStructLibrary(lua_State* L) {
  // Sized for its three functions up front and filled in this order, as luaL_register does, so
  // pairs(struct) lists them as Redis's does.
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, Size);
  lua_setfield(L, -2, "size");
  lua_pushvalue(L, -1);
  lua_setglobal(L, "struct");
  return 1;
}

}  // namespace vigil::datanode
