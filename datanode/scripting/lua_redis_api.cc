#include "datanode/scripting/lua_redis_api.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "datanode/scripting/lua_convert.h"
#include "datanode/scripting/script_engine.h"

namespace vigil::datanode {
namespace {

constexpr const char* kEngineKey = "vigil.engine";
constexpr int kRedisVersionNum = 0x0007000f;  // 7.0.15
constexpr int32_t kRand48Max = 0x7fffffff;

ScriptRun* RunOf(lua_State* L) {
  ScriptEngine* e = EngineOf(L);
  return e != nullptr ? e->current_run() : nullptr;
}

// Raises Redis's error table for `msg` (which gets "ERR " unless it starts with '-'). Lua errors
// unwind with longjmp, so nothing with a destructor may be alive in the frames they cross: every
// raise below happens after the C++ objects of the call are gone.
int RaiseError(lua_State* L, const char* msg) {
  PushErrorTable(L, msg);
  return lua_error(L);
}

// The arguments of redis.call as strings: numbers as %.17g, as Redis formats them.
bool ArgsToArgv(lua_State* L, std::vector<std::string>* argv) {
  const int argc = lua_gettop(L);
  if (argc == 0) {
    lua_settop(L, 0);
    PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return false;
  }
  argv->reserve(size_t(argc));
  for (int j = 1; j <= argc; ++j) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", double(lua_tonumber(L, j)));
      argv->emplace_back(buf, size_t(n));
    } else {
      size_t len = 0;
      const char* s = lua_tolstring(L, j, &len);
      if (s == nullptr) {
        lua_settop(L, 0);
        PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
        return false;
      }
      argv->emplace_back(s, len);
    }
  }
  lua_settop(L, 0);
  return true;
}

// The Lua debugger, while it steps, shows the errors a call raises as Redis's luaPushError does.
void LogErrorTableIfDebugging(lua_State* L, LuaDebugger& dbg) {
  if (!dbg.logging()) return;
  lua_getfield(L, -1, "err");
  if (lua_isstring(L, -1)) dbg.LogError(lua_tostring(L, -1));
  lua_pop(L, 1);
}

// Runs the command and pushes its reply (or the error table); true when the result is an error.
bool RunCommand(lua_State* L, ScriptRun* run) {
  LuaDebugger& dbg = EngineOf(L)->debugger();
  std::vector<std::string> argv;
  if (!ArgsToArgv(L, &argv)) {
    LogErrorTableIfDebugging(L, dbg);
    return true;
  }
  if (dbg.logging()) dbg.LogCommand(argv);
  std::string err;
  run->client->out.clear();
  run->host->ScriptCall(*run, argv, &err);
  if (!err.empty()) {
    if (dbg.logging()) dbg.LogError(err);
    PushErrorTable(L, err);
    lua_pushstring(L, "ignore_error_stats_update");
    lua_pushboolean(L, 1);
    lua_settable(L, -3);
    run->client->out.clear();
    return true;
  }
  const bool is_error = !run->client->out.empty() && run->client->out[0] == '-';
  if (is_error && dbg.logging()) {
    const std::string& out = run->client->out;
    dbg.LogError(out.substr(0, out.find("\r\n")));
  }
  PushRespAsLua(L, run->client->out);
  if (dbg.logging()) dbg.LogReply(run->client->out);
  run->client->out.clear();
  return is_error;
}

int GenericCommand(lua_State* L, bool raise) {
  ScriptRun* run = RunOf(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.call/pcall can only be called inside a script invocation");
  }
  if (RunCommand(L, run) && raise) return lua_error(L);
  return 1;
}

int Call(lua_State* L) {
  return GenericCommand(L, true);
}
int PCall(lua_State* L) {
  return GenericCommand(L, false);
}

// The global pcall: an error table raised inside becomes its err string, as Redis's does.
int GlobalPcall(lua_State* L) {
  const int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

int Sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  char hex[41];
  {
    const std::string digest =
        Sha1Hex(std::string_view(s != nullptr ? s : "", s != nullptr ? len : 0));
    digest.copy(hex, 40);
    hex[40] = '\0';
  }
  lua_pushstring(L, hex);
  return 1;
}

int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  const char* e = lua_tostring(L, -1);
  PushErrorTable(L, e[0] == '-' ? std::string(e) : "-" + std::string(e));
  return 1;
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

