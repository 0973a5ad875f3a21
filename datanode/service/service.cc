#include "datanode/service/service.h"

#include <algorithm>
#include <cstring>

#include "datanode/commands/command_context.h"
#include "datanode/replication/replication_control.h"

namespace vigil::datanode {
namespace {

std::string ErrorCode(const std::string& out, size_t from) {
  // The first word after '-' of the error just written.
  size_t end = out.find_first_of(" \r", from + 1);
  return out.substr(from + 1, end - from - 1);
}

std::string UnknownCommandError(const std::vector<std::string>& argv, size_t argc) {
  std::string args;
  for (size_t i = 1; i < argc && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += "'" + argv[i].substr(0, room) + "' ";
  }
  return "ERR unknown command '" + argv[0].substr(0, 128) + "', with args beginning with: " + args;
}

}  // namespace

Service::Service(DatanodeConfig* config, config::OptionRegistry* options, uint64_t seed)
    : config_(config),
      options_(options),
      table_(BuildCommandTable()),
      acl_catalog_(BuildAclCatalog(table_.get())),
      acl_(&acl_catalog_),
      keyspace_(int(config->databases), seed) {
  keyspace_.set_listener(this);
  keyspace_.set_memory_check([this](size_t bytes) { return OverMaxmemoryAfterAlloc(bytes); });
  run_id_ = keyspace_.prng().HexId40();
  history_.Restart(keyspace_.prng().HexId40());
  ApplyConfig();
}

Service::~Service() = default;

void Service::ApplyConfig() {
  static constexpr EvictionPolicy kPolicies[] = {
      EvictionPolicy::kVolatileLru,   EvictionPolicy::kVolatileLfu, EvictionPolicy::kVolatileRandom,
      EvictionPolicy::kVolatileTtl,   EvictionPolicy::kAllKeysLru,  EvictionPolicy::kAllKeysLfu,
      EvictionPolicy::kAllKeysRandom, EvictionPolicy::kNoEviction};
  keyspace_.set_policy(kPolicies[config_->maxmemory_policy]);
  keyspace_.set_lfu_params(config_->lfu_log_factor, config_->lfu_decay_time);
  LazyFreePolicy& lazy = keyspace_.lazy_free();
  lazy.server_del = config_->lazyfree_lazy_server_del;
  lazy.expire = config_->lazyfree_lazy_expire;
  lazy.eviction = config_->lazyfree_lazy_eviction;
  ApplyAclConfig();
}

void Service::AttachSession(Session* s) {
  // Redis's clientSetDefaultAuth: every connection starts as `default`, already authenticated
  // when that user needs no password and is on. The master link runs as no user at all.
  s->user = s->is_master_link ? nullptr : acl_.default_user();
  s->authenticated = s->is_master_link || (acl_.default_user()->nopass() &&
                                           !(acl_.default_user()->flags() & AclUser::kDisabled));
  sessions_[s->id] = s;
}

void Service::DetachSession(Session* s) {
  if (replication_ != nullptr) replication_->OnSessionClosed(*s);
  pubsub_.RemoveSession(s);
  DisableTracking(*s);
  std::erase(monitors_, s);
  if (current_ == s) current_ = nullptr;
  waiters_.UnwatchAll(s);
  waiters_.Unblock(s);
  std::erase(postponed_, s);
  sessions_.erase(s->id);
  std::erase(woken_, s);
}

std::vector<Session*> Service::TakeWoken() {
  std::vector<Session*> out = std::exchange(woken_, {});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void Service::Reject(Session& s, resp::ReplyWriter& w, const std::string& error) {
  if (rejecting_exec_) {
    // A refused EXEC ends any transaction and says so, even outside MULTI, as Redis's
    // rejectCommand/execCommandAbort do.
    s.in_multi = false;
    s.multi_error = false;
    s.queued.clear();
    waiters_.UnwatchAll(&s);
    w.Error("EXECABORT Transaction discarded because of: " + error);
    return;
  }
  w.Error(error);
  if (s.in_multi) s.multi_error = true;
}

const CommandSpec* Service::Resolve(Session& s, const std::vector<std::string>& argv, size_t argc,
                                    resp::ReplyWriter& w) {
  rejecting_exec_ = false;
  const CommandSpec* spec = table_->Find(argv[0]);
  if (spec == nullptr) {
    Reject(s, w, UnknownCommandError(argv, argc));
    return nullptr;
  }
  if (spec->has_subcommands() && argc >= 2) {
    std::string sub = config::Lower(argv[1]);
    auto it = spec->subcommands.find(sub);
    if (it == spec->subcommands.end()) {
      std::string upper = spec->name;
      for (auto& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
      Reject(s, w,
             "ERR unknown subcommand '" + argv[1].substr(0, 128) + "'. Try " + upper + " HELP.");
      return nullptr;
    }
    spec = &it->second;
  }
  if ((spec->arity > 0 && int64_t(argc) != spec->arity) || int64_t(argc) < -spec->arity) {
    Reject(s, w, "ERR wrong number of arguments for '" + spec->name + "' command");
    return nullptr;
  }
  return spec;
}

Status Service::ApplyCommandRenames() {
  for (const config::Directive& d : config_->rename_lines) {
    Status st = table_->Rename(d.args[0], d.args[1]);
    if (!st.ok()) return Status::Error(d.Where() + ": '" + d.Shown() + "': " + st.message());
  }
  return Status::Ok();
}

bool Service::IsLocalClient(const Session& s) const {
  if (!config_->unixsocket.empty() && s.addr == config_->unixsocket + ":0") return true;
  return s.addr.rfind("127.", 0) == 0 || s.addr.rfind("[::1]", 0) == 0 ||
         s.addr.rfind("::1", 0) == 0;
}

int64_t Service::ReplicaOutputBytes() const {
  int64_t n = 0;
  for (const auto& [id, s] : sessions_) {
    if (s->is_replica) n += int64_t(s->out.size());
  }
  return n;
}

void Service::DisconnectBlockedClients() {
  const std::set<Session*> blocked = waiters_.blocked_sessions();
  for (Session* s : blocked) {
    UnblockWithError(s,
                     "UNBLOCKED force unblock from blocking operation, instance state changed "
                     "(master -> replica?)");
    s->close_after_reply = true;
  }
}

void Service::UnblockWithError(Session* b, const std::string& error) {
  const CommandSpec* spec = b->block.argv.empty() ? nullptr : table_->FindRequest(b->block.argv);
  waiters_.Unblock(b);
  resp::ReplyWriter w(&b->out, b->proto);
  const size_t mark = b->out.size();
  w.Error(error);
  ++stats_.total_error_replies;
  ++stats_.errorstats[ErrorCode(b->out, mark)];
  if (spec != nullptr) ++stats_.commandstats[spec->name].failed_calls;
  NoteWoken(b);
}

void Service::Execute(Session& s, const std::vector<std::string>& argv, size_t argc) {
  s.last_interaction_ms = now_ms_;
  if (argc == 0) return;
  // A busy script's -BUSY is a failed PING to a sentinel, so it is no contact for the fence.
  if (!s.name.empty() && !ScriptTimedOut()) {
    if (config_->sentinel_fence_timeout > 0) {
      FeedFence(s, argv, argc);
    } else if (config_->sentinel_shutdown_handoff) {
      NoteSentinelHello(s, argv, argc);
    }
  }
  const size_t reply_mark = s.out.size();
  // A request run while a busy script yields is nested: the script's caller stays the outer
  // current client, with its own pending invalidations.
  Session* const outer = current_;
  std::vector<std::optional<std::string>> outer_pending = std::exchange(tracking_pending_, {});
  current_ = &s;
  s.executing = true;
  ExecuteOne(s, argv, argc);
  FlushTrackingPending();
  s.executing = false;
  current_ = outer;
  tracking_pending_ = std::move(outer_pending);
  // CLIENT CACHING applies to the next command (or transaction) only.
  if (s.tracking.caching && !s.in_multi) {
    const CommandSpec* ran = table_->Find(argv[0]);
    if (ran == nullptr || ran->name != "client") s.tracking.caching = false;
  }
  if (outer == nullptr) BroadcastInvalidations();
  // The mode after the command decides: CLIENT REPLY ON answers, OFF and SKIP do not.
  if (s.reply_off || s.reply_skip > 0) {
    std::string pushes;
    for (const auto& [from, to] : s.pushes) {
      if (from >= reply_mark) pushes.append(s.out, from, to - from);
    }
    s.out.resize(reply_mark);
    s.out += pushes;
    if (s.reply_skip > 0) --s.reply_skip;
  }
  s.pushes.clear();
  if (resume_postponed_ && !resuming_ && !ScriptTimedOut()) ResumePostponed();
}

void Service::ExecuteRequest(Session& s, const std::vector<std::string>& argv, size_t argc) {
  resp::ReplyWriter w(&s.out, s.proto);
  const size_t err_mark = s.out.size();
  const CommandSpec* spec = Resolve(s, argv, argc, w);
  if (spec != nullptr && !Admit(s, *spec, argv, argc, w)) spec = nullptr;
  if (spec == nullptr) {
    // A refused EXEC still closes the transaction a monitor saw open (execCommandAbort).
    if (rejecting_exec_) FeedMonitors(s, argv, argc);
    ++stats_.total_error_replies;
    ++stats_.errorstats[ErrorCode(s.out, err_mark)];
    if (const CommandSpec* known = table_->Find(argv[0]))
      ++stats_.commandstats[known->name].rejected_calls;
    return;
  }
  s.last_command = spec->name;
  // Held before MULTI queues it, as Redis's processCommand postpones it.
  if (pause_.paused() && Postpone(s, *spec, argv, argc)) return;
  const std::string& base = spec->name;
  if (s.in_multi && base != "exec" && base != "discard" && base != "multi" && base != "watch" &&
      base != "quit" && base != "reset") {
    s.queued.emplace_back(argv.begin(), argv.begin() + long(argc));
    w.Simple("QUEUED");
    return;
  }
  const int64_t offset_before = history_.offset();
  Call(s, *spec, argv, argc, false);
  // WAIT counts replicas that acknowledged this client's last write.
  if (history_.offset() != offset_before) s.repl_woff = history_.offset();
  // Keys a busy script made ready are served when it ends, not by a command it let through.
  if (!ScriptTimedOut()) ServeReadyKeys();
}

bool Service::IsWriteRequest(const CommandSpec& spec, const Session& s) const {
  if (spec.flags & kCmdWrite) return true;
  if (spec.name != "exec") return false;
  for (const auto& q : s.queued) {
    const CommandSpec* c = table_->Find(q[0]);
    if (c != nullptr && (c->flags & kCmdWrite)) return true;
  }
  return false;
}

void Service::Call(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv,
                   size_t argc, bool in_exec) {
  resp::ReplyWriter w(&s.out, s.proto);
  const size_t mark = s.out.size();
  const int db_before = s.db;
  CommandContext ctx(*this, s, argv, argc, w);
  ctx.set_in_exec(in_exec);
  const int64_t start = clock_us();
  // Saved, not cleared: a command served while a script is busy runs inside the script's.
  const bool applying_before = keyspace_.applying_master_stream();
  keyspace_.set_applying_master_stream(s.is_master_link);
  // EVAL, FCALL and kin are shown before the commands their script runs; a served blocked
  // client was shown when it blocked; admin commands are never shown.
  const bool monitored = !(spec.flags & kCmdAdmin) && s.serving_key.empty();
  if (monitored && (spec.flags & kCmdSkipMonitor)) FeedMonitors(s, argv, argc);
  ++call_depth_;
  spec.fn(ctx);
  --call_depth_;
  keyspace_.set_applying_master_stream(applying_before);
  TrackingRememberKeys(s, spec, argv, argc);
  if (monitored && !(spec.flags & kCmdSkipMonitor)) FeedMonitors(s, argv, argc);
  const int64_t usec = clock_us() - start;
  // A served blocked client's re-run is the same call, counted when it blocked (Redis's
  // updateStatsOnUnblock adds its time and errors, not a call).
  const bool rerun = !s.serving_key.empty();
  if (!rerun) {
    ++stats_.total_commands_processed;
    ++s.commands_processed;
  }
  if (spec.stat == nullptr) spec.stat = &stats_.commandstats[spec.name];
  CommandStat& cs = *spec.stat;
  if (!rerun) ++cs.calls;
  cs.usec += usec;
  if (s.out.size() > mark && s.out[mark] == '-') {
    ++cs.failed_calls;
    if (!s.error_uncounted) {
      ++stats_.total_error_replies;
      ++stats_.errorstats[ErrorCode(s.out, mark)];
    }
  }
  s.error_uncounted = false;
  // As Redis: EXEC is not logged (its commands are), a client that blocked is logged when it is
  // served, and the AOF replay logs nothing.
  if (spec.name != "exec" && !s.block.active && !loading_) {
    slowlog_.Push(argv, argc, usec, now_ms_ / 1000, s.addr, s.name,
                  config_->slowlog_log_slower_than, config_->slowlog_max_len);
  }
  // Redis samples every call (EXEC included, where each queued command is sampled too); a
  // client that blocked is measured when it is served.
  if (!loading_)
    AddLatencySample((spec.flags & kCmdFast) ? "fast-command" : "command", usec / 1000);
  if (config_->latency_tracking && !s.block.active) cs.latency.Record(usec * 1000);
  if (ctx.dirty() > 0) {
    if (!ctx.saved()) dirty_ += ctx.dirty();
    if (!ctx.propagate_suppressed() && !(spec.flags & kCmdNoPropagate)) {
      // Inside a script, redis.set_repl decides which feeds see its writes.
      const int targets =
          script_run_ != nullptr && &s == script_run_->client ? script_run_->repl : int(kReplAll);
      if (ctx.rewritten().empty()) {
        EmitPropagation(db_before,
                        std::vector<std::string>(argv.begin(), argv.begin() + long(argc)), targets);
      } else if (ctx.rewritten().size() == 1 || in_exec_) {
        for (const auto& a : ctx.rewritten()) EmitPropagation(db_before, a, targets);
      } else {
        // Several effects of one command reach replicas and the AOF as one transaction, as
        // Redis 7.0 wraps them (propagatePendingCommands).
        EmitPropagation(db_before, {"MULTI"});
        for (const auto& a : ctx.rewritten()) EmitPropagation(db_before, a);
        EmitPropagation(db_before, {"EXEC"});
      }
    }
  }
}

void Service::PropagateToReplicas(const Session& s, int db, const std::vector<std::string>& argv) {
  int targets = kReplReplicas;
  if (script_run_ != nullptr && &s == script_run_->client) targets &= script_run_->repl;
  EmitPropagation(db, argv, targets);
}

void Service::Feed(int db, const std::vector<std::string>& argv, int targets) {
  for (Propagator* p : propagators_) {
    if ((p->target() & targets) != 0) p->Propagate(db, argv);
  }
}

void Service::EmitPropagation(int db, const std::vector<std::string>& argv, int targets) {
  if (propagators_.empty() || propagation_paused_ || targets == kReplNone) return;
  if (in_exec_) {
    exec_buffer_.push_back({db, argv, targets});
    return;
  }
  Feed(db, argv, targets);
}

void Service::BeginExec() {
  in_exec_ = true;
  exec_buffer_.clear();
}

void Service::EndExec(int db) {
  in_exec_ = false;
  if (propagators_.empty() || exec_buffer_.empty()) return;
  // A transaction reaches replicas and the AOF as one unit, as Redis propagates it.
  if (exec_buffer_.size() == 1) {
    Feed(exec_buffer_[0].db, exec_buffer_[0].argv, exec_buffer_[0].targets);
  } else {
    // MULTI and EXEC go to every feed, as Redis propagates them whatever set_repl chose.
    Feed(exec_buffer_[0].db, {"MULTI"});
    for (const auto& p : exec_buffer_) Feed(p.db, p.argv, p.targets);
    Feed(db, {"EXEC"});
  }
  exec_buffer_.clear();
}

void Service::ServeReadyKeys() {
  // Serving one client can make another key ready (BLMOVE pushes), so loop until quiet.
  for (int rounds = 0; rounds < 1000; ++rounds) {
    auto ready = waiters_.TakeReady();
    if (ready.empty()) return;
    for (const auto& key : ready) {
      for (Session* b : waiters_.BlockedOn(key)) {
        if (!b->block.active) continue;
        // An expired key is deleted here (its DEL propagated), and the client waits on.
        Entry* e = keyspace_.Lookup(key.first, key.second, now_ms_, /*touch=*/false,
                                    /*count_stats=*/false, /*for_write=*/true);
        // A consumer group lives in its stream: once the key is gone or holds another type,
        // an XREADGROUP waiter is told so (Redis's signalDeletedKeyAsReady).
        const CommandSpec* blocked_spec = table_->FindRequest(b->block.argv);
        if (blocked_spec != nullptr && blocked_spec->name == "xreadgroup" &&
            (e == nullptr || e->type() != ObjType::kStream)) {
          UnblockWithError(b, "UNBLOCKED the stream key no longer exists");
          continue;
        }
        if (e == nullptr) continue;  // consumed by an earlier waiter, or expired
        if (b->block.wanted_type >= 0 && int(e->type()) != b->block.wanted_type) continue;
        std::vector<std::string> argv = b->block.argv;
        const int64_t deadline = b->block.deadline_ms;
        waiters_.Unblock(b);
        const CommandSpec* spec = table_->Find(argv[0]);
        int saved_db = b->db;
        b->db = key.first;
        b->serving_key = key.second;
        // The served client is the current one while its command runs: invalidations it
        // causes itself follow its reply (the caller's own wait for the caller's reply).
        Session* const outer = current_;
        std::vector<std::optional<std::string>> outer_pending =
            std::exchange(tracking_pending_, {});
        current_ = b;
        Call(*b, *spec, argv, argv.size(), false);
        FlushTrackingPending();
        current_ = outer;
        tracking_pending_ = std::move(outer_pending);
        b->serving_key.clear();
        b->db = saved_db;
        if (b->block.active) {
          // Nothing for it after all (a stream changed without new entries): it waits on,
          // until its original deadline.
          b->block.deadline_ms = deadline;
          continue;
        }
        woken_.push_back(b);
      }
    }
  }
}

void Service::Cron() {
  CheckClientPause();
  // Active expiry: keep sweeping while a good share of what we look at has expired.
  const int64_t expire_start = clock_us();
  for (int round = 0; active_expire_enabled && round < 16; ++round) {
    if (keyspace_.ActiveExpireCycle(now_ms_, 200) < 20) break;
  }
  AddLatencySample("expire-cycle", (clock_us() - expire_start) / 1000);
  for (Session* s : waiters_.TimedOut(now_ms_)) {
    bool null_bulk = s->block.null_bulk_on_timeout;
    waiters_.Unblock(s);
    resp::ReplyWriter w(&s->out, s->proto);
    if (null_bulk) {
      w.Null();
    } else {
      w.NullArray();
    }
    woken_.push_back(s);
  }
  keyspace_.CronRehash(1000);
  if (config_->maxmemory > 0) EnforceMaxmemory();
  ServeReadyKeys();
  TrackingLimitUsedSlots();
  BroadcastInvalidations();
}

void Service::AddLatencySample(const char* event, int64_t ms) {
  const int64_t threshold = config_->latency_monitor_threshold;
  if (threshold > 0 && ms >= threshold) latency_.AddSample(event, ms, now_ms_ / 1000);
}

KeyWaiters::KeyState Service::WatchedKeyState(int db, const std::string& key) {
  Database& d = keyspace_.db(db);
  const Entry* e = d.Find(key);
  if (e == nullptr) return KeyWaiters::KeyState::kAbsent;
  const int64_t when = d.GetExpire(e);
  return when >= 0 && when <= now_ms_ ? KeyWaiters::KeyState::kExpired
                                      : KeyWaiters::KeyState::kLive;
}

void Service::TouchWatchedKeysInDb(int db, int replaced_with) {
  waiters_.TouchFlushed(db, replaced_with,
                        [this](int d, const std::string& key) { return WatchedKeyState(d, key); });
}

void Service::OnKeyExpired(int db, std::string_view key) {
  NotifyKeyspaceEvent(notify::kExpired, "expired", key, db);
  TrackingInvalidateKey(nullptr, key, /*bcast=*/true);
  waiters_.Touch(db, key, /*exists=*/false);
  // Redis propagates the removal as the kind of delete it did.
  EmitPropagation(db, {config_->lazyfree_lazy_expire ? "UNLINK" : "DEL", std::string(key)});
}

void Service::OnKeyEvicted(int db, std::string_view key) {
  NotifyKeyspaceEvent(notify::kEvicted, "evicted", key, db);
  TrackingInvalidateKey(nullptr, key, /*bcast=*/true);
  waiters_.Touch(db, key, /*exists=*/false);
  EmitPropagation(db, {config_->lazyfree_lazy_eviction ? "UNLINK" : "DEL", std::string(key)});
}

}  // namespace vigil::datanode
