#include "datanode/scripting/lua_cmsgpack.h"

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "datanode/scripting/lua_sandbox.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace vigil::datanode {
namespace {

// Deeper tables encode as nil: Redis's guard against circular references.
constexpr int kMaxNesting = 16;

// ---------------------------------------------------------------------------------------------
// Encoding. Lua errors unwind with longjmp, so the output lives in a static buffer rather than
// in a local whose destructor a longjmp would skip; encoding never calls back into scripts, so
// the buffer cannot be reentered.

std::string& EncodeBuffer() {
  static std::string buffer;
  return buffer;
}

void PutBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void PutHeader(std::string& out, uint8_t type, uint64_t v, int bytes) {
  out.push_back(static_cast<char>(type));
  PutBigEndian(out, v, bytes);
}

void EncodeBytes(std::string& out, const char* s, size_t len) {
  if (len < 32) {
    out.push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    PutHeader(out, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    PutHeader(out, 0xda, len, 2);
  } else {
    PutHeader(out, 0xdb, len & 0xffffffffu, 4);
  }
  out.append(s, len);
}

void EncodeInteger(std::string& out, int64_t n) {
  const auto u = static_cast<uint64_t>(n);
  if (n >= 0) {
    if (n <= 127) {
      out.push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      PutHeader(out, 0xcc, u, 1);
    } else if (n <= 0xffff) {
      PutHeader(out, 0xcd, u, 2);
    } else if (n <= 0xffffffffLL) {
      PutHeader(out, 0xce, u, 4);
    } else {
      PutHeader(out, 0xcf, u, 8);
    }
  } else if (n >= -32) {
    out.push_back(static_cast<char>(u & 0xff));  // negative fixnum: the low byte as is
  } else if (n >= -128) {
    PutHeader(out, 0xd0, u, 1);
  } else if (n >= -32768) {
    PutHeader(out, 0xd1, u, 2);
  } else if (n >= INT32_MIN) {
    PutHeader(out, 0xd2, u, 4);
  } else {
    PutHeader(out, 0xd3, u, 8);
  }
}

// A float when narrowing keeps the value (infinities included, NaN never), else a double.
void EncodeDouble(std::string& out, double d) {
  bool fits_float = !std::isnan(d);
  if (fits_float && std::isfinite(d) && std::fabs(d) > static_cast<double>(FLT_MAX)) {
    fits_float = false;  // narrowing would overflow to infinity: not the same value
  }
  if (fits_float) {
    const float f = static_cast<float>(d);
    fits_float = static_cast<double>(f) == d;
    if (fits_float) {
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof(bits));
      PutHeader(out, 0xca, bits, 4);
      return;
    }
  }
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  PutHeader(out, 0xcb, bits, 8);
}

// Whether an int64 holds the number exactly (NaN, infinities and |n| >= 2^63 do not, -2^63 does).
bool FitsInt64(double n) {
  return n >= -0x1p63 && n < 0x1p63 && static_cast<double>(static_cast<int64_t>(n)) == n;
}

// A positive key an int holds exactly: what makes a table key count as an array index.
bool IsArrayIndex(double n) {
  return n > 0 && n < 0x1p31 && static_cast<double>(static_cast<int>(n)) == n;
}

void EncodeValue(lua_State* L, std::string& out, int level);

// Keys exactly 1..n, with n their count (so no holes); an empty table qualifies.
bool IsArray(lua_State* L) {
  const int top = lua_gettop(L);
  int count = 0;
  int max = 0;
  luaL_checkstack(L, 2, "in function table_is_an_array");
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER || !IsArrayIndex(lua_tonumber(L, -1))) {
      lua_settop(L, top);
      return false;
    }
    const int index = static_cast<int>(lua_tonumber(L, -1));
    if (index > max) max = index;
    ++count;
  }
  lua_settop(L, top);
  return max == count;
}

void PutCount(std::string& out, uint8_t fix_base, uint8_t type16, uint64_t n) {
  if (n <= 15) {
    out.push_back(static_cast<char>(fix_base | n));
  } else if (n <= 0xffff) {
    PutHeader(out, type16, n, 2);
  } else {
    PutHeader(out, type16 + 1, n & 0xffffffffu, 4);
  }
}

void EncodeArray(lua_State* L, std::string& out, int level) {
  const size_t len = lua_objlen(L, -1);
  PutCount(out, 0x90, 0xdc, len);
  luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
  for (size_t i = 1; i <= len; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    lua_gettable(L, -2);
    EncodeValue(L, out, level + 1);
  }
}

