#pragma once
// Service: executes requests against the keyspace (the Dragonfly "service" seam). It applies
// Redis's dispatch checks in Redis's order, runs the command, queues it inside MULTI, serves
// clients blocked on keys the command touched, delivers pub/sub messages and hands writes to
// the propagator (AOF, replicas). It owns no socket and reads no clock: the network shell sets
// the time, feeds requests and drains each session's output.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/config/option_registry.h"
#include "common/fs/file_system.h"
#include "common/resp/reply_writer.h"
#include "datanode/acl/acl_log.h"
#include "datanode/acl/acl_store.h"
#include "datanode/commands/command_table.h"
#include "datanode/config/datanode_config.h"
#include "datanode/persistence/aof_status.h"
#include "datanode/persistence/fork_status.h"
#include "datanode/persistence/rdb_status.h"
#include "datanode/replication/replication_history.h"
#include "datanode/replication/sentinel_directory.h"
#include "datanode/replication/sentinel_fence.h"
#include "datanode/scripting/function_store.h"
#include "datanode/scripting/script_engine.h"
#include "datanode/service/client_pause.h"
#include "datanode/service/debug_settings.h"
#include "datanode/service/key_tracking.h"
#include "datanode/service/key_waiters.h"
#include "datanode/service/latency_monitor.h"
#include "datanode/service/pubsub_registry.h"
#include "datanode/service/server_stats.h"
#include "datanode/service/session.h"
#include "datanode/service/slow_log.h"
#include "datanode/store/keyspace.h"

namespace vigil::datanode {

class ReplicationControl;
class MigrateLink;

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] (and the shutdown-on-sigterm/sigint flags).
struct ShutdownRequest {
  bool save = false;
  bool nosave = false;
  bool now = false;  // do not wait for lagging replicas
  bool force = false;
  bool abort = false;
};

