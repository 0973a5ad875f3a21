#pragma once
// FunctionStore: the FUNCTION libraries of the data node (Redis's functions.c with its Lua
// engine, function_lua.c). A library is the code FUNCTION LOAD received, `#!lua name=<lib>`
// first; running it once in the load environment (only redis.register_function, redis.log and
// the version fields are reachable) registers its functions, which stay in the interpreter's
// registry and run later with FCALL. The libraries share one interpreter of their own, sandboxed
// and with the `redis` API exactly as EVAL's (a ScriptEngine used for its state and runner).
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/resp/reply_writer.h"
#include "datanode/scripting/script_engine.h"

struct lua_State;
struct lua_Debug;

namespace vigil::datanode {

class FunctionStore {
 public:
  struct Function {
    std::string name;
    std::string description;
    bool has_description = false;
    uint32_t flags = 0;  // ScriptFlag
    int ref = -1;        // the callback in the interpreter's registry
    std::string library;
  };
  struct Library {
    std::string name;
    std::string code;                 // the whole FUNCTION LOAD body, shebang included
    std::vector<Function> functions;  // sorted by name
  };
  // How FUNCTION RESTORE treats libraries that already exist.
  enum class RestorePolicy { kAppend, kReplace, kFlush };

  FunctionStore();
  ~FunctionStore();
  FunctionStore(const FunctionStore&) = delete;
  FunctionStore& operator=(const FunctionStore&) = delete;

  // Microseconds of a monotonic clock, for FUNCTION LOAD's timeout (none when unset).
  void set_clock_us(std::function<int64_t()> fn) { clock_us_ = std::move(fn); }

  // FUNCTION LOAD: compiles and registers `code`; returns the library name, or "" with *err set
  // to Redis's message (without the "ERR " code). `timeout_ms` 0 means no limit.
  std::string Load(std::string_view code, bool replace, int64_t timeout_ms, std::string* err);
  bool Delete(std::string_view library);
  void Flush();
  // FUNCTION RESTORE / loading a snapshot: every library in `codes`, all or nothing.
  bool Restore(const std::vector<std::string>& codes, RestorePolicy policy, std::string* err);

  // The function of this name (any letter case), or null.
  const Function* Find(std::string_view name) const;
  void Run(ScriptRun& run, const Function& fn, std::span<const std::string> keys,
           std::span<const std::string> args, resp::ReplyWriter& w);

  const std::map<std::string, Library>& libraries() const { return libraries_; }
  // The codes of every library, in the order snapshots and FUNCTION DUMP write them.
  std::vector<std::string> Codes() const;
  size_t function_count() const { return by_name_.size(); }
  size_t library_count() const { return libraries_.size(); }
  // used_memory_vm_functions: the interpreter's heap.
  size_t lua_memory() const { return engine_.lua_memory(); }
  // used_memory_functions: what the libraries and their index take besides the interpreter.
  size_t overhead_memory() const;
  ScriptEngine& engine() { return engine_; }

  // For redis.register_function, while a library's code runs: the library being built.
  Library* loading() { return loading_; }

 private:
  bool Compile(std::string_view code, int64_t timeout_ms, Library* out, std::string* err);
  void Release(Library& lib);
  void Link(Library lib);
  void Unlink(const std::string& name);

  ScriptEngine engine_;
  std::map<std::string, Library> libraries_;
  std::unordered_map<std::string, std::pair<std::string, size_t>> by_name_;  // lowercase name
  Library* loading_ = nullptr;
  std::function<int64_t()> clock_us_;
  int64_t load_start_us_ = 0;
  int64_t load_timeout_ms_ = 0;

  friend int FunctionLoadHook(struct lua_State* L);
  friend void FunctionLoadTimeoutHook(struct lua_State* L, struct lua_Debug* ar);
};

// Splits FUNCTION LOAD's shebang: the engine name (after "#!") and the library name. On failure
// *err holds Redis's message. *body_at is where the code after the shebang line starts (at its
// newline, so line numbers stay the user's).
bool ParseLibraryMetadata(std::string_view code, std::string* engine, std::string* name,
                          size_t* body_at, std::string* err);

}  // namespace vigil::datanode