void EncodeMap(lua_State* L, std::string& out, int level) {
  luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    ++count;
  }
  PutCount(out, 0x80, 0xde, count);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);            // key value key
    EncodeValue(L, out, level + 1);  // the key (popped)
    EncodeValue(L, out, level + 1);  // the value (popped), the key stays for next
  }
}

// Encodes the value on top of the stack and pops it.
void EncodeValue(lua_State* L, std::string& out, int level) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeBytes(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out.push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER: {
      const lua_Number n = lua_tonumber(L, -1);
      if (FitsInt64(n)) {
        EncodeInteger(out, static_cast<int64_t>(n));
      } else {
        EncodeDouble(out, n);
      }
      break;
    }
    case LUA_TTABLE:
      if (level == kMaxNesting) {
        out.push_back(static_cast<char>(0xc0));
        break;
      }
      // A protected library table (or _G) is a proxy here; Redis encodes the table itself.
      PushUnproxied(L, -1);
      lua_replace(L, -2);
      if (IsArray(L)) {
        EncodeArray(L, out, level);
      } else {
        EncodeMap(L, out, level);
      }
      break;
    default:
      out.push_back(static_cast<char>(0xc0));
      break;
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs)) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  std::string& out = EncodeBuffer();
  out.clear();
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function mp_check");
    lua_pushvalue(L, i);
    EncodeValue(L, out, 0);
  }
  lua_pushlstring(L, out.data(), out.size());
  if (out.capacity() > (1u << 20)) {
    out.clear();
    out.shrink_to_fit();  // a big pack does not keep its memory
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

enum class DecodeError { kNone, kMissingBytes, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  DecodeError error;

  bool Need(size_t n) {
    if (left >= n) return true;
    error = DecodeError::kMissingBytes;
    return false;
  }
  void Skip(size_t n) {
    p += n;
    left -= n;
  }
  // The big-endian unsigned number of `bytes` bytes after the type byte.
  uint64_t Field(int bytes) const {
    uint64_t v = 0;
    for (int i = 1; i <= bytes; ++i) v = (v << 8) | p[i];
    return v;
  }
};

void DecodeValue(lua_State* L, Cursor& c);

void DecodeArray(lua_State* L, Cursor& c, size_t len) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= len; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    DecodeValue(L, c);
    if (c.error != DecodeError::kNone) return;
    lua_settable(L, -3);
  }
}

void DecodeMap(lua_State* L, Cursor& c, size_t len) {
  lua_newtable(L);
  for (size_t i = 0; i < len; ++i) {
    DecodeValue(L, c);
    if (c.error != DecodeError::kNone) return;
    DecodeValue(L, c);
    if (c.error != DecodeError::kNone) return;
    lua_settable(L, -3);  // a nil or NaN key raises Lua's own error, as in Redis
  }
}

// A number of `bytes` bytes after the type byte, the whole item being 1 + bytes long.
bool TakeField(Cursor& c, int bytes, uint64_t* v) {
  if (!c.Need(1 + static_cast<size_t>(bytes))) return false;
  *v = c.Field(bytes);
  c.Skip(1 + static_cast<size_t>(bytes));
  return true;
}

void DecodeString(lua_State* L, Cursor& c, int len_bytes) {
  uint64_t len = 0;
  if (!TakeField(c, len_bytes, &len)) return;
  if (!c.Need(len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c.p), len);
  c.Skip(len);
}

void DecodeContainer(lua_State* L, Cursor& c, int len_bytes, bool map) {
  uint64_t len = 0;
  if (!TakeField(c, len_bytes, &len)) return;
  if (map) {
    DecodeMap(L, c, len);
  } else {
    DecodeArray(L, c, len);
  }
}