// What only the process shell can do; commands reach it through Service::hooks().
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  // SHUTDOWN from `s` (null for a signal). Returns an error reply text, or "" when the server
  // exits, when `s` was blocked until the shutdown ends (s->block.active; it is answered only if
  // the shutdown fails or is aborted), or, for ABORT, when a shutdown was cancelled.
  virtual std::string Shutdown(Session* s, const ShutdownRequest& request) = 0;
  // CONFIG REWRITE.
  virtual Status RewriteConfig() = 0;
  // Process facts for INFO (rss, cpu, uptime, ports, config file).
  virtual void FillProcessInfo(ProcessInfo* info) const = 0;
  // A setting changed through CONFIG SET that the shell acts on (loglevel, maxclients, ...).
  virtual void OnConfigChanged(const std::string& name) = 0;
  // A changed setting the shell may fail to apply (appendonly yes needs a rewrite child): an
  // error makes CONFIG SET restore the old values and fail, as Redis's apply functions do.
  virtual Status ApplyConfig(const std::string& name) {
    (void)name;
    return Status::Ok();
  }
  // BGREWRITEAOF: "" when the rewrite started, else the error reply text.
  virtual std::string BgRewriteAof() { return "ERR Background AOF rewriting is not available"; }
  // SAVE: "" when the snapshot is on disk, else the error reply text.
  virtual std::string Save() { return "ERR"; }
  // FLUSHALL (Redis's flushAllDataAndResetRDB): a BGSAVE child is killed, its snapshot holding
  // flushed data, and with save points the empty dataset is saved at once. True if it saved.
  virtual bool FlushAllResetRdb() { return false; }
  // BGSAVE [SCHEDULE]: the status reply ("Background saving started") or an error reply text.
  virtual Result<std::string> BgSave(bool schedule) {
    (void)schedule;
    return Status::Error("ERR Background saving is not available");
  }
  // DEBUG RELOAD: save the RDB (unless !save), empty the dataset (unless !flush) and load the
  // file back; `merge` lets loaded keys replace existing ones. "" or the error reply text.
  virtual std::string DebugReload(bool save, bool flush, bool merge) {
    (void)save, (void)flush, (void)merge;
    return "ERR DEBUG RELOAD is not available";
  }
  // DEBUG LOADAOF: write the AOF buffer, empty the dataset and replay the AOF files.
  virtual std::string DebugLoadAof() { return "ERR DEBUG LOADAOF is not available"; }
  // DEBUG CHANGE-REPL-ID: a new replication id, the secondary one cleared.
  virtual void ChangeReplicationId() {}
  // DEBUG REPLICATE: sends `argv` to the replicas only (not to the AOF).
  virtual void ReplicateToReplicas(const std::vector<std::string>& argv) { (void)argv; }
  // DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every option.
  virtual Status RewriteConfigForceAll() { return RewriteConfig(); }
  // DEBUG LOG: one line in the server log at warning level.
  virtual void LogWarning(const std::string& line) { (void)line; }
  // 32 unpredictable bits from the OS (ACL GENPASS): the service's own generator is seeded and
  // replayable, which a password must not be.
  virtual uint32_t SecureRandom32() = 0;
  // DEBUG LISTPACK / QUICKLIST: Redis prints the structure on the process's stdout.
  virtual void PrintToStdout(const std::string& text) { (void)text; }
  // redis.log from a script, at Redis's level 0 (debug) to 3 (warning).
  virtual void LogAtLevel(int level, const std::string& line) {
    if (level >= 3) LogWarning(line);
  }
  // MIGRATE's link to host:port: a cached one or a new connection made within timeout_ms; null
  // when it cannot be made. MigrateCloseLink drops it after an error, so the next is fresh.
  virtual MigrateLink* MigrateGetLink(const std::string& host, const std::string& port,
                                      int64_t timeout_ms) {
    (void)host, (void)port, (void)timeout_ms;
    return nullptr;
  }
  virtual void MigrateCloseLink(const std::string& host, const std::string& port) {
    (void)host, (void)port;
  }
  // A script past busy-reply-threshold: serve the other clients' pending events once (Redis's
  // processEventsWhileBlocked), never `caller`'s, whose command is the script.
  virtual void ProcessEventsWhileBusy(const Session& caller) { (void)caller; }
  // The Lua debugger (SCRIPT DEBUG) talks to its client directly. kRun: debug the EVAL here,
  // over *channel (SYNC, or in the child a forked session runs in); kHandedOff: a forked child
  // has the client now and this process lets go of it; kFailed: *error is the reply.
  enum class LuaDebugStart { kRun, kHandedOff, kFailed };
  virtual LuaDebugStart StartLuaDebug(Session& s, bool forked, DebugChannel** channel,
                                      std::string* error) {
    (void)s, (void)forked, (void)channel;
    *error = "ERR the Lua debugger needs a client connection";
    return LuaDebugStart::kFailed;
  }
  // The session's last logs went out. A forked child writes the EVAL's reply and exits; in
  // SYNC mode the connection goes back to the event loop.
  virtual void EndLuaDebug(Session& s, bool forked) { (void)s, (void)forked; }
};

// Receives every change to the data set in execution order (the AOF and replication feed).
class Propagator {
 public:
  virtual ~Propagator() = default;
  virtual void Propagate(int db, const std::vector<std::string>& argv) = 0;
  // Which feed this is (a ScriptRepl bit: the AOF or the replicas), for redis.set_repl.
  virtual int target() const { return kReplAll; }
};

class Service final : public KeyspaceListener, public ScriptHost {
 public:
  Service(DatanodeConfig* config, config::OptionRegistry* options, uint64_t seed);
  ~Service() override;

