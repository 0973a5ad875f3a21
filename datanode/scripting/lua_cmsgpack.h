#pragma once
// The `cmsgpack` library Redis 7.0 loads into its Lua sandbox (lua-cmsgpack 0.4.0 behaviour):
// MessagePack encoding of Lua values and decoding back. Debian has no package of it for Lua 5.1,
// so this is our own implementation, rule for rule as Redis's copy behaves:
//
// - pack(v1, v2, ...) encodes each argument and concatenates them; no argument is an error.
//   Numbers that an int64 holds exactly are integers in their smallest MessagePack form, others
//   a 32-bit float when it keeps the value, else a 64-bit double. Strings use fixstr/str8/16/32
//   (never bin). A table whose keys are exactly 1..n is an array (an empty table too), any other
//   a map in `next` order. Tables deeper than 16 levels, functions, userdata and nil encode as
//   nil, which is what keeps a circular table finite.
// - unpack(s) returns every value in s; unpack_one(s[, offset]) and unpack_limit(s, limit
//   [, offset]) return the offset after what they read (-1 at the end) before the values.
//   Integers come back as Lua numbers; uint64 wraps through int64 as Redis's does; bin, ext and
//   0xc1 are "Bad data format in input.", a short input "Missing bytes in input.".
struct lua_State;

namespace vigil::datanode {

// Creates the library table, sets it as the global `cmsgpack` and leaves it on the stack.
int OpenCmsgpackLibrary(lua_State* L);

}  // namespace vigil::datanode