// Pushes the value at the cursor; on a decoding error sets c.error (the stack is then dropped
// by the error raised).
void DecodeValue(lua_State* L, Cursor& c) {
  if (!c.Need(1)) return;
  // Each value may need a new stack slot; a long stream of top-level values runs out here.
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  const unsigned char type = c.p[0];
  uint64_t v = 0;
  switch (type) {
    case 0xcc:
    case 0xcd:
    case 0xce: {
      if (!TakeField(c, 1 << (type - 0xcc), &v)) return;
      lua_pushinteger(L, static_cast<lua_Integer>(v));
      return;
    }
    case 0xcf:  // wraps through the signed integer as Redis's lua_pushunsigned does
      if (!TakeField(c, 8, &v)) return;
      lua_pushinteger(L, static_cast<lua_Integer>(static_cast<int64_t>(v)));
      return;
    case 0xd0:
      if (!TakeField(c, 1, &v)) return;
      lua_pushinteger(L, static_cast<int8_t>(v));
      return;
    case 0xd1:
      if (!TakeField(c, 2, &v)) return;
      lua_pushinteger(L, static_cast<int16_t>(v));
      return;
    case 0xd2:
      if (!TakeField(c, 4, &v)) return;
      lua_pushinteger(L, static_cast<int32_t>(v));
      return;
    case 0xd3:
      if (!TakeField(c, 8, &v)) return;
      lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v)));
      return;
    case 0xc0:
      lua_pushnil(L);
      c.Skip(1);
      return;
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, type == 0xc3);
      c.Skip(1);
      return;
    case 0xca: {
      if (!TakeField(c, 4, &v)) return;
      const auto bits = static_cast<uint32_t>(v);
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      lua_pushnumber(L, f);
      return;
    }
    case 0xcb: {
      if (!TakeField(c, 8, &v)) return;
      double d;
      std::memcpy(&d, &v, sizeof(d));
      lua_pushnumber(L, d);
      return;
    }
    case 0xd9:
      DecodeString(L, c, 1);
      return;
    case 0xda:
      DecodeString(L, c, 2);
      return;
    case 0xdb:
      DecodeString(L, c, 4);
      return;
    case 0xdc:
    case 0xdd:
      DecodeContainer(L, c, type == 0xdc ? 2 : 4, false);
      return;
    case 0xde:
    case 0xdf:
      DecodeContainer(L, c, type == 0xde ? 2 : 4, true);
      return;
    default:
      break;
  }
  if ((type & 0x80) == 0) {  // positive fixnum
    lua_pushinteger(L, type);
    c.Skip(1);
  } else if ((type & 0xe0) == 0xe0) {  // negative fixnum
    lua_pushinteger(L, static_cast<int8_t>(type));
    c.Skip(1);
  } else if ((type & 0xe0) == 0xa0) {  // fixstr
    const size_t len = type & 0x1f;
    if (!c.Need(1 + len)) return;
    lua_pushlstring(L, reinterpret_cast<const char*>(c.p + 1), len);
    c.Skip(1 + len);
  } else if ((type & 0xf0) == 0x90) {
    c.Skip(1);
    DecodeArray(L, c, type & 0x0f);
  } else if ((type & 0xf0) == 0x80) {
    c.Skip(1);
    DecodeMap(L, c, type & 0x0f);
  } else {
    c.error = DecodeError::kBadFormat;  // 0xc1, bin, ext, fixext: unknown to this library
  }
}

// limit == 0 and offset == 0 decode everything and return only the values; otherwise at most
// `limit` values after the next offset. The string is argument 1 and the only one left.
int UnpackValues(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // Redis prints the input's length where the limit is announced.
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset),
           DecodeError::kNone};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    DecodeValue(L, c);
    if (c.error == DecodeError::kMissingBytes) return luaL_error(L, "Missing bytes in input.");
    if (c.error == DecodeError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (all) return count;
  luaL_checkstack(L, 1, "in function mp_unpack_full");
  lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
  lua_insert(L, 2);  // the offset goes first, before the values
  return count + 1;
}

// Keeps only argument 1 (or nothing when there was none).
void KeepFirstArgument(lua_State* L) {
  lua_settop(L, lua_gettop(L) >= 1 ? 1 : 0);
}

int Unpack(lua_State* L) {
  return UnpackValues(L, 0, 0);
}

int UnpackOne(lua_State* L) {
  const lua_Integer offset = luaL_optinteger(L, 2, 0);
  KeepFirstArgument(L);
  return UnpackValues(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  const lua_Integer limit = luaL_checkinteger(L, 2);
  const lua_Integer offset = luaL_optinteger(L, 3, 0);
  KeepFirstArgument(L);
  return UnpackValues(L, limit, offset);
}

}  // namespace

int OpenCmsgpackLibrary(lua_State* L) {
  lua_newtable(L);
  // Insertion order as Redis's, so pairs(cmsgpack) lists the same order.
  const struct {
    const char* name;
    lua_CFunction fn;
  } functions[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"unpack_one", UnpackOne}, {"unpack_limit", UnpackLimit}};
  for (const auto& f : functions) {
    lua_pushcfunction(L, f.fn);
    lua_setfield(L, -2, f.name);
  }
  const struct {
    const char* name;
    const char* value;
  } metadata[] = {{"_NAME", "cmsgpack"},
                  {"_VERSION", "lua-cmsgpack 0.4.0"},
                  {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
                  {"_DESCRIPTION", "MessagePack C implementation for Lua"}};
  for (const auto& m : metadata) {
    lua_pushstring(L, m.value);
    lua_setfield(L, -2, m.name);
  }
  lua_pushvalue(L, -1);
  lua_setglobal(L, "cmsgpack");
  return 1;
}

}  // namespace vigil::datanode
