#pragma once
// One script invocation as the engine and the dispatcher share it: who called, the session the
// script's commands run as, what the script may do, and what it did (Redis's scriptRunCtx).
#include <cstdint>
#include <string>
#include <vector>

#include "datanode/service/session.h"

namespace vigil::datanode {

enum ScriptRunFlag : uint32_t {
  kRunReadOnly = 1 << 0,    // EVAL_RO, or a no-writes script: write commands are refused
  kRunAllowOom = 1 << 1,    // allow-oom: deny-oom commands run over maxmemory
  kRunWriteDirty = 1 << 2,  // a write ran: later server-state checks no longer apply
  kRunAllowCrossSlot = 1 << 3,
};

// Where a script's writes go (redis.set_repl): Redis's PROPAGATE_AOF and PROPAGATE_REPL.
enum ScriptRepl : int { kReplNone = 0, kReplAof = 1, kReplReplicas = 2, kReplAll = 3 };

struct ScriptRun;

// What the engine needs from the data node while a script runs.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // Runs argv as the script's session. The reply is left in run.client->out; a refusal by the
  // script checks (unknown command, noscript, ACL, read-only ...) sets *err instead.
  virtual void ScriptCall(ScriptRun& run, const std::vector<std::string>& argv,
                          std::string* err) = 0;
  // redis.acl_check_cmd: 1 when the caller's user may run argv, 0 when not, -1 for an unknown
  // command.
  virtual int ScriptAclCheck(ScriptRun& run, const std::vector<std::string>& argv) = 0;
  // redis.log: Redis's levels 0 (debug) to 3 (warning).
  virtual void ScriptLog(int level, const std::string& line) = 0;
  // Called every few thousand Lua instructions while a run has busy_threshold_ms set: past the
  // threshold the host serves other clients a little (Redis's scriptInterrupt). True when the
  // run must stop (SCRIPT KILL / FUNCTION KILL).
  virtual bool ScriptInterrupt(ScriptRun& run) = 0;
  // The host's monotonic clock, in microseconds (a run's start_us is on it).
  virtual int64_t ScriptClockUs() = 0;
};

struct ScriptRun {
  ScriptHost* host = nullptr;
  Session* caller = nullptr;  // the client that sent EVAL
  Session* client = nullptr;  // the session redis.call runs commands as
  std::string funcname;       // the script's sha1 (EVAL) for error contexts
  uint32_t flags = 0;         // ScriptRunFlag
  int repl = kReplAll;
  bool oom_at_start = false;  // used memory was over maxmemory when the script started
  int resp = 2;               // redis.setresp
  // Busy scripts (Redis's busy-reply-threshold): 0 never interrupts the run.
  bool eval_mode = true;  // EVAL/EVALSHA, as opposed to FCALL (which KILL applies)
  int64_t busy_threshold_ms = 0;
  int64_t start_us = 0;    // the host's monotonic clock when the run started
  bool timed_out = false;  // past the threshold: other clients are answered -BUSY
  bool killed = false;     // SCRIPT KILL / FUNCTION KILL asked it to stop
  const std::vector<std::string>* caller_argv = nullptr;  // FUNCTION STATS shows the command
  size_t caller_argc = 0;
};

}  // namespace vigil::datanode
