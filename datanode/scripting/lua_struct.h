#pragma once
// The `struct` library Redis 7.0 loads into its Lua sandbox (Roberto Ierusalimschy's struct.c
// 1.7 behaviour, with Redis's offset check): struct.pack(fmt, ...), struct.unpack(fmt, s[, pos])
// and struct.size(fmt). Debian has no package of it for Lua 5.1, so this is our own
// implementation, matching Redis's copy on x86-64 (native little endian, `long` and `size_t` of
// 8 bytes, maximum alignment 8):
//
// - Formats: `>` `<` endianness, `![n]` maximum alignment (a power of 2, default 8), `x` a zero
//   byte, `b/B h/H l/L T i/In` signed/unsigned integers of 1, 2, 8, 8, sizeof(int) or n (at most
//   32) bytes, `cn` n chars (`c0`: the whole string when packing, the previous number as length
//   when unpacking), `s` a zero-terminated string, `f`/`d` float/double, ' ' ignored.
// - Integers go through a 64-bit long: wider fields get zero bytes beyond the 8th, and the
//   conversions of out-of-range numbers give what the x86-64 instructions give.
// - unpack returns the values and then the position after them (1-based).
struct lua_State;

namespace vigil::datanode {

// Creates the library table, sets it as the global `struct` and leaves it on the stack.
int OpenStructLibrary(lua_State* L);

}  // namespace vigil::datanode