int SetRepl(lua_State* L) {
  ScriptRun* run = RunOf(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.set_repl can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.set_repl() requires two arguments.");
  const int flags = int(lua_tonumber(L, -1));
  if ((flags & ~kReplAll) != 0) {
    return RaiseError(L,
                      "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                      "REPL_NONE.");
  }
  run->repl = flags;
  return 0;
}

int SetResp(lua_State* L) {
  ScriptRun* run = RunOf(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.setresp can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  const int resp = int(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  run->resp = resp;
  run->client->proto = resp;
  return 0;
}

int Log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return RaiseError(L, "First argument must be a number (log level).");
  const int level = int(lua_tonumber(L, 1));
  if (level < 0 || level > 3) return RaiseError(L, "Invalid debug level.");
  ScriptRun* run = RunOf(L);
  if (run == nullptr) return 0;
  std::string line;
  for (int j = 2; j <= argc; ++j) {
    size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);  // numbers convert in place; no error possible
    if (s == nullptr) continue;
    if (j != 2) line.push_back(' ');
    line.append(s, len);
  }
  run->host->ScriptLog(level, line);
  return 0;
}

int ReplicateCommands(lua_State* L) {
  // Effects replication is the only mode since Redis 7.0: always "yes".
  lua_pushboolean(L, 1);
  return 1;
}

// Outside a Lua debugger session, redis.breakpoint answers false and redis.debug does nothing.
int Breakpoint(lua_State* L) {
  ScriptEngine* e = EngineOf(L);
  lua_pushboolean(L, e != nullptr && e->debugger().RequestBreak());
  return 1;
}
int Debug(lua_State* L) {
  ScriptEngine* e = EngineOf(L);
  if (e != nullptr) e->debugger().LogDebugValues(L);
  return 0;
}

int AclCheckCmd(lua_State* L) {
  ScriptRun* run = RunOf(L);
  if (run == nullptr) {
    return RaiseError(L, "redis.acl_check_cmd can only be called inside a script invocation");
  }
  int verdict = 0;
  {
    std::vector<std::string> argv;
    verdict = ArgsToArgv(L, &argv) ? run->host->ScriptAclCheck(*run, argv) : -2;
  }
  if (verdict == -2) return lua_error(L);
  if (verdict < 0) return RaiseError(L, "Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(L, verdict);
  return 1;
}

int32_t NextRand48(ScriptEngine* e) {
  uint64_t& x = e->rand48();
  x = (x * 0x5DEECE66DULL + 0xB) & ((1ULL << 48) - 1);
  return int32_t(x >> 17);
}

int MathRandom(lua_State* L) {
  ScriptEngine* e = EngineOf(L);
  if (e == nullptr || e->current_run() == nullptr) {
    return luaL_error(L, "math.random can only be called inside a script invocation");
  }
  const lua_Number r = lua_Number(NextRand48(e) % kRand48Max) / lua_Number(kRand48Max);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomseed(lua_State* L) {
  ScriptEngine* e = EngineOf(L);
  if (e == nullptr || e->current_run() == nullptr) {
    return luaL_error(L, "math.randomseed can only be called inside a script invocation");
  }
  const uint32_t seed = uint32_t(luaL_checkint(L, 1));
  e->rand48() = (uint64_t(seed) << 16) | 0x330E;
  return 0;
}

void SetNumber(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

}  // namespace

ScriptEngine* EngineOf(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kEngineKey);
  auto* e = static_cast<ScriptEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return e;
}

void RegisterRedisApi(lua_State* L, void* engine) {
  lua_pushlightuserdata(L, engine);
  lua_setfield(L, LUA_REGISTRYINDEX, kEngineKey);

  lua_pushcfunction(L, GlobalPcall);
  lua_setglobal(L, "pcall");

  lua_newtable(L);
  SetFunction(L, "call", Call);
  SetFunction(L, "pcall", PCall);
  SetFunction(L, "log", Log);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REDIS_VERSION_NUM", kRedisVersionNum);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  SetFunction(L, "setresp", SetResp);
  SetFunction(L, "sha1hex", Sha1hex);
  SetFunction(L, "error_reply", ErrorReply);
  SetFunction(L, "status_reply", StatusReply);
  SetFunction(L, "set_repl", SetRepl);
  SetNumber(L, "REPL_NONE", kReplNone);
  SetNumber(L, "REPL_AOF", kReplAof);
  SetNumber(L, "REPL_SLAVE", kReplReplicas);
  SetNumber(L, "REPL_REPLICA", kReplReplicas);
  SetNumber(L, "REPL_ALL", kReplAll);
  SetFunction(L, "acl_check_cmd", AclCheckCmd);
  SetFunction(L, "breakpoint", Breakpoint);
  SetFunction(L, "debug", Debug);
  SetFunction(L, "replicate_commands", ReplicateCommands);
  lua_setglobal(L, "redis");

  lua_getglobal(L, "math");
  SetFunction(L, "random", MathRandom);
  SetFunction(L, "randomseed", MathRandomseed);
  lua_pop(L, 1);
}

}  // namespace vigil::datanode
