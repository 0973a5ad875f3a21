#include "datanode/server/master_links.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "common/net/tcp_user_timeout.h"
#include "common/resp/value.h"
#include "datanode/commands/command_context.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/server/child_process_slot.h"
#include "datanode/server/fd_stream.h"
#include "datanode/server/server.h"
#include "datanode/store/keyspace.h"

namespace vigil::datanode {
namespace {

constexpr std::string_view kPing = "*1\r\n$4\r\nping\r\n";

std::string PeerIp(const std::string& addr) {
  size_t colon = addr.rfind(':');
  return colon == std::string::npos ? addr : addr.substr(0, colon);
}

// The forked child: writes the snapshot to `fd` and exits without touching the parent's loop.
// Without `keys` (REPLCONF rdb-filter-only) the snapshot holds the header, the aux fields and the
// functions only.
[[noreturn]] void RunSnapshotChild(Service& svc, const DatanodeConfig& config,
                                   ChildProcessSlot& slot, int fd, const RdbAuxInfo& aux,
                                   int64_t now_ms, bool keys) {
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGUSR1, SIG_DFL);
  RdbWriteOptions options;
  options.compression = config.rdbcompression;
  options.checksum = config.rdbchecksum;
  options.now_ms = now_ms;
  options.list_max_listpack_size = config.list_max_listpack_size;
  options.progress = slot.ChildProgressFn();
  options.progress_every_keys = slot.ChildProgressEveryKeys();
  FdSink sink(fd, "write: ");
  Keyspace no_keys(1, 0);
  Status st = WriteRdb(keys ? svc.keyspace() : no_keys, aux, options, &sink);
  if (st.ok() && ::fsync(fd) != 0 && errno != EINVAL) st = Status::Error("fsync failed");
  ::close(fd);
  if (st.ok()) slot.ChildFinished();
  ::_exit(st.ok() ? 0 : 1);
}

}  // namespace

MasterLinks::MasterLinks(Server* server, DatanodeConfig* config, spdlog::logger* log, uint64_t seed)
    : server_(server),
      config_(config),
      log_(log),
      prng_(seed),
      history_(server->service().history()) {
  history_.SetBacklogSize(config_->repl_backlog_size);
}

MasterLinks::~MasterLinks() {
  if (feed_timer_ != nullptr) event_free(feed_timer_);
  for (auto& [id, feed] : disk_feeds_) ::close(feed.fd);
  if (pipe_ev_ != nullptr) event_free(pipe_ev_);
  if (pipe_fd_ >= 0) ::close(pipe_fd_);
  if (child_ > 0) {
    ::kill(child_, SIGUSR1);
    ::waitpid(child_, nullptr, 0);
    server_->children().Release();
  }
  if (!child_path_.empty()) ::unlink(child_path_.c_str());
}

Session* MasterLinks::SessionOf(uint64_t id) {
  const auto& sessions = server_->service().sessions();
  auto it = sessions.find(id);
  return it == sessions.end() ? nullptr : it->second;
}

void MasterLinks::Reply(Session& s, std::string_view bytes) {
  // Only sessions with nothing queued need a wake-up: the others are already due a flush.
  if (s.out.empty()) server_->service().NoteWoken(&s);
  s.out.append(bytes);
  server_->service().stats().total_net_repl_output_bytes += int64_t(bytes.size());
}

void MasterLinks::EnsureBacklog() {
  history_.SetBacklogSize(config_->repl_backlog_size);
  history_.EnsureBacklog();
}

void MasterLinks::FeedCommand(const std::vector<std::string>& argv) {
  if (replica_role_ || history_.backlog() == nullptr) return;
  const std::string bytes = resp::EncodeCommand(argv);
  FeedStream(bytes, argv.empty() || CarriesNoData(argv[0]) ? 0 : bytes.size());
}

void MasterLinks::Propagate(int db, const std::vector<std::string>& argv) {
  if (replica_role_ || history_.backlog() == nullptr)
    return;  // no replica ever attached: no stream (as Redis)
  std::string bytes;
  if (db != last_db_) {
    bytes = resp::EncodeCommand({"SELECT", std::to_string(db)});
    last_db_ = db;
  }
  bytes += resp::EncodeCommand(argv);
  FeedStream(bytes, argv.empty() || CarriesNoData(argv[0]) ? 0 : bytes.size());
}

