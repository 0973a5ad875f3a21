#include "datanode/server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "common/config/config_rewrite.h"
#include "common/log/logging.h"
#include "common/net/tcp_listener.h"
#include "common/net/unix_listener.h"
#include "common/random/prng.h"
#include "datanode/server/aof_loading.h"
#include "datanode/server/aof_manager.h"
#include "datanode/server/child_process_slot.h"
#include "datanode/server/lazy_free_thread.h"
#include "datanode/server/replication.h"
#include "datanode/server/snapshot.h"
#include "datanode/server/startup_banner.h"
#include "datanode/store/chained_table.h"

namespace vigil::datanode {

Server::Server(DatanodeConfig* config, config::OptionRegistry* options, config::ConfigFile file,
               std::shared_ptr<spdlog::logger> log)
    : config_(config),
      options_(options),
      file_(std::move(file)),
      log_(std::move(log)),
      acceptor_(loop_.base(), [this](const net::Acceptor::Accepted& a) { Accept(a); }) {
  SetProcessHashSeed(OsRandomSeed());  // before any set is created
  lazy_free_ = std::make_unique<LazyFreeThread>();
  service_ = std::make_unique<Service>(config_, options_, OsRandomSeed());
  service_->keyspace().lazy_free().freer = lazy_free_.get();
  service_->set_hooks(this);
  service_->set_file_system(&disk_);
  service_->set_used_memory_fn(&AllocatorUsedBytes);
  // Command durations (slow log, latency monitor, latency histograms) are measured here.
  service_->set_clock_us([] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  });
  service_->set_wall_clock_us([] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  start_ms_ = clock_.UnixMillis();
  service_->stats().start_ms = start_ms_;
  service_->last_save_unix_s = start_ms_ / 1000;
  service_->set_now(start_ms_);
  children_ = std::make_unique<ChildProcessSlot>(config_, service_.get(), log_.get());
  children_->set_in_child([this](ChildKind kind) {
    CloseListenersInChild();
    DetachLazyFreeInChild();
    // The OOM killer should pick a child before its parent (oom-score-adj-values' third).
    (void)oom_.Apply(config_->oom_score_adj, config_->oom_score_adj_values,
                     OomClass::kBackgroundChild);
    // Redis's children's titles, which process monitors look for.
    UpdateProcessTitle(kind == ChildKind::kAofRewrite       ? "redis-aof-rewrite"
                       : kind == ChildKind::kReplicationRdb ? "redis-rdb-to-slaves"
                                                            : "redis-rdb-bgsave");
  });
}

Server::~Server() {
  connections_.clear();
  if (flush_ev_ != nullptr) event_free(flush_ev_);
  CloseAllListeners();
}

void Server::CloseAllListeners() {
  acceptor_.CloseAll();
}

std::string Server::Where() const {
  return "port=" + std::to_string(config_->port != 0 ? config_->port : config_->tls_port);
}

Status Server::Start() {
  // Before anything listens: no request may see the old names.
  if (Status st = service_->ApplyCommandRenames(); !st.ok()) return st;
  (void)ApplyOomScore();  // a configured replica applies its class again when it attaches
  // TLS is configured before anything listens, as in Redis's initServer.
  if (config_->tls_wanted()) {
    Status st = ConfigureTls();
    if (!st.ok()) {
      log_->warn("{}", st.message());
      return Status::Error("Failed to configure TLS. Check logs for more info.");
    }
  }
  for (bool tls : {false, true}) {
    const int64_t port = tls ? config_->tls_port : config_->port;
    if (port == 0) continue;
    Status st = ListenPort(port, tls);
    if (!st.ok()) {
      // Redis's wording: test harnesses look for it to retry on another port.
      log_->warn("Warning: {}", st.message());
      return Status::Error("Failed listening on port " + std::to_string(port) +
                           (tls ? " (TLS), aborting." : " (TCP), aborting."));
    }
  }
  if (!config_->unixsocket.empty()) {
    Status st = acceptor_.ListenUnix(config_->unixsocket, int(config_->unixsocketperm));
    if (!st.ok()) return st;
  }
  if (acceptor_.empty()) return Status::Error("Configured to not listen anywhere, exiting.");
  UpdateProcessTitle(nullptr);
  LogInitialized(*log_, *config_);
  loop_.Every(Millis(1000 / std::max<int64_t>(1, config_->hz)), [this] { Cron(); });
  // Blocked clients time out with better than cron precision.
  loop_.Every(Millis(10), [this] {
    const bool blocked = service_->waiters().blocked_count() > 0;
    if (!blocked && !service_->client_pause().paused()) return;
    service_->set_now(now_ms());
    if (blocked) {
      service_->Cron();
    } else {
      service_->CheckClientPause();  // a CLIENT PAUSE ends on time
    }
    AfterCommands(nullptr);
  });
  // The fence heartbeat: a gap between two runs is a stall (datanode/DESIGN.md "Fencing").
  loop_.Every(Millis(100), [this] { FenceTick(); });
  loop_.OnSignal(SIGTERM, [this] { OnShutdownSignal(SIGTERM); });
  loop_.OnSignal(SIGINT, [this] { OnShutdownSignal(SIGINT); });
  startup_memory_ = AllocatorUsedBytes();
  // Users come before the data, as in Redis (ACLLoadUsersAtStartup runs before loading).
  Status acl = service_->LoadAclAtStartup();
  if (!acl.ok()) return acl;
  Status rdb = StartRdb();
  if (!rdb.ok()) return rdb;
  Status aof = StartAof();
  if (!aof.ok()) return aof;
  replication_ = std::make_unique<Replication>(this, config_, log_.get(), OsRandomSeed());
  // With an AOF loading, replication starts when it is done (AofLoadStep).
  if (!aof_loading_) replication_->Start(RestoredReplicationHistory(service_->rdb));
  // With an AOF still loading, Redis is not ready yet: AofLoadStep says it once the data is in.
  if (!aof_loading_) log_->info("Ready to accept connections");
  return Status::Ok();
}

int Server::Run() {
  loop_.Run();
  return exit_code_;
}

void Server::RemoveFilesOnExit() {
  if (!config_->pidfile.empty()) ::unlink(config_->pidfile.c_str());
  if (!config_->unixsocket.empty()) ::unlink(config_->unixsocket.c_str());
}

void Server::Accept(const net::Acceptor::Accepted& a) {
  const int fd = a.fd;
  const bool tls_port = a.kind == net::Acceptor::Kind::kTls;
  int one = 1;
  if (config_->tcp_keepalive > 0) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  ServerStats& st = service_->stats();
  if (int64_t(connections_.size()) >= config_->maxclients) {
    // Before a handshake nothing readable can be sent on a TLS port: it just drops, as Redis.
    const char* err = "-ERR max number of clients reached\r\n";
    if (!tls_port) (void)!::write(fd, err, std::strlen(err));
    ::close(fd);
    ++st.rejected_connections;
    return;
  }
  const bool deny = config_->protected_mode && service_->acl().default_user()->nopass() &&
                    !net::IsLoopbackPeer(a.peer);
  std::unique_ptr<net::TlsStream> tls;
  if (tls_port) {
    tls = tls_ ? net::TlsStream::Accept(*tls_, fd, net::TlsAuthClients(config_->tls_auth_clients))
               : nullptr;
    if (!tls) {
      log_->warn("Error accepting a client connection: {} (addr={})",
                 tls_ ? net::TakeOpenSslError() : "TLS is not configured",
                 net::SockAddrText(a.peer));
      ::close(fd);
      return;
    }
  }
  if (deny && !tls_port) {
    (void)!::write(fd, net::kProtectedModeError, std::strlen(net::kProtectedModeError));
    ::close(fd);
    ++st.rejected_connections;
    return;
  }
  ++st.total_connections_received;
  // Redis names both ends of a unix-socket client by the socket's path, port 0.
  const bool unix_peer = a.peer.ss_family == AF_UNIX;
  const std::string unix_addr = config_->unixsocket + ":0";
  auto conn = std::make_unique<Connection>(
      this, fd, next_client_id_++, unix_peer ? unix_addr : net::SockAddrText(a.peer),
      unix_peer ? unix_addr : net::SockAddrText(a.local), now_ms(), std::move(tls));
  Connection* c = conn.get();
  if (deny) c->DenyAfterHandshake();
  connections_[&c->session()] = std::move(conn);
  service_->AttachSession(&c->session());
  c->Start();
}

void Server::AfterCommands(Connection* current) {
  // The client of a busy script is inside its own command: running its next request now would
  // run it in the middle of the script (its replies go out when the script ends).
  const Session* busy_caller =
      service_->ScriptTimedOut() ? service_->script_run()->caller : nullptr;
  for (Session* s : service_->TakeWoken()) {
    auto it = connections_.find(s);
    if (it == connections_.end()) {
      if (s->is_master_link && !s->block.active && replication_) ScheduleMasterStreamResume();
      continue;
    }
    Connection* c = it->second.get();
    if (c == current || s == busy_caller) continue;
    if (s->close_asap) {
      c->MarkClosing("killed");
      continue;
    }
    if (!c->Flush()) {
      c->MarkClosing("write error");
      continue;
    }
    if (!s->block.active && c->has_pending_input()) c->ProcessInput();
  }
  ReapClosed();
}

void Server::ScheduleMasterStreamResume() {
  if (master_resume_scheduled_) return;
  master_resume_scheduled_ = true;
  timeval zero{0, 0};
  event_base_once(loop_.base(), -1, EV_TIMEOUT, &Server::OnMasterStreamResume, this, &zero);
}

void Server::OnMasterStreamResume(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Server*>(arg);
  self->master_resume_scheduled_ = false;
  if (self->replication_) self->replication_->ResumeMasterStream();
  self->AfterCommands(nullptr);
}

void Server::FlushReplicaStreams() {
  for (Session* s : service_->woken()) {
    if (!s->is_replica) continue;
    auto it = connections_.find(s);
    if (it == connections_.end() || it->second->closing()) continue;
    if (!it->second->Flush()) it->second->MarkClosing("write error");
  }
}

void Server::FenceTick() {
  service_->FenceTick(mono_now());
  const SentinelFence& fence = service_->fence();
  if (fence.raises() != fence_raises_) {
    fence_raises_ = fence.raises();
    const SentinelFence::RaiseRecord& r = fence.last_raise();
    log_->warn(
        "+fence cause={} sentinels_reached={}/{} timeout_ms={} contact_age_ms_at_raise={} {}",
        FenceCauseName(r.cause), r.sentinels_reached, r.sentinels_known, fence.timeout().count(),
        r.contacts, Where());
  }
  if (fence.lifts() != fence_lifts_) {
    fence_lifts_ = fence.lifts();
    if (!fence.fenced()) {
      log_->warn("-fence writes accepted again sentinels_known={} {}", fence.sentinels_known(),
                 Where());
    }
  }
}

void Server::ReplicaKeepalive(Session& s) {
  if (replication_) replication_->ReplicaKeepalive(s);
}

void Server::Release(Connection* c) {
  std::erase(deferred_, c);
  std::erase(shutdown_waiters_, &c->session());
  service_->DetachSession(&c->session());
  closed_.push_back(c);
}

void Server::ReapClosed() {
  for (Connection* c : std::exchange(closed_, {})) connections_.erase(&c->session());
}

void Server::CloseIdleClients() {
  if (config_->timeout <= 0) return;
  int64_t now = now_ms();
  for (auto& [s, c] : connections_) {
    if (s->is_replica || s->is_master_link || s->block.active || s->subscription_count() > 0)
      continue;
    if (now - s->last_interaction_ms > config_->timeout * 1000) c->MarkClosing("idle timeout");
  }
}

void Server::ClientsCron() {
  const int64_t now = now_ms();
  for (auto& [s, c] : connections_) {
    c->CheckOutputLimitsFromCron();
    c->ResizeQueryBufferFromCron(now);
  }
}

void Server::Cron() {
  if (service_->debug.pause_cron) return;  // DEBUG PAUSE-CRON
  service_->set_now(now_ms());
  if (!service_->loading()) service_->Cron();
  children_->Poll();
  AofCron();
  RdbCron();
  if (replication_) replication_->Cron();
  ShutdownCron();
  peak_memory_ = std::max(peak_memory_, AllocatorUsedBytes());
  CloseIdleClients();
  ClientsCron();
  ReapLuaDebugChildren();
  migrate_sockets_.CloseIdle(now_ms() / 1000);
  AfterCommands(nullptr);
}

Status Server::RewriteConfig() {
  return RewriteConfigFile(false);
}

Status Server::RewriteConfigFile(bool force_all) {
  if (file_.path.empty()) return Status::Error("ERR The server is running without a config file");
  auto current = config::LoadConfigFile(file_.path);
  std::string original = current.ok() ? current.value().text : file_.text;
  auto entries = options_->RewriteEntries();
  // Writing defaults too is what DEBUG CONFIG-REWRITE-FORCE-ALL is for.
  if (force_all) {
    for (auto& e : entries) e.is_default = false;
  }
  // ACL users are written as `user` lines unless they live in an aclfile (Redis's
  // rewriteConfigUserOption); with no lines, old `user` lines are dropped.
  config::OptionRegistry::RewriteEntry users;
  users.name = "user";
  if (config_->aclfile.empty()) {
    for (const auto& [name, user] : service_->acl().users()) {
      std::vector<std::string> words{name};
      std::string rules = user->Describe();
      for (size_t start = 0; start < rules.size();) {
        size_t sp = rules.find(' ', start);
        if (sp == std::string::npos) sp = rules.size();
        words.push_back(rules.substr(start, sp - start));
        start = sp + 1;
      }
      users.lines.push_back(std::move(words));
    }
  }
  entries.push_back(std::move(users));
  std::string text = config::RewriteConfigText(original, file_.syntax, entries);
  Status st = config::WriteFileAtomically(file_.path, text);
  if (!st.ok()) {
    log_->warn("CONFIG REWRITE failed: {} {}", st.message(), Where());
    return Status::Error("ERR Rewriting config file: " + st.message());
  }
  file_.text = text;
  log_->info("CONFIG REWRITE executed with success. {}", Where());
  return Status::Ok();
}

void Server::CloseListenersInChild() {
  acceptor_.CloseFdsInChild();
}

void Server::DetachLazyFreeInChild() {
  // Jobs queued before the fork stay in the child's copy of the queue, unfreed: the child's
  // copy of that memory goes with the child when it exits.
  service_->keyspace().lazy_free().freer = nullptr;
}

bool Server::ApplyOomScore() {
  const OomClass cls = service_->keyspace().replica_mode() ? OomClass::kReplica : OomClass::kMaster;
  Status st = oom_.Apply(config_->oom_score_adj, config_->oom_score_adj_values, cls);
  if (!st.ok()) log_->warn("{} {}", st.message(), Where());
  return st.ok();
}

void Server::OnConfigChanged(const std::string& name) {
  if (name == "proc-title-template" || name == "port" || name == "tls-port" || name == "bind") {
    UpdateProcessTitle(nullptr);
  }
  if (name == "loglevel") {
    spdlog::level::level_enum lvl;
    if (ParseRedisLogLevel(config_->loglevel, &lvl)) log_->set_level(lvl);
  }
}

}  // namespace vigil::datanode
