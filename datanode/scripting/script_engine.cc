#include "datanode/scripting/script_engine.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "common/base/sha1.h"
#include "datanode/scripting/lua_convert.h"
#include "datanode/scripting/lua_redis_api.h"
#include "datanode/scripting/lua_sandbox.h"
#include "datanode/scripting/script_flags.h"
#include "datanode/scripting/script_sha.h"

namespace vigil::datanode {
namespace {

// Redis runs a small incremental GC step every 50 scripts.
constexpr int kGcCyclePeriod = 50;
// rand48's state before any seed (Redis's rand.c starts from the classic constants).
constexpr uint64_t kRand48Initial = 0x1234ABCD330EULL;

void PushArray(lua_State* L, std::span<const std::string> items) {
  lua_createtable(L, int(items.size()), 0);
  for (size_t j = 0; j < items.size(); ++j) {
    lua_pushlstring(L, items[j].data(), items[j].size());
    lua_rawseti(L, -2, int(j + 1));
  }
}

// Raw reads: a metamethod raising an error here would be outside any protected call.
std::string FieldString(lua_State* L, const char* name, bool* present) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  *present = lua_isstring(L, -1) != 0;
  std::string out;
  if (*present) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    out.assign(s, len);
  }
  lua_pop(L, 1);
  return out;
}

// Redis checks for a busy script every 100,000 Lua instructions.
constexpr int kBusyHookInstructions = 100000;

void BusyHook(lua_State* L, lua_Debug*) {
  ScriptEngine* e = EngineOf(L);
  ScriptRun* run = e != nullptr ? e->current_run() : nullptr;
  if (run == nullptr || !run->host->ScriptInterrupt(*run)) return;
  // From now on every line raises again, so a pcall in the script cannot swallow the kill.
  lua_sethook(L, BusyHook, LUA_MASKLINE, 0);
  PushErrorTable(L, "Script killed by user with SCRIPT KILL...");
  lua_error(L);
}

// The Lua debugger's stops (every line, and a count hook for loops that never reach a stop).
void DebugHook(lua_State* L, lua_Debug* ar) {
  ScriptEngine* e = EngineOf(L);
  if (e == nullptr) return;
  const char* raise = e->debugger().OnHook(L, ar, e->current_run());
  if (raise == nullptr) return;
  PushErrorTable(L, raise);
  lua_error(L);
}

bool ErrorStatsIgnored(lua_State* L) {
  lua_pushstring(L, "ignore_error_stats_update");
  lua_rawget(L, -2);
  const bool ignored = lua_isboolean(L, -1) && lua_toboolean(L, -1);
  lua_pop(L, 1);
  return ignored;
}

}  // namespace

std::string Sha1Hex(std::string_view body) {
  const Sha1::Digest d = Sha1::Of(body);
  return HexLower(d.data(), d.size());
}

ScriptEngine::ScriptEngine() : rand48_(kRand48Initial) {
  CreateState();
}

ScriptEngine::~ScriptEngine() {
  if (L_ != nullptr) lua_close(L_);
}

void ScriptEngine::CreateState() {
  L_ = NewSandboxedLua(RegisterRedisApi, this);
}

void ScriptEngine::Flush() {
  lua_close(L_);
  scripts_.clear();
  scripts_memory_ = 0;
  CreateState();
}

size_t ScriptEngine::lua_memory() const {
  return size_t(lua_gc(L_, LUA_GCCOUNT, 0)) * 1024 + size_t(lua_gc(L_, LUA_GCCOUNTB, 0));
}

const ScriptEngine::Script* ScriptEngine::Find(std::string_view sha) const {
  if (sha.size() != 40) return nullptr;
  auto it = scripts_.find(LowerSha(sha));
  return it == scripts_.end() ? nullptr : &it->second;
}