void MasterLinks::FeedStream(std::string_view bytes, size_t data_len) {
  if (history_.backlog() == nullptr) EnsureBacklog();
  history_.Append(bytes, data_len);
  for (const auto& [id, r] : fsm_.replicas()) SendToReplica(id, bytes);
}

void MasterLinks::SendToReplica(uint64_t id, std::string_view bytes) {
  const ReplicaRecord* r = fsm_.Find(id);
  if (r == nullptr || r->rdb_only) return;
  if (r->state == ReplicaSyncState::kOnline && !r->hold_stream_until_ack) {
    if (Session* s = SessionOf(id)) Reply(*s, bytes);
  } else if (r->snapshot_started) {
    pending_[id].append(bytes);
  }
}

void MasterLinks::Replconf(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args) {
  bool reply = true;
  const bool was_waiting_ack = [&] {
    const ReplicaRecord* r = fsm_.Find(s.id);
    return r != nullptr && r->hold_stream_until_ack;
  }();
  Status st = fsm_.Replconf(s.id, args, server_->mono_now(), &reply);
  if (!st.ok()) return w.Error(st.message());
  if (reply) return w.Ok();
  // An ACK means the replica has loaded its snapshot and reads its socket again. Arming the
  // timeout earlier could abort a replica that stops reading while it loads a large snapshot
  // (a zero window counts as unacknowledged data), pushing it into a full-sync loop.
  if (!s.link_timeout_armed && s.is_replica) ArmLinkTimeout(s);
  const ReplicaRecord* r = fsm_.Find(s.id);
  if (was_waiting_ack && r != nullptr && !r->hold_stream_until_ack) {
    // First ACK after a diskless payload: the replica has found the EOF mark.
    auto it = pending_.find(s.id);
    if (it != pending_.end()) {
      Reply(s, it->second);
      pending_.erase(it);
    }
  }
  if (on_ack) on_ack();
}

bool MasterLinks::TryPartial(Session& s, resp::ReplyWriter& w,
                             const std::vector<std::string>& args) {
  PsyncRequest req;
  req.replid = args[0];
  if (!ParseInt64Strict(args[1], &req.offset)) req.offset = -1;
  PsyncDecision d = history_.DecidePsync(req);
  ServerStats& stats = server_->service().stats();
  if (d.kind == PsyncDecision::Kind::kFullResync) {
    if (d.partial_attempt_failed) {
      ++stats.sync_partial_err;
      log_->info("Partial resynchronization not accepted: {}", d.reason);
    }
    return false;
  }
  MonoTime now = server_->mono_now();
  ReplicaRecord& r = AttachReplica(s, now);
  ArmLinkTimeout(s);
  r.state = ReplicaSyncState::kOnline;
  r.ack_offset = req.offset - 1;
  s.is_replica = true;
  ++stats.sync_partial_ok;
  std::string line =
      r.capa_psync2 ? "+CONTINUE " + history_.ids().replid + "\r\n" : "+CONTINUE\r\n";
  (void)w;
  Reply(s, line);
  std::string backlog_bytes = history_.backlog()->CopyFrom(d.from_offset);
  Reply(s, backlog_bytes);
  log_->info(
      "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting "
      "from offset {}.",
      s.addr, backlog_bytes.size(), d.from_offset);
  return true;
}

ReplicaRecord& MasterLinks::AttachReplica(Session& s, MonoTime now) {
  // The ping period runs from the first replica's arrival: a replica (or a raw SYNC client, as
  // in Redis's tests) reads the first write after the snapshot, not a PING, as from Redis.
  if (fsm_.count() == 0) last_ping_ = now;
  return fsm_.Attach(s.id, PeerIp(s.addr), now);
}

void MasterLinks::ArmLinkTimeout(Session& s) {
  s.link_timeout_armed = true;
  if (!net::SetTcpUserTimeout(s.fd, config_->repl_tcp_user_timeout)) {
    log_->warn("Cannot set TCP_USER_TIMEOUT on replica {}: {}", s.addr, std::strerror(errno));
  }
}