  // --- called by the shell ---
  void set_now(int64_t unix_ms) { now_ms_ = unix_ms; }
  int64_t now_ms() const { return now_ms_; }
  // Monotonic time for the sentinel fence; set with set_now before executing requests.
  void set_mono_now(MonoTime now) { mono_now_ = now; }
  MonoTime mono_now() const { return mono_now_; }
  // The loop's fence heartbeat (the shell calls it every 100 ms): stall detection and the
  // fence's own deadlines.
  void FenceTick(MonoTime now);
  void AttachSession(Session* s);
  void DetachSession(Session* s);
  // Runs one request; its reply lands in s.out (unless the session blocks).
  void Execute(Session& s, const std::vector<std::string>& argv, size_t argc);
  // Periodic work: active expiry, blocked-client timeouts. Call hz times a second.
  void Cron();
  // --- client pause (service_pause.cc): CLIENT PAUSE, SHUTDOWN and FAILOVER waits ---
  // While paused, a request the pause covers is held (the session is marked blocked, the
  // request kept in s.block.argv) and runs through Execute once the pause loosens. Expiry and
  // eviction stand still meanwhile, as in Redis.
  void PauseClients(PausePurpose purpose, int64_t end_ms, PauseType type);
  void UnpauseClients(PausePurpose purpose);
  // Ends the pauses whose time passed and runs the held requests if the pause loosened. The
  // shell calls it every few milliseconds while clients are paused.
  void CheckClientPause();
  const ClientPause& client_pause() const { return pause_; }
  size_t postponed_count() const { return postponed_.size(); }
  // Sessions other than the caller that received output (pub/sub, unblocked clients).
  std::vector<Session*> TakeWoken();
  const std::vector<Session*>& woken() const { return woken_; }
  void set_hooks(ServerHooks* h) { hooks_ = h; }
  // Where whole-file reads and replacements go (the ACL file): an in-memory one until the shell
  // hands over the disk.
  void set_file_system(FileSystem* fs) { fs_ = fs; }
  FileSystem& file_system() { return *fs_; }
  // The replication machinery (the server shell's); null in in-process tests.
  void set_replication(ReplicationControl* r) { replication_ = r; }
  ReplicationControl* replication() { return replication_; }
  // The write feed's consumers, called in registration order (the AOF first, then replicas, as
  // in Redis). set_propagator replaces them all (tests); add_propagator appends.
  void set_propagator(Propagator* p) {
    propagators_.clear();
    if (p != nullptr) propagators_.push_back(p);
  }
  void add_propagator(Propagator* p) { propagators_.push_back(p); }
  void remove_propagator(Propagator* p) { std::erase(propagators_, p); }
  // Used memory as the shell measures it (allocator counter); for maxmemory and INFO.
  void set_used_memory_fn(std::function<int64_t()> fn) { used_memory_fn_ = std::move(fn); }
  int64_t used_memory() const { return used_memory_fn_ ? used_memory_fn_() : 0; }
  // Output queued for replicas. Redis leaves it out of maxmemory (evicting would queue DELs for
  // them, which would grow it further) and reports it as mem_clients_slaves. Walks the sessions.
  int64_t ReplicaOutputBytes() const;
  // Whether `bytes` more would take used_memory over maxmemory (Redis's
  // overMaxmemoryAfterAlloc); the keyspace asks before growing a key table.
  bool OverMaxmemoryAfterAlloc(size_t bytes) const;
  // A master turning into a replica answers every blocked client with -UNBLOCKED and closes it,
  // as Redis does: served later from the master's stream, it would pop on a replica.
  void DisconnectBlockedClients();
  // Ends `b`'s block with an -UNBLOCKED error, counted as Redis counts it: in errorstats, in
  // total_error_replies and as a failed call of the blocked command.
  void UnblockWithError(Session* b, const std::string& error);

