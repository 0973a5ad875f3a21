// Service::Admit: the checks Redis's processCommand makes before a command runs, in Redis's
// order (protected commands, authentication, MULTI, ACL, maxmemory, persistence errors,
// min-replicas, read-only replica, fence, replica links, RESP2 subscribed context, stale data,
// loading, busy script).
#include <algorithm>
#include <cstring>

#include "datanode/commands/command_context.h"
#include "datanode/replication/replication_control.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

bool AllowedInSubscribedContext(const std::string& name) {
  return name == "subscribe" || name == "psubscribe" || name == "unsubscribe" ||
         name == "punsubscribe" || name == "ping" || name == "quit" || name == "reset" ||
         name == "ssubscribe" || name == "sunsubscribe";
}

constexpr const char* kMisconfRdbError =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";

}  // namespace

bool Service::EnforceMaxmemory() {
  if (config_->maxmemory <= 0 || !used_memory_fn_) return true;
  // A paused dataset stays as it is; Redis then neither evicts nor refuses with -OOM.
  if (pause_.paused()) return true;
  if (used_memory() <= config_->maxmemory) return true;  // the common case skips the walk
  auto over = [this] { return used_memory() - ReplicaOutputBytes() - config_->maxmemory; };
  return keyspace_.EvictUntil(
      over, [this] { return used_memory(); }, now_ms_, int(config_->maxmemory_samples));
}

bool Service::OverMaxmemoryAfterAlloc(size_t bytes) const {
  if (config_->maxmemory <= 0 || !used_memory_fn_) return false;
  const int64_t used = used_memory();
  if (used + int64_t(bytes) <= config_->maxmemory) return false;
  // What eviction does not count (replica output buffers) does not count here either.
  return std::max<int64_t>(used - ReplicaOutputBytes(), 0) + int64_t(bytes) > config_->maxmemory;
}

bool Service::Admit(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv,
                    size_t argc, resp::ReplyWriter& w) {
  // A script that declares flags (every function does) is admitted by them, as Redis's
  // getCommandFlags: a writing one is refused on a read-only replica before it starts.
  const uint32_t f = ScriptAwareFlags(spec, argv);
  rejecting_exec_ = spec.name == "exec";
  // EXEC is checked as what it queued (Redis's mstate.cmd_flags and cmd_inv_flags): a write,
  // deny-oom or stale-denied command in the queue makes EXEC one, since the server's state may
  // have changed since the command was queued.
  uint32_t queued_any = 0;
  uint32_t queued_lacks = 0;
  if (rejecting_exec_) {
    for (const auto& q : s.queued) {
      const CommandSpec* c = table_->FindRequest(q);
      if (c == nullptr) continue;
      const uint32_t qf = ScriptAwareFlags(*c, q);
      queued_any |= qf;
      queued_lacks |= ~qf;
    }
  }
  const bool is_write = ((f | queued_any) & kCmdWrite) != 0;
  const bool is_denyoom = ((f | queued_any) & kCmdDenyOom) != 0;
  const bool is_denystale = !(f & kCmdStale) || (queued_lacks & kCmdStale) != 0;
  const bool is_denyloading = !(f & kCmdLoading) || (queued_lacks & kCmdLoading) != 0;
  if (f & kCmdProtected) {
    // DEBUG and MODULE's loading subcommands, each behind its own enable-*-command option.
    const bool is_debug = spec.name == "debug";
    const int allowed = is_debug ? config_->enable_debug_command : config_->enable_module_command;
    if (allowed != 1 && !(allowed == 2 && IsLocalClient(s))) {
      Reject(s, w,
             "ERR " + std::string(is_debug ? "DEBUG" : "MODULE") + " command not allowed. If the " +
                 (is_debug ? "enable-debug-command" : "enable-module-command") +
                 " option is set to \"local\", you can run it from a local connection, "
                 "otherwise you need to set this option in the configuration file, and then "
                 "restart the server.");
      return false;
    }
  }
  if (AuthRequired(s) && !(f & kCmdNoAuth)) {
    Reject(s, w, "NOAUTH Authentication required.");
    return false;
  }
  if (s.in_multi && (f & kCmdNoMulti)) {
    Reject(s, w, "ERR Command not allowed inside a transaction");
    return false;
  }
  if (!AdmitAcl(s, spec, argv, argc, w)) return false;
  // Every command may evict first, as Redis's processCommand; only deny-oom ones are refused
  // when that cannot make room. Keys evicted now are reported to trackers before the reply.
  if (!s.is_master_link && config_->maxmemory > 0 && !ScriptTimedOut()) {
    const bool fits = EnforceMaxmemory();
    FlushTrackingPending();
    if (is_denyoom && !fits) {
      Reject(s, w, "OOM command not allowed when used memory > 'maxmemory'.");
      return false;
    }
  }
  TrackingLimitUsedSlots();
  if (persistence_error && config_->stop_writes_on_bgsave_error && !config_->save.empty() &&
      !s.is_master_link && (is_write || spec.name == "ping")) {
    Reject(s, w, kMisconfRdbError);
    return false;
  }
  if (!aof.last_write_ok && config_->appendonly && !s.is_master_link &&
      (is_write || spec.name == "ping")) {
    Reject(s, w,
           std::string("MISCONF Errors writing to the AOF file: ") +
               std::strerror(aof.last_write_errno));
    return false;
  }
  if (is_write && !s.is_master_link && replication_ != nullptr &&
      !replication_->EnoughGoodReplicas()) {
    Reject(s, w, "NOREPLICAS Not enough good replicas to write.");
    return false;
  }
  if (is_write && !s.is_master_link && keyspace_.replica_mode() && config_->replica_read_only) {
    Reject(s, w, "READONLY You can't write against a read only replica.");
    return false;
  }
  if (!FenceAllowsWrite(s, spec, w)) return false;
  // A replica (or a monitor, which Redis flags as one) must not touch the keyspace.
  if ((s.is_replica || s.monitor) && (is_write || (f & (kCmdReadonly | kCmdMayReplicate)) != 0)) {
    Reject(s, w, "ERR Replica can't interact with the keyspace");
    return false;
  }
  if (s.proto == 2 && s.subscription_count() > 0 && !AllowedInSubscribedContext(spec.name)) {
    std::string name = spec.name;
    Reject(s, w,
           "ERR Can't execute '" + name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
               "in this context");
    return false;
  }
  if (is_denystale && !s.is_master_link && replication_ != nullptr &&
      !config_->replica_serve_stale_data && replication_->MasterLinkDown()) {
    Reject(s, w,
           "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    return false;
  }
  if (loading_ && is_denyloading && !s.is_master_link) {
    Reject(s, w, "LOADING Redis is loading the dataset in memory");
    return false;
  }
  if (ScriptTimedOut() && !(f & kCmdAllowBusy)) {
    Reject(s, w, BusyError());
    return false;
  }
  rejecting_exec_ = false;
  return true;
}

}  // namespace vigil::datanode