void MasterLinks::Sync(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args,
                       bool psync, bool upstream_ok) {
  if (s.is_replica) return;  // already one: ignore, as Redis does
  if (!upstream_ok) return w.Error("NOMASTERLINK Can't SYNC while not connected with my master");
  history_.MarkShown();  // the replica learns our id either way
  // A filtered snapshot is only ever sent over the socket (it must not replace the RDB file).
  const ReplicaRecord* handshake = fsm_.FindHandshake(s.id);
  if (handshake != nullptr && handshake->filtered() && !handshake->capa_eof) {
    return w.Error("ERR Filtered replica requires EOF capability");
  }
  int64_t offset = 0;
  if (psync && args.size() >= 2 && !ParseInt64Strict(args[1], &offset)) {
    // Redis refuses before any sync starts: no snapshot, and the client stays a normal one.
    log_->warn("Replica {} asks for synchronization but with a wrong offset", s.addr);
    return w.Error("ERR value is not an integer or out of range");
  }
  if (psync && args.size() >= 2 && TryPartial(s, w, args)) return;
  MonoTime now = server_->mono_now();
  ++server_->service().stats().sync_full;
  ReplicaRecord& r = AttachReplica(s, now);
  r.pre_psync = !psync;
  s.is_replica = true;
  if (history_.backlog() == nullptr && !replica_role_) {
    // The first replica: a new history begins here, with a backlog to continue it.
    history_.Restart(prng_.HexId40());
  }
  EnsureBacklog();
  log_->info("Replica {} asks for synchronization", s.addr);
  MaybeStartSnapshot(now);
}

void MasterLinks::MaybeStartSnapshot(MonoTime now) {
  bool diskless = config_->repl_diskless_sync;
  for (uint64_t id : fsm_.WaitingForSnapshot()) diskless = diskless && fsm_.Find(id)->capa_eof;
  Millis delay = diskless ? Millis(config_->repl_diskless_sync_delay * 1000) : Millis(0);
  // One fork child at a time (Redis's hasActiveChildProcess): while a BGSAVE or an AOF rewrite
  // runs, waiting replicas stay in wait_bgsave and cron starts their snapshot once it exits.
  const bool other_child = child_ <= 0 && server_->children().busy();
  if (other_child && !fsm_.WaitingForSnapshot().empty() && !delayed_logged_) {
    log_->info(
        "No BGSAVE in progress, but another BG operation is active. BGSAVE for "
        "replication delayed");
    delayed_logged_ = true;
  }
  if (fsm_.ShouldStartSnapshot(now, delay, child_ > 0 || other_child)) StartSnapshot(now);
}

void MasterLinks::StartSnapshot(MonoTime now) {
  std::vector<uint64_t> targets = fsm_.WaitingForSnapshot();
  if (targets.empty()) return;
  // One snapshot serves the replicas that asked for the same filter as the first; the others
  // wait for the next one, as Redis groups replicas by their requirements.
  const ReplicaRecord first = *fsm_.Find(targets.front());
  std::erase_if(targets, [&](uint64_t id) { return !fsm_.Find(id)->SameFilter(first); });
  bool diskless = config_->repl_diskless_sync || first.filtered();
  for (uint64_t id : targets) diskless = diskless && fsm_.Find(id)->capa_eof;
  Service& svc = server_->service();
  RdbAuxInfo aux;
  aux.ctime_s = server_->now_ms() / 1000;
  aux.used_mem = svc.used_memory();
  if (!first.rdb_exclude_functions) aux.functions = svc.functions().Codes();
  aux.repl_id = history_.ids().replid;
  aux.repl_offset = history_.offset();
  int fds[2] = {-1, -1};
  int out_fd = -1;
  if (diskless) {
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      log_->warn("Can't create a pipe for the diskless sync: {}", std::strerror(errno));
      return;
    }
    out_fd = fds[1];
  } else {
    child_path_ = "temp-repl-" + std::to_string(::getpid()) + ".rdb";
    out_fd = ::open(child_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      log_->warn("Can't open {} for the replication snapshot: {}", child_path_,
                 std::strerror(errno));
      child_path_.clear();
      return;
    }
  }
  const int64_t now_ms = server_->now_ms();
  delayed_logged_ = false;
  ChildProcessSlot& slot = server_->children();
  pid_t pid = slot.Fork(ChildKind::kReplicationRdb);
  if (pid == 0) RunSnapshotChild(svc, *config_, slot, out_fd, aux, now_ms, !first.rdb_exclude_data);
  ::close(out_fd);
  if (pid < 0) {
    log_->warn("Can't fork for the replication snapshot: {}", std::strerror(errno));
    if (diskless) ::close(fds[0]);
    return;
  }
  child_ = pid;
  child_diskless_ = diskless;
  child_targets_ = targets;
  last_db_ = -1;  // the stream after the snapshot starts with SELECT
  eof_mark_ = prng_.HexId40();
  for (uint64_t id : targets) {
    ReplicaRecord* r = fsm_.Find(id);
    Session* s = SessionOf(id);
    r->snapshot_started = true;
    r->sync_offset = history_.offset();
    pending_[id].clear();
    if (s == nullptr) continue;
    if (!r->pre_psync)
      Reply(*s, "+FULLRESYNC " + history_.ids().replid + " " + std::to_string(history_.offset()) +
                    "\r\n");
    if (diskless) Reply(*s, "$EOF:" + eof_mark_ + "\r\n");
  }
  if (diskless) {
    pipe_fd_ = fds[0];
    ::fcntl(pipe_fd_, F_SETFL, ::fcntl(pipe_fd_, F_GETFL) | O_NONBLOCK);
    pipe_eof_ = false;
    pipe_ev_ = event_new(server_->base(), pipe_fd_, EV_READ | EV_PERSIST,
                         &MasterLinks::OnPipeReadable, this);
    event_add(pipe_ev_, nullptr);
  }
  log_->info("Starting BGSAVE for SYNC with target: {} (pid {}), {} replica(s)",
             diskless ? "replicas sockets" : "disk", pid, targets.size());
  (void)now;
}