  // --- used by commands ---
  Keyspace& keyspace() { return keyspace_; }
  DatanodeConfig& config() { return *config_; }
  config::OptionRegistry& options() { return *options_; }
  const CommandTable& commands() const { return *table_; }
  // --- ACL (service_acl.cc) ---
  AclStore& acl() { return acl_; }
  const AclCatalog& acl_catalog() const { return acl_catalog_; }
  AclLog& acl_log() { return acl_log_; }
  // Redis's authRequired: the default user needs a password (or is off) and `s` has not
  // authenticated.
  bool AuthRequired(const Session& s) const;
  // A loopback or unix-socket client (Redis's islocalClient): what the "local" setting of
  // enable-debug-command and enable-protected-configs allows.
  bool IsLocalClient(const Session& s) const;
  // `user` lines of the configuration and the aclfile, at start-up. An error names the line.
  Status LoadAclAtStartup();
  // `rename-command` lines, at start-up, before any request. An error names the line.
  Status ApplyCommandRenames();
  // The ACL command check for a request (args[0] is the command name); *errpos is the argument
  // refused for a key or channel.
  AclDenial CheckAcl(const Session& s, const CommandSpec& spec, std::span<const std::string> args,
                     int* errpos) const;
  const AclCommand* AclCommandOf(const CommandSpec& spec) const;
  // An ACL LOG entry for `s`; `object` and `username` default to what Redis logs.
  void LogAclDenial(Session& s, AclDenial reason, AclLogContext context, std::string object,
                    const std::string& username);
  // A deleted or replaced user: its sessions fall back to `default`, unauthenticated, and are
  // closed (`current` after its reply).
  void DisconnectUser(const AclUser* user, Session* current);
  // After ACL SETUSER: the user's subscribers that lost a channel are disconnected.
  void KillPubsubClientsIfNeeded(const AclUser& before, const AclUser& after, Session* current);
  // ACL LOAD / ACL SAVE against the aclfile: "" or the error reply text.
  std::string AclLoad(Session* current);
  std::string AclSave();
  // AUTH / HELLO AUTH: authenticates `s` or logs the failure (object: the command as typed).
  bool Authenticate(Session& s, const std::string& username, const std::string& password,
                    const std::string& command);
  PubSubRegistry& pubsub() { return pubsub_; }
  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency() { return latency_; }
  // The shell's monotonic clock in microseconds, for command durations (slow log, latency);
  // without one (in-process tests) every command takes 0 µs.
  void set_clock_us(std::function<int64_t()> fn) {
    clock_us_ = std::move(fn);
    functions_.set_clock_us([this] { return clock_us(); });
  }
  int64_t clock_us() const { return clock_us_ ? clock_us_() : 0; }
  // A latency event of `ms` milliseconds, kept if it reaches latency-monitor-threshold.
  void AddLatencySample(const char* event, int64_t ms);
  KeyWaiters& waiters() { return waiters_; }
  // WATCH's view of a key: absent, live, or present but past its TTL (Redis's keyIsExpired).
  KeyWaiters::KeyState WatchedKeyState(int db, const std::string& key);
  // FLUSHDB / FLUSHALL (db -1) / SWAPDB (replaced_with), called before the databases change.
  void TouchWatchedKeysInDb(int db, int replaced_with);
  ServerStats& stats() { return stats_; }
  // Brought in line with the configuration and the current role before it is returned.
  const SentinelFence& fence();
  // The sentinels that monitor this node (from their hellos), for the shutdown handoff.
  const SentinelDirectory& sentinel_directory() const { return sentinel_directory_; }
  ServerHooks* hooks() { return hooks_; }
  const std::map<uint64_t, Session*>& sessions() const { return sessions_; }
  const std::string& run_id() const { return run_id_; }
  // This node's replication ids, offset and backlog: the one copy, which the replication shell
  // (MasterLinks, ReplicaLink) changes and everything else reads.
  ReplicationHistory& history() { return history_; }
  const ReplicationHistory& history() const { return history_; }
  int64_t dirty() const { return dirty_; }
  void reset_dirty() { dirty_ = 0; }
  // After a BGSAVE: the changes made while the child wrote still count.
  void subtract_dirty(int64_t n) { dirty_ = std::max<int64_t>(0, dirty_ - n); }
  void NoteWoken(Session* s) { woken_.push_back(s); }
  // Redis's notifyKeyspaceEvent: publishes `event` about `key` of `db` on the
  // __keyspace@<db>__:<key> and __keyevent@<db>__:<event> channels, when `type` (a notify::
  // class) and the channel kind are enabled by notify-keyspace-events (keyspace_events.cc).
  void NotifyKeyspaceEvent(int type, std::string_view event, std::string_view key, int db);
  bool active_expire_enabled = true;  // DEBUG SET-ACTIVE-EXPIRE
  DebugSettings debug;                // the other DEBUG knobs
  // While set, writes reach neither the AOF nor replicas (DEBUG LOADAOF replays the AOF through
  // Execute, and replaying must not append the file to itself).
  void set_propagation_paused(bool v) { propagation_paused_ = v; }
  int64_t last_save_unix_s = 0;  // LASTSAVE
  // While the dataset loads, commands without the loading flag get -LOADING (sessions with the
  // master-link privilege, such as the AOF loader's, are exempt).
  // Keys do not expire while loading (as in Redis): replaying `INCR k` for a key whose TTL has
  // passed must act on the stored value, or the replay diverges from what was acknowledged.
  void set_loading(bool v) {
    loading_ = v;
    keyspace_.set_expiry_suspended(v);
  }
  bool loading() const { return loading_; }
  AofStatus aof;    // kept current by the shell's AOF code; read by INFO
  RdbStatus rdb;    // kept current by the shell's snapshot code; read by INFO
  ForkStatus fork;  // kept current by the shell's fork child slot; read by INFO
  // Set by the shell when the last BGSAVE failed: with stop-writes-on-bgsave-error and save
  // points configured, writes and PING then get -MISCONF (Admit).
  bool persistence_error = false;
  // Re-reads settings that live outside the config struct (eviction policy, LFU params).
  void ApplyConfig();
  // Runs a command with no dispatch checks (EXEC's queued commands, blocked re-runs).
  void Call(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv, size_t argc,
            bool in_exec);
  // EXEC brackets: writes inside are propagated wrapped in MULTI/EXEC.
  void BeginExec();
  void EndExec(int db);
  // Inside EXEC or a script: work that would fork now (BGREWRITEAOF, appendonly yes) is
  // scheduled for the cron instead, as Redis does with server.in_exec.
  bool in_exec() const { return in_exec_; }
  // PUBLISH reaches the replicas (not the AOF) so their subscribers get the message too, as
  // Redis's forceCommandPropagation(PROPAGATE_REPL); inside a script, redis.set_repl applies.
  void PropagateToReplicas(const Session& s, int db, const std::vector<std::string>& argv);

