#pragma once
// ScriptEngine: the Lua interpreter of the data node and its script cache (Redis's eval.c).
// Scripts are cached by the SHA1 of their body, compiled once into a Lua function kept in the
// registry as f_<sha>, and run with KEYS and ARGV set. The engine knows nothing of the keyspace:
// commands a script calls go back to the data node through the run's ScriptHost.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/resp/reply_writer.h"
#include "datanode/scripting/lua_debugger.h"
#include "datanode/scripting/script_run.h"

struct lua_State;

namespace vigil::datanode {

class ScriptEngine {
 public:
  // A cached script: its compiled function lives in the interpreter's registry. The body itself
  // is not kept (nothing reads it back; Redis keeps it only for replication Vigil does not do).
  struct Script {
    uint32_t flags = 0;  // ScriptFlag
  };

  ScriptEngine();
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // Compiles and caches `body` (a cached body is not compiled again). Returns the sha1, or ""
  // with *err set to the whole error reply text ("ERR Error compiling script ...").
  std::string Load(std::string_view body, std::string* err);
  // The cached script with this sha1 (any letter case), or null.
  const Script* Find(std::string_view sha) const;
  // SCRIPT FLUSH: forgets every script and starts a fresh interpreter.
  void Flush();

  // Runs a cached script (Find(sha) != null) and writes its reply with `w` (the caller's
  // protocol). `run` must stay valid for the call.
  void Run(ScriptRun& run, std::string_view sha, std::span<const std::string> keys,
           std::span<const std::string> args, resp::ReplyWriter& w);

  // Runs the function kept in the registry under `ref` (a FUNCTION library's), with the keys and
  // arguments passed as its two arguments instead of the KEYS and ARGV globals.
  void RunRef(ScriptRun& run, int ref, std::span<const std::string> keys,
              std::span<const std::string> args, resp::ReplyWriter& w);

  // The interpreter, for the function libraries that share this engine's sandbox and API.
  lua_State* lua() const { return L_; }
  ScriptRun* current_run() const { return current_; }
  bool running() const { return current_ != nullptr; }
  size_t script_count() const { return scripts_.size(); }
  // Bytes of the cached bodies and their keys, as Redis's used_memory_scripts_eval counts them.
  size_t scripts_memory() const { return scripts_memory_; }
  // Bytes the Lua heap holds (used_memory_lua).
  size_t lua_memory() const;
  // SCRIPT DEBUG: the session of the EVAL being debugged, if any.
  LuaDebugger& debugger() { return debugger_; }
  // Redis's redisLrand48 state behind math.random, shared by every script as in Redis.
  uint64_t& rand48() { return rand48_; }

 private:
  void CreateState();
  // Calls the function under the error handler on the stack and writes its reply.
  void CallPrepared(ScriptRun& run, int nargs, resp::ReplyWriter& w);

  lua_State* L_ = nullptr;
  std::unordered_map<std::string, Script> scripts_;
  size_t scripts_memory_ = 0;
  ScriptRun* current_ = nullptr;
  LuaDebugger debugger_;
  uint64_t rand48_ = 0;
  int gc_count_ = 0;
};

// Lowercase hex SHA1 of `body`, as redis.sha1hex and the script cache name scripts.
std::string Sha1Hex(std::string_view body);

}  // namespace vigil::datanode
