#pragma once
// The Lua interpreter scripts run in, protected as Redis 7.0 protects it: the libraries Redis
// loads (base without dofile/loadfile/print, table, string, math, cjson, struct, cmsgpack, bit;
// debug only for the error handler), no new globals, reading an undefined global is an error, and
// the global table and every library table are read-only.
//
// Redis patches Lua with read-only tables; Debian's Lua 5.1 has none, so each protected table is
// reached through an empty proxy whose metatable reads from the real table and refuses writes
// ("Attempt to modify a readonly table"). The builtins that bypass metatables (rawset,
// setmetatable, table.insert/remove/sort) refuse proxies, and those that read raw (rawget, next,
// pairs, ipairs, unpack, table.concat/getn/maxn) read through them.
struct lua_State;

namespace vigil::datanode {

// A new interpreter with the libraries opened and protected. `register_api` is called before
// the globals are locked, with the real global table on top of the stack, to add the `redis`
// table and Redis's overrides (it may set globals with lua_setglobal).
lua_State* NewSandboxedLua(void (*register_api)(lua_State*, void*), void* api_data);

// Sets a global (KEYS, ARGV) bypassing the protection: pops the value on top of the stack.
void SetProtectedGlobal(lua_State* L, const char* name);

// FUNCTION LOAD's environment (Redis's library API): the table on top of the stack (popped) is
// what global names read from while `load` is true; false reads the real globals again. Writes
// stay refused either way, so a library cannot leave globals behind.
void SetGlobalsLookup(lua_State* L, bool load);
void SetLibraryLoadTable(lua_State* L);

// Replaces the table on top of the stack with a read-only proxy of it whose unknown names raise
// "Script attempted to access nonexistent global variable" (the library API's tables).
void MakeReadonlyStrictProxy(lua_State* L);

// Pushes the real table behind the read-only proxy at `index`, or the value itself when it is
// not one (or outside a sandbox): what a library that walks tables, as cmsgpack does, must read.
void PushUnproxied(lua_State* L, int index);

// Puts the protected environment back as the thread's globals (a script may have called
// setfenv(0, ...)); call before each run.
void RestoreGlobals(lua_State* L);

}  // namespace vigil::datanode