  // --- MONITOR (service_monitor.cc) ---
  // The shell's wall clock in microseconds, for the time stamp of MONITOR lines; without one
  // (in-process tests) now_ms() is used.
  void set_wall_clock_us(std::function<int64_t()> fn) { wall_clock_us_ = std::move(fn); }
  // MONITOR from `s`: from now on it receives every command the server runs.
  void StartMonitor(Session& s);
  void StopMonitor(Session& s);  // RESET
  size_t monitor_count() const { return monitors_.size(); }

  // --- client-side caching (service_tracking.cc) ---
  // CLIENT TRACKING ON: "" or the error reply text (options are checked against each other and
  // against the client's current mode, as Redis does, before anything changes).
  struct TrackingRequest {
    uint64_t redirect = 0;
    bool bcast = false;
    bool optin = false;
    bool optout = false;
    bool noloop = false;
    std::vector<std::string> prefixes;
  };
  std::string EnableTracking(Session& s, const TrackingRequest& request);
  void DisableTracking(Session& s);
  const KeyTracking& key_tracking() const { return tracking_; }
  size_t tracking_clients() const { return tracking_clients_; }
  // Redis's trackingInvalidateKey: `key` changed (by `modifier`, null for expiry and eviction).
  // `bcast` also reports it to BCAST clients (false when the table itself drops the key).
  void TrackingInvalidateKey(const Session* modifier, std::string_view key, bool bcast);
  // A flush: every tracking client is told that all its keys are invalid.
  void TrackingInvalidateAll();

