#include "datanode/scripting/lua_sandbox.h"

#include <cstring>
#include <string>

#include "datanode/scripting/lua_cmsgpack.h"
#include "datanode/scripting/lua_struct.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace vigil::datanode {
namespace {

constexpr const char* kProxiesKey = "vigil.readonly_proxies";  // proxy → real table
constexpr const char* kGlobalsKey = "vigil.globals";           // the real global table
constexpr const char* kEnvKey = "vigil.env";                   // its proxy, the scripts' env
constexpr const char* kLoadKey = "vigil.load_globals";         // what FUNCTION LOAD's code sees

// Globals scripts may see: Redis's allow lists, less getfenv, setfenv and newproxy, which the
// redis-server 7.0.15 we compare with no longer exposes.
constexpr const char* kAllowedGlobals[] = {"string",
                                           "cjson",
                                           "bit",
                                           "cmsgpack",
                                           "math",
                                           "table",
                                           "struct",
                                           "redis",
                                           "__redis__err__handler",
                                           "xpcall",
                                           "tostring",
                                           "setmetatable",
                                           "next",
                                           "assert",
                                           "tonumber",
                                           "rawequal",
                                           "collectgarbage",
                                           "getmetatable",
                                           "rawset",
                                           "pcall",
                                           "coroutine",
                                           "type",
                                           "_G",
                                           "select",
                                           "unpack",
                                           "gcinfo",
                                           "pairs",
                                           "rawget",
                                           "loadstring",
                                           "ipairs",
                                           "_VERSION",
                                           "load",
                                           "error"};

bool IsAllowed(const char* name) {
  for (const char* a : kAllowedGlobals) {
    if (std::strcmp(a, name) == 0) return true;
  }
  return false;
}

int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name != nullptr ? name : "?");
}

int ReadonlyAssign(lua_State* L) {
  return luaL_error(L, "Attempt to modify a readonly table");
}

bool IsProxy(lua_State* L, int index) {
  if (!lua_istable(L, index)) return false;
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  const bool found = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return found;
}