std::string ScriptEngine::Load(std::string_view body, std::string* err) {
  std::string sha = Sha1Hex(body);
  if (scripts_.count(sha) != 0) return sha;
  uint32_t flags = 0;
  size_t shebang_len = 0;
  std::string shebang_err;
  if (!ParseShebang(body, &flags, &shebang_len, &shebang_err)) {
    *err = "ERR " + shebang_err;
    return "";
  }
  RestoreGlobals(L_);
  // The shebang line is skipped but its newline kept, so line numbers stay the user's.
  if (luaL_loadbuffer(L_, body.data() + shebang_len, body.size() - shebang_len, "@user_script") !=
      0) {
    *err = std::string("ERR Error compiling script (new function): ") + lua_tostring(L_, -1);
    lua_pop(L_, 1);
    return "";
  }
  lua_setfield(L_, LUA_REGISTRYINDEX, ("f_" + sha).c_str());
  scripts_memory_ += sha.size() + body.size();
  scripts_.emplace(sha, Script{flags});
  return sha;
}

void ScriptEngine::Run(ScriptRun& run, std::string_view sha, std::span<const std::string> keys,
                       std::span<const std::string> args, resp::ReplyWriter& w) {
  lua_State* L = L_;
  RestoreGlobals(L);
  lua_getglobal(L, "__redis__err__handler");
  lua_getfield(L, LUA_REGISTRYINDEX, ("f_" + LowerSha(sha)).c_str());
  current_ = &run;
  PushArray(L, keys);
  SetProtectedGlobal(L, "KEYS");
  PushArray(L, args);
  SetProtectedGlobal(L, "ARGV");
  CallPrepared(run, 0, w);
}

void ScriptEngine::RunRef(ScriptRun& run, int ref, std::span<const std::string> keys,
                          std::span<const std::string> args, resp::ReplyWriter& w) {
  lua_State* L = L_;
  RestoreGlobals(L);
  lua_getglobal(L, "__redis__err__handler");
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  current_ = &run;
  PushArray(L, keys);
  PushArray(L, args);
  CallPrepared(run, 2, w);
}

void ScriptEngine::CallPrepared(ScriptRun& run, int nargs, resp::ReplyWriter& w) {
  lua_State* L = L_;
  const bool debugging = debugger_.active();
  if (debugging) {
    lua_sethook(L, DebugHook, LUA_MASKLINE | LUA_MASKCOUNT, kBusyHookInstructions);
  } else if (run.busy_threshold_ms > 0) {
    lua_sethook(L, BusyHook, LUA_MASKCOUNT, kBusyHookInstructions);
  }
  const int status = lua_pcall(L, nargs, 1, -2 - nargs);
  if (debugging || run.busy_threshold_ms > 0) lua_sethook(L, nullptr, 0, 0);
  if (++gc_count_ == kGcCyclePeriod) {
    lua_gc(L, LUA_GCSTEP, kGcCyclePeriod);
    gc_count_ = 0;
  }
  if (status != 0) {
    if (!lua_istable(L, -1)) {
      const char* msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
      std::string text(msg);
      if (text.size() > 100) text.resize(100);
      w.Error("ERR Error running script " + run.funcname + ", " + text);
    } else {
      bool has_msg = false, has_source = false, has_line = false;
      std::string msg = FieldString(L, "err", &has_msg);
      std::string source = FieldString(L, "source", &has_source);
      std::string line = FieldString(L, "line", &has_line);
      if (has_line && has_source) {
        msg += " script: " + run.funcname + ", on " + source + ":" + line + ".";
      }
      if (ErrorStatsIgnored(L)) run.caller->error_uncounted = true;
      w.Error(msg);
    }
    lua_pop(L, 1);
  } else {
    if (lua_istable(L, -1)) {
      lua_pushstring(L, "err");
      lua_rawget(L, -2);
      const bool is_error = lua_type(L, -1) == LUA_TSTRING;
      lua_pop(L, 1);
      if (is_error && ErrorStatsIgnored(L)) run.caller->error_uncounted = true;
    }
    WriteLuaAsReply(L, w, run.resp);
  }
  lua_pop(L, 1);  // the error handler
  current_ = nullptr;
}

}  // namespace vigil::datanode