  // --- scripting (service_script.cc) ---
  ScriptEngine& scripting() { return scripting_; }
  // Redis's scriptPrepareForRun: the up-front checks a script's flags call for (stale replica,
  // read-only replica, disk errors, *_RO, min-replicas, the fence, OOM). False with the error
  // written to `w`; else `run` is ready for RunScript.
  bool PrepareScriptRun(Session& caller, uint32_t script_flags, bool ro, resp::ReplyWriter& w,
                        ScriptRun* run);
  // Runs a cached script prepared by PrepareScriptRun; its writes reach replicas and the AOF
  // as one MULTI/EXEC (unless already inside EXEC), as Redis 7's effects replication does.
  void RunScript(ScriptRun& run, std::string_view sha, std::span<const std::string> keys,
                 std::span<const std::string> args, resp::ReplyWriter& w);
  // --- functions (service_script.cc) ---
  FunctionStore& functions() { return functions_; }
  // The script or function running now (EVAL's or FCALL's), or null.
  const ScriptRun* script_run() const { return script_run_; }
  // Runs a function prepared by PrepareScriptRun, as RunScript runs a script.
  void RunFunction(ScriptRun& run, const FunctionStore::Function& fn,
                   std::span<const std::string> keys, std::span<const std::string> args,
                   resp::ReplyWriter& w);
  // --- busy scripts (service_busy_script.cc) ---
  // A script has run past busy-reply-threshold: other clients get -BUSY except for the
  // commands flagged allow_busy, and the script can be killed.
  bool ScriptTimedOut() const { return script_run_ != nullptr && script_run_->timed_out; }
  // The -BUSY reply (without the dash) for the script running now.
  const char* BusyError() const;
  // SCRIPT KILL (is_eval) and FUNCTION KILL: Redis's scriptKill, its reply written to `w`.
  void KillScript(bool is_eval, resp::ReplyWriter& w);
  // ScriptHost: the threshold check and the shell's event pass while a script is busy.
  bool ScriptInterrupt(ScriptRun& run) override;
  int64_t ScriptClockUs() override { return clock_us(); }
  // An EVAL by a client in SCRIPT DEBUG mode: `eval` runs inside a Lua debugger session on the
  // client's connection (service_lua_debug.cc).
  void EvalWithDebugger(Session& s, std::string_view source, resp::ReplyWriter& w,
                        const std::function<void()>& eval);
  // The libraries of a snapshot being loaded replace ours (Redis empties them with the data).
  Status LoadSnapshotFunctions(
      const std::vector<std::string>& codes,
      FunctionStore::RestorePolicy policy = FunctionStore::RestorePolicy::kFlush);
  // ScriptHost
  void ScriptCall(ScriptRun& run, const std::vector<std::string>& argv, std::string* err) override;
  int ScriptAclCheck(ScriptRun& run, const std::vector<std::string>& argv) override;
  void ScriptLog(int level, const std::string& line) override;

  // KeyspaceListener
  void OnKeyExpired(int db, std::string_view key) override;
  void OnKeyEvicted(int db, std::string_view key) override;

 private:
  const CommandSpec* Resolve(Session& s, const std::vector<std::string>& argv, size_t argc,
                             resp::ReplyWriter& w);
  bool Admit(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv, size_t argc,
             resp::ReplyWriter& w);
  void Reject(Session& s, resp::ReplyWriter& w, const std::string& error);
  void ExecuteOne(Session& s, const std::vector<std::string>& argv, size_t argc);
  // ExecuteOne without the replica check (service_replica_replies.cc).
  void ExecuteRequest(Session& s, const std::vector<std::string>& argv, size_t argc);
  // The full name Redis logs for argv ("get", "xinfo|help"), "<unknown>" when none.
  std::string LoggedCommandName(const std::vector<std::string>& argv, size_t argc) const;
  static AclCatalog BuildAclCatalog(CommandTable* table);
  void ApplyAclConfig();
  bool AdmitAcl(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv,
                size_t argc, resp::ReplyWriter& w);
  void CloseSession(Session* s, Session* current);
  void ServeReadyKeys();
  void EmitPropagation(int db, const std::vector<std::string>& argv, int targets = kReplAll);
  bool EnforceMaxmemory();
  void SyncFence();
  // The fence's sentinels across restarts (fence_membership.h): read once at start as a
  // master, written on the heartbeat after they change.
  void RestoreFenceMembership();
  void PersistFenceMembership();
  bool IsWriteRequest(const CommandSpec& spec, const Session& s) const;
  bool MayWriteOrReplicate(const CommandSpec& spec, const std::vector<std::string>& argv,
                           const Session& s) const;
  // The command's flags as Redis's getCommandFlags sees them: an EVAL family request with a
  // script that declares flags takes its write flag from them.
  uint32_t ScriptAwareFlags(const CommandSpec& spec, const std::vector<std::string>& argv) const;
  bool Postpone(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv,
                size_t argc);
  void AfterPauseChange(bool loosened);
  void ResumePostponed();
  void FeedFence(Session& s, const std::vector<std::string>& argv, size_t argc);
  // Hellos naming this node, for the shutdown handoff, when the fence is off.
  void NoteSentinelHello(Session& s, const std::vector<std::string>& argv, size_t argc);
  // A `PUBLISH __sentinel__:hello <payload>` decoded, and whether it names this node.
  std::optional<std::pair<SentinelHello, bool>> HelloFromSentinel(
      const Session& s, const std::vector<std::string>& argv, size_t argc) const;
  bool FenceAllowsWrite(Session& s, const CommandSpec& spec, resp::ReplyWriter& w);
  // MONITOR: one line for the command `s` runs (its secrets redacted) to every monitor.
  void FeedMonitors(const Session& s, const std::vector<std::string>& argv, size_t argc);
  // Tracking around a command: the keys a read-only command read are remembered for its
  // caller (a script's caller for the script's reads).
  void TrackingRememberKeys(Session& s, const CommandSpec& spec,
                            const std::vector<std::string>& argv, size_t argc);
  // Invalidations for the client whose command is running wait for its reply (Redis's
  // tracking_pending_keys); this writes them.
  void FlushTrackingPending();
  // BCAST clients get the keys changed under their prefixes (Redis does it before sleeping).
  void BroadcastInvalidations();
  // tracking-table-max-keys: invalidates keys until the table fits.
  void TrackingLimitUsedSlots();
  // One invalidation to `c` (or where it redirects them); `value` is the RESP of what is
  // invalid: an array of key names, or a null for every key.
  void SendTrackingMessage(Session* c, const std::string& value);
  Session* SessionById(uint64_t id) const;