// Upvalue 1: the original builtin. Refuses a protected table as first argument (without a
// position, as the patched Lua raises it from inside the C function).
int RefuseProxyFirst(lua_State* L) {
  if (lua_gettop(L) >= 1 && IsProxy(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  const int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

// Upvalue 1: the original builtin, given the real table instead of a proxy.
int ReadThroughProxy(lua_State* L) {
  if (lua_gettop(L) >= 1 && IsProxy(L, 1)) {
    PushUnproxied(L, 1);
    lua_replace(L, 1);
  }
  const int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

// Upvalue 1: the original getmetatable. A library table has no metatable in Redis: its proxy's
// hidden one reads as nil, not as the `false` guarding it.
int GetMetatableWrapper(lua_State* L) {
  const int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, 1);
  if (lua_isboolean(L, -1) && !lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
  return 1;
}

void WrapField(lua_State* L, int table, const char* name, lua_CFunction wrapper) {
  lua_getfield(L, table, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setfield(L, table, name);
}

// Redis's Lua only parses source text; a binary chunk fails to parse. Loading it behind a space
// gives the same syntax error without accepting precompiled code.
int LoadText(lua_State* L, const std::string& chunk, const char* name) {
  int status;
  if (!chunk.empty() && chunk[0] == LUA_SIGNATURE[0]) {
    std::string text = " " + chunk;
    status = luaL_loadbuffer(L, text.data(), text.size(), name);
  } else {
    status = luaL_loadbuffer(L, chunk.data(), chunk.size(), name);
  }
  if (status == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

int SafeLoadstring(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  return LoadText(L, std::string(s, len), name);  // no Lua error is raised past this point
}

int SafeLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  lua_settop(L, 2);
  // The pieces are gathered on the Lua side: the reader may raise an error.
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (true) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    if (lua_objlen(L, -1) == 0) {
      lua_pop(L, 1);
      break;
    }
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* chunk = lua_tolstring(L, -1, &len);
  return LoadText(L, std::string(chunk, len), name);
}

// Pushes a read-only proxy of the table on top (which is popped).
void MakeProxy(lua_State* L, bool protect_metatable_deeper) {
  const int real = lua_gettop(L);
  lua_newtable(L);  // proxy
  const int proxy = lua_gettop(L);
  lua_newtable(L);  // its metatable
  const int mt = lua_gettop(L);
  lua_pushvalue(L, real);
  lua_setfield(L, mt, "__index");
  lua_pushcfunction(L, ReadonlyAssign);
  lua_setfield(L, mt, "__newindex");
  if (protect_metatable_deeper) {
    // getmetatable(_G) answers a read-only view of the metatable, as Redis's is read-only.
    lua_pushvalue(L, mt);
    MakeProxy(L, false);
    lua_setfield(L, mt, "__metatable");
  } else {
    lua_pushboolean(L, 0);
    lua_setfield(L, mt, "__metatable");
  }
  lua_setmetatable(L, proxy);
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, proxy);
  lua_pushvalue(L, real);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_remove(L, real);
}

void OpenLibrary(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

void DefineErrorHandler(lua_State* L) {
  // Adds where the error happened (the caller of a C function that raised it) to the error
  // table, and wraps a plain message as {err='ERR ...'}: Redis's handler, which takes `debug`
  // away from scripts once it holds its own reference.
  static constexpr char kHandler[] =
      "local dbg = debug\n"
      "debug = nil\n"
      "function __redis__err__handler(err)\n"
      "  local i = dbg.getinfo(2,'nSl')\n"
      "  if i and i.what == 'C' then\n"
      "    i = dbg.getinfo(3,'nSl')\n"
      "  end\n"
      "  if type(err) ~= 'table' then\n"
      "    err = {err='ERR ' .. tostring(err)}"
      "  end"
      "  if i then\n"
      "    err['source'] = i.source\n"
      "    err['line'] = i.currentline\n"
      "  end"
      "  return err\n"
      "end\n";
  luaL_loadbuffer(L, kHandler, sizeof(kHandler) - 1, "@err_handler_def");
  lua_pcall(L, 0, 0, 0);
}

}  // namespace

void PushUnproxied(lua_State* L, int index) {
  if (index < 0 && index > LUA_REGISTRYINDEX) index = lua_gettop(L) + index + 1;
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  if (lua_istable(L, -1)) {
    lua_pushvalue(L, index);
    lua_rawget(L, -2);
    lua_remove(L, -2);
  }
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushvalue(L, index);
  }
}

lua_State* NewSandboxedLua(void (*register_api)(lua_State*, void*), void* api_data) {
  lua_State* L = luaL_newstate();
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kProxiesKey);

  OpenLibrary(L, luaopen_base, "");
  OpenLibrary(L, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(L, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(L, luaopen_math, LUA_MATHLIBNAME);
  OpenLibrary(L, luaopen_debug, LUA_DBLIBNAME);
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  // Ours: Debian packages neither for Lua 5.1. Opened in Redis's order.
  OpenStructLibrary(L);
  OpenCmsgpackLibrary(L);
  lua_pop(L, 2);
  OpenLibrary(L, luaopen_bit, "bit");

  lua_pushvalue(L, LUA_GLOBALSINDEX);
  const int g = lua_gettop(L);
  register_api(L, api_data);
  DefineErrorHandler(L);

  // Only the globals Redis allows survive (dofile, loadfile, print go).
  lua_pushnil(L);
  std::string remove;
  while (lua_next(L, g) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING && !IsAllowed(lua_tostring(L, -1))) {
      remove.append(lua_tostring(L, -1)).push_back('\0');
    }
  }
  for (size_t at = 0; at < remove.size(); at += std::strlen(remove.c_str() + at) + 1) {
    lua_pushnil(L);
    lua_setfield(L, g, remove.c_str() + at);
  }

  // Builtins that would write into a protected table, or read one raw.
  for (const char* name : {"rawset", "setmetatable"}) WrapField(L, g, name, RefuseProxyFirst);
  for (const char* name : {"rawget", "next", "pairs", "ipairs", "unpack"}) {
    WrapField(L, g, name, ReadThroughProxy);
  }
  lua_getfield(L, g, "table");
  const int tab = lua_gettop(L);
  for (const char* name : {"insert", "remove", "sort", "setn"}) {
    WrapField(L, tab, name, RefuseProxyFirst);
  }
  for (const char* name : {"concat", "getn", "maxn", "foreach", "foreachi"}) {
    WrapField(L, tab, name, ReadThroughProxy);
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, SafeLoadstring);
  lua_setfield(L, g, "loadstring");
  lua_pushcfunction(L, SafeLoad);
  lua_setfield(L, g, "load");

  // Every library table becomes read-only; so does the global table itself.
  for (const char* lib :
       {"string", "table", "math", "coroutine", "redis", "cjson", "struct", "cmsgpack", "bit"}) {
    lua_getfield(L, g, lib);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    MakeProxy(L, false);
    lua_setfield(L, g, lib);
  }
  // Methods on strings ("x"):upper() read the library through its proxy too, and the strings'
  // metatable itself is read-only (getmetatable('') answers a read-only view of it), as in the
  // redis-server 7.0.15 we compare with: a script must not change what later scripts see.
  lua_pushstring(L, "");
  lua_getmetatable(L, -1);
  const int string_mt = lua_gettop(L);
  lua_getfield(L, g, "string");
  lua_setfield(L, string_mt, "__index");
  lua_pushvalue(L, string_mt);
  MakeProxy(L, false);
  lua_setfield(L, string_mt, "__metatable");
  lua_pop(L, 2);
  WrapField(L, g, "getmetatable", GetMetatableWrapper);

  lua_newtable(L);  // the real globals' metatable: reading an unknown name is an error
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, g);

  lua_pushvalue(L, g);
  lua_setfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_pushvalue(L, g);
  MakeProxy(L, true);
  lua_setfield(L, LUA_REGISTRYINDEX, kEnvKey);
  // _G names the protected view.
  lua_getfield(L, LUA_REGISTRYINDEX, kEnvKey);
  lua_setfield(L, g, "_G");
  lua_settop(L, g - 1);
  RestoreGlobals(L);
  return L;
}

void SetProtectedGlobal(lua_State* L, const char* name) {
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_insert(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

void SetLibraryLoadTable(lua_State* L) {
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadKey);
}

void SetGlobalsLookup(lua_State* L, bool load) {
  lua_getfield(L, LUA_REGISTRYINDEX, kEnvKey);
  lua_getmetatable(L, -1);  // raw: the proxy's own metatable, not its __metatable view
  lua_getfield(L, LUA_REGISTRYINDEX, load ? kLoadKey : kGlobalsKey);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 2);
}

void MakeReadonlyStrictProxy(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  MakeProxy(L, false);
}

void RestoreGlobals(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kEnvKey);
  lua_replace(L, LUA_GLOBALSINDEX);
}

}  // namespace vigil::datanode