void MasterLinks::OnPipeReadable(evutil_socket_t, short, void* arg) {
  static_cast<MasterLinks*>(arg)->ReadPipe();
}

void MasterLinks::ReadPipe() {
  char buf[256 * 1024];
  for (;;) {
    if (TargetsBacklogged()) {
      // The child blocks on the full pipe meanwhile: the snapshot paces itself to the replicas.
      if (!pipe_paused_) event_del(pipe_ev_);
      pipe_paused_ = true;
      ArmFeedTimer();
      break;
    }
    ssize_t n = ::read(pipe_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // EAGAIN: more later
    if (n == 0) {
      pipe_eof_ = true;
      pipe_paused_ = false;
      break;
    }
    for (uint64_t id : child_targets_) {
      Session* s = SessionOf(id);
      if (s != nullptr && fsm_.Find(id) != nullptr) Reply(*s, std::string_view(buf, size_t(n)));
    }
  }
  if (pipe_eof_) {
    event_free(pipe_ev_);
    pipe_ev_ = nullptr;
    ::close(pipe_fd_);
    pipe_fd_ = -1;
    int wstatus = 0;
    ::waitpid(child_, &wstatus, 0);  // it is exiting: the pipe closed
    child_ = -1;
    server_->children().Release();
    FinishDisklessSnapshot(server_->mono_now(), WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  }
  server_->AfterCommands(nullptr);
}

void MasterLinks::FinishDisklessSnapshot(MonoTime now, bool ok) {
  for (uint64_t id : std::exchange(child_targets_, {})) {
    Session* s = SessionOf(id);
    if (s == nullptr || fsm_.Find(id) == nullptr) continue;
    if (!ok) {
      s->close_asap = true;
      server_->service().NoteWoken(s);
      continue;
    }
    Reply(*s, eof_mark_);
    GoOnline(id, now, /*hold_until_ack=*/true);
  }
  log_->info("Diskless sync to replicas {}", ok ? "succeeded" : "failed");
  MaybeStartSnapshot(now);
}

void MasterLinks::FinishDiskSnapshot(MonoTime now, bool ok) {
  if (ok) {
    StartDiskFeeds(now);
  } else {
    for (uint64_t id : std::exchange(child_targets_, {})) {
      Session* s = SessionOf(id);
      if (s == nullptr) continue;
      s->close_asap = true;
      server_->service().NoteWoken(s);
    }
    log_->warn("Synchronization with replicas (disk) failed");
  }
  ::unlink(child_path_.c_str());  // open feeds keep the file's data until they finish
  child_path_.clear();
  MaybeStartSnapshot(now);
}

void MasterLinks::GoOnline(uint64_t id, MonoTime now, bool hold_until_ack) {
  ReplicaRecord* r = fsm_.Find(id);
  Session* s = SessionOf(id);
  r->state = ReplicaSyncState::kOnline;
  r->ack_time = now;
  r->ack_offset = r->sync_offset;
  if (r->rdb_only) {
    s->close_after_reply = true;  // redis-cli --rdb: the file is all it wanted
    pending_.erase(id);
    return;
  }
  // A SYNC client never ACKs, so nothing is held for it.
  r->hold_stream_until_ack = hold_until_ack && !r->pre_psync;
  if (r->hold_stream_until_ack) return;
  auto it = pending_.find(id);
  if (it != pending_.end()) {
    Reply(*s, it->second);
    pending_.erase(it);
  }
}

void MasterLinks::ReapChild(MonoTime now) {
  if (child_ <= 0 || child_diskless_) return;  // diskless children are reaped at pipe EOF
  int wstatus = 0;
  pid_t r = ::waitpid(child_, &wstatus, WNOHANG);
  if (r == 0) return;
  child_ = -1;
  server_->children().Release();
  FinishDiskSnapshot(now, r > 0 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

void MasterLinks::OnSessionClosed(Session& s) {
  const ReplicaRecord* r = fsm_.Find(s.id);
  const bool waited_for_disk_snapshot = r != nullptr && r->state == ReplicaSyncState::kWaitBgsave &&
                                        r->snapshot_started && child_ > 0 && !child_diskless_;
  if (r != nullptr) log_->info("Connection with replica {} lost.", s.addr);
  fsm_.Remove(s.id);
  pending_.erase(s.id);
  if (!waited_for_disk_snapshot || !config_->save.empty()) return;
  for (const auto& [id, other] : fsm_.replicas()) {
    if (other.state == ReplicaSyncState::kWaitBgsave && other.snapshot_started) return;
  }
  // Nobody waits for this snapshot any more and, without save points, nobody else needs the
  // file: stop the child (Redis's freeClient does the same), freeing its memory and letting the
  // next full sync fork at once. The reaper finishes it as a failed snapshot.
  log_->info("Killing the replication snapshot child {}: no replica waits for it any more",
             long(child_));
  ::kill(child_, SIGUSR1);
}

void MasterLinks::DropReplicas() {
  for (const auto& [id, r] : fsm_.replicas()) {
    if (Session* s = SessionOf(id)) {
      s->close_asap = true;
      server_->service().NoteWoken(s);
    }
  }
}

void MasterLinks::SendGetAck() {
  if (replica_role_ || history_.backlog() == nullptr || fsm_.count() == 0) return;
  FeedStream(resp::EncodeCommand({"REPLCONF", "GETACK", "*"}), 0);
}

void MasterLinks::SendKeepalives(MonoTime now) {
  if (now - last_keepalive_ < Millis(1000)) return;
  last_keepalive_ = now;
  for (const auto& [id, r] : fsm_.replicas()) {
    if (r.state != ReplicaSyncState::kWaitBgsave) continue;
    // Never inside a diskless payload: the EOF mark must end the transfer.
    if (r.snapshot_started && child_diskless_) continue;
    if (Session* s = SessionOf(id)) Reply(*s, "\n");
  }
}

void MasterLinks::Cron(MonoTime now) {
  ReapChild(now);
  MaybeStartSnapshot(now);
  SendKeepalives(now);
  if (!replica_role_ && !pings_paused_ && fsm_.count() > 0 &&
      now - last_ping_ >= Millis(config_->repl_ping_replica_period * 1000)) {
    last_ping_ = now;
    FeedStream(kPing, 0);
  }
  for (uint64_t id : fsm_.TimedOut(now, Millis(config_->repl_timeout * 1000))) {
    if (Session* s = SessionOf(id)) {
      log_->warn("Disconnecting timedout replica: {}", s->addr);
      s->close_asap = true;
      server_->service().NoteWoken(s);
    }
  }
  // With no replicas for repl-backlog-ttl, a master frees its backlog and starts a new history.
  if (fsm_.count() > 0) {
    had_replicas_ = true;
    no_replicas_since_ = now;
  } else if (history_.backlog() != nullptr && !replica_role_ && config_->repl_backlog_ttl > 0 &&
             now - no_replicas_since_ > Millis(config_->repl_backlog_ttl * 1000)) {
    if (had_replicas_) {
      history_.FreeBacklog(prng_.HexId40());
      log_->info("Replication backlog freed after {} seconds without connected replicas.",
                 config_->repl_backlog_ttl);
    }
  }
  history_.SetBacklogSize(config_->repl_backlog_size);
}

}  // namespace vigil::datanode