  DatanodeConfig* config_;
  config::OptionRegistry* options_;
  std::unique_ptr<CommandTable> table_;
  AclCatalog acl_catalog_;
  AclStore acl_;
  AclLog acl_log_;
  std::string acl_requirepass_;  // the requirepass last given to the default user
  Keyspace keyspace_;
  PubSubRegistry pubsub_;
  SlowLog slowlog_;
  LatencyMonitor latency_;
  std::function<int64_t()> clock_us_;
  KeyWaiters waiters_;
  ServerStats stats_;
  std::map<uint64_t, Session*> sessions_;
  std::vector<Session*> woken_;
  ServerHooks* hooks_ = nullptr;
  MemoryFileSystem memory_fs_;
  FileSystem* fs_ = &memory_fs_;
  ReplicationControl* replication_ = nullptr;
  std::vector<Propagator*> propagators_;
  void Feed(int db, const std::vector<std::string>& argv, int targets = kReplAll);
  std::function<int64_t()> used_memory_fn_;
  std::string run_id_;
  ReplicationHistory history_;
  int64_t now_ms_ = 0;
  MonoTime mono_now_{};
  SentinelFence fence_;
  SentinelDirectory sentinel_directory_;
  bool fence_configured_ = false;
  // The fence's membership as last written to kFenceMembershipFile (its change count).
  uint64_t fence_membership_written_ = 0;
  bool fence_membership_failing_ =
      false;  // SyncFence ran once: later timeout changes are runtime ones
  int64_t dirty_ = 0;
  bool in_exec_ = false;
  bool rejecting_exec_ = false;  // Admit is judging an EXEC: a refusal aborts the transaction
  bool loading_ = false;
  bool propagation_paused_ = false;
  ClientPause pause_;
  std::vector<Session*> postponed_;  // held by a pause, oldest first
  bool resume_postponed_ = false;    // the pause loosened: run the held requests
  bool resuming_ = false;
  struct PendingPropagation {
    int db;
    std::vector<std::string> argv;
    int targets;  // ScriptRepl bits
  };
  std::vector<PendingPropagation> exec_buffer_;
  std::function<int64_t()> wall_clock_us_;
  std::vector<Session*> monitors_;  // in MONITOR order
  KeyTracking tracking_;
  size_t tracking_clients_ = 0;
  // The client whose request runs now (a served blocked client while it is served), and
  // whether a command is executing for it: its own invalidations then wait for its reply.
  Session* current_ = nullptr;
  int call_depth_ = 0;
  std::vector<std::optional<std::string>> tracking_pending_;  // nullopt: all keys (a flush)
  ScriptEngine scripting_;
  FunctionStore functions_;
  Session script_session_;           // the session redis.call runs commands as
  ScriptRun* script_run_ = nullptr;  // the script running now
  const char* ScriptWriteDenied(const ScriptRun& run, const CommandSpec& spec);
  // A script's or function's run inside its own effects transaction (or the caller's EXEC).
  void RunScriptBody(ScriptRun& run, const std::function<void()>& body);
};

}  // namespace vigil::datanode
