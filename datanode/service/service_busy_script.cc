// Busy scripts (Redis's scriptInterrupt and scriptKill): a script or function that runs past
// busy-reply-threshold keeps running, but from then on the shell serves the other clients
// between Lua instructions. They get -BUSY for everything except the few allow_busy commands
// (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, HELLO, MULTI/DISCARD/WATCH, ...), so an
// operator can stop a runaway script without restarting the node.
#include <string>

#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kBusyEval =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
constexpr const char* kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

}  // namespace

const char* Service::BusyError() const {
  return script_run_ != nullptr && !script_run_->eval_mode ? kBusyFunction : kBusyEval;
}

bool Service::ScriptInterrupt(ScriptRun& run) {
  if (run.killed) return true;  // unwinding: every line raises until the script is out
  if (!run.timed_out) {
    const int64_t elapsed_ms = (clock_us() - run.start_us) / 1000;
    if (elapsed_ms < run.busy_threshold_ms) return false;
    run.timed_out = true;
    if (hooks_ != nullptr) {
      hooks_->LogWarning("Slow script detected: still in execution after " +
                         std::to_string(elapsed_ms) +
                         " milliseconds. You can try killing the script using the " +
                         (run.eval_mode ? "SCRIPT KILL" : "FUNCTION KILL") +
                         " command. Script name is: " + run.funcname + ".");
    }
  }
  // Serving clients runs commands on this same service, nested inside the script's command:
  // Admit refuses all but the allow_busy ones, which touch no data.
  if (hooks_ != nullptr && run.caller != nullptr) hooks_->ProcessEventsWhileBusy(*run.caller);
  if (run.killed && hooks_ != nullptr) {
    hooks_->LogWarning("Lua script killed by user with SCRIPT KILL.");
  }
  return run.killed;
}

void Service::KillScript(bool is_eval, resp::ReplyWriter& w) {
  ScriptRun* run = script_run_;
  if (run == nullptr) return w.Error("NOTBUSY No scripts in execution right now.");
  if (run->caller->is_master_link) {
    return w.Error(
        "UNKILLABLE The busy script was sent by a master instance in the context of replication "
        "and cannot be killed.");
  }
  if (run->flags & kRunWriteDirty) {
    return w.Error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You "
        "can either wait the script termination or kill the server in a hard way using the "
        "SHUTDOWN NOSAVE command.");
  }
  // Each kind is killed by its own command; the other one answers as a busy server would.
  if (is_eval != run->eval_mode) return w.Error(BusyError());
  run->killed = true;
  w.Ok();
}

}  // namespace vigil::datanode
