#include "datanode/server/replication.h"

#include "datanode/commands/command_context.h"
#include "datanode/replication/shutdown_gate.h"
#include "datanode/server/server.h"

namespace vigil::datanode {

std::optional<ReplPosition> RestoredReplicationHistory(const RdbStatus& rdb) {
  if (rdb.loaded_repl_id.size() != 40 || rdb.loaded_repl_offset < 0) return std::nullopt;
  return ReplPosition{rdb.loaded_repl_id, rdb.loaded_repl_offset};
}

Replication::Replication(Server* server, DatanodeConfig* config, spdlog::logger* log, uint64_t seed)
    : server_(server),
      config_(config),
      log_(log),
      master_links_(server, config, log, seed),
      replica_link_(server, &master_links_, config, log) {
  master_links_.on_ack = [this] {
    ServeWaiters();
    FailoverCron();
  };
  replica_link_.on_synced = [this] {
    if (failover_.in_progress()) ScheduleFailoverCron();
  };
}

Replication::~Replication() {
  server_->service().remove_propagator(&master_links_);
  server_->service().set_replication(nullptr);
}

void Replication::Start(std::optional<ReplPosition> restored) {
  Service& svc = server_->service();
  svc.add_propagator(&master_links_);
  svc.set_replication(this);
  const bool replica = !config_->replicaof_host.empty();
  if (restored) master_links_.history().Restore(restored->replid, restored->offset, replica);
  if (replica) BecomeReplica(config_->replicaof_host, config_->replicaof_port, restored);
}

void Replication::Cron() {
  const MonoTime now = server_->mono_now();
  master_links_.Cron(now);
  if (getack_deferred_ && !server_->service().client_pause().paused()) {
    getack_deferred_ = false;
    master_links_.SendGetAck();
  }
  replica_link_.Cron();
  ServeWaiters();
  FailoverCron();
}

ReplicationInfo Replication::Info() const {
  ReplicationInfo info;
  const MonoTime now = server_->mono_now();
  if (replica_link_.fsm().is_replica()) info.master = replica_link_.Info();
  for (const auto& [id, r] : master_links_.fsm().replicas()) {
    if (r.rdb_only) continue;
    info.replicas.push_back({r.ip(), r.listening_port, ReplicaSyncStateName(r.state), r.ack_offset,
                             MasterFsm::LagSeconds(r, now)});
  }
  if (config_->min_replicas_to_write > 0 && config_->min_replicas_max_lag > 0) {
    info.min_slaves_good_slaves = master_links_.fsm().CountGood(now, config_->min_replicas_max_lag);
  }
  info.failover_state = failover_.StateName();
  info.ids = master_links_.history().ids();
  info.master_repl_offset = master_links_.history().offset();
  info.backlog_size = config_->repl_backlog_size;
  if (const Backlog* b = master_links_.history().backlog()) {
    info.backlog_active = true;
    info.backlog_first_byte_offset = b->first_byte_offset();
    info.backlog_histlen = b->histlen();
  }
  return info;
}

void Replication::BecomeReplica(const std::string& host, int64_t port,
                                std::optional<ReplPosition> history) {
  Service& svc = server_->service();
  svc.DisconnectBlockedClients();
  svc.keyspace().set_replica_mode(true);
  server_->ApplyOomScore();
  master_links_.set_replica_role(true);
  config_->replicaof_host = host;
  config_->replicaof_port = port;
  replica_link_.ReplicaOf(host, port, std::move(history));
}

void Replication::Promote(const char* why) {
  Service& svc = server_->service();
  replica_link_.ReplicaOf("", 0, std::nullopt);
  master_links_.history().Shift(master_links_.NewReplid());
  master_links_.set_replica_role(false);
  master_links_.ForceSelect();
  // Sub-replicas reconnect and continue through replid2
  // (docs/datanode-protocol.md, "PSYNC2 id handling").
  master_links_.DropReplicas();
  svc.keyspace().set_replica_mode(false);
  server_->ApplyOomScore();
  config_->replicaof_host.clear();
  config_->replicaof_port = 0;
  log_->warn(
      "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
      master_links_.history().ids().replid2, master_links_.history().ids().second_replid_offset,
      master_links_.history().ids().replid);
  log_->warn("MASTER MODE enabled ({})", why);
}

void Replication::ReplicaOf(Session& s, resp::ReplyWriter& w, const std::string& host,
                            int64_t port) {
  const ReplicaFsm& fsm = replica_link_.fsm();
  if (failover_.active()) return w.Error("ERR REPLICAOF not allowed while failing over.");
  if (host.empty()) {
    if (fsm.is_replica()) Promote(("user request from '" + s.addr + "'").c_str());
    return w.Ok();
  }
  if (fsm.is_replica() && fsm.master_host() == host && fsm.master_port() == port) {
    log_->info(
        "REPLICAOF would result into synchronization with the master we are already "
        "connected with. No operation performed.");
    return w.Simple("OK Already connected to specified master");
  }
  std::optional<ReplPosition> history;
  if (!fsm.is_replica()) {
    // "Using my own master parameters to synthesize a cached master", minus the tail that
    // carries no data (replication/DESIGN.md, "Rejoining after a failover").
    const int64_t dropped = master_links_.history().DiscardNonDataTail();
    if (dropped > 0) {
      log_->info(
          "Discarded the last {} bytes of the replication stream (no data since offset {}), so "
          "a master promoted before them can continue with us",
          dropped, master_links_.history().offset());
    }
    // Restarted from an RDB as a master, and nobody has seen the id we took since (no byte
    // written, no replica attached): ask under the id the RDB carried, which the node we now
    // follow may know; ours it cannot (replication/DESIGN.md, "Handoff on shutdown").
    const ReplicationIds& ids = master_links_.history().ids();
    history = ReplPosition{master_links_.history().restored_id_unseen() ? ids.replid2 : ids.replid,
                           master_links_.history().offset()};
  } else if (fsm.connected()) {
    history = ReplPosition{fsm.master_replid(), fsm.reploff()};
  } else {
    history = fsm.cached_master();
  }
  BecomeReplica(host, port, std::move(history));
  log_->warn("REPLICAOF {}:{} enabled (user request from '{}')", host, port, s.addr);
  w.Ok();
}

void Replication::Replconf(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args) {
  if (replica_link_.is_master_session(s)) {
    if (!args.empty() && EqualsIgnoreCase(args[0], "getack")) replica_link_.OnGetAck();
    return;
  }
  master_links_.Replconf(s, w, args);
}

void Replication::Sync(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args,
                       bool psync) {
  if (psync && args.size() >= 3 && EqualsIgnoreCase(args[2], "failover")) {
    if (args[0] != master_links_.history().ids().replid) {
      return w.Error("ERR PSYNC FAILOVER replid must match my replid.");
    }
    log_->warn("Failover request received for replid {}.", args[0]);
    if (replica_link_.fsm().is_replica()) Promote("failover request");
  }
  const ReplicaFsm& fsm = replica_link_.fsm();
  master_links_.Sync(s, w, args, psync, !fsm.is_replica() || fsm.connected());
}

void Replication::Wait(Session& s, resp::ReplyWriter& w, int64_t numreplicas, int64_t timeout_ms,
                       bool may_block) {
  const int64_t deadline_ms = timeout_ms > 0 ? server_->now_ms() + timeout_ms : 0;
  if (std::optional<int> acked = waiters_.Wait(s.id, s.repl_woff, numreplicas, deadline_ms,
                                               may_block, master_links_.fsm())) {
    return w.Integer(*acked);
  }
  s.block.active = true;
  ScheduleGetAck();
}

void Replication::ScheduleGetAck() {
  // Once per event-loop iteration, however many clients started waiting in it.
  if (getack_scheduled_) return;
  getack_scheduled_ = true;
  timeval zero{0, 0};
  event_base_once(server_->base(), -1, EV_TIMEOUT, &Replication::OnGetAckTimer, this, &zero);
}

void Replication::OnGetAckTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Replication*>(arg);
  self->getack_scheduled_ = false;
  if (self->server_->service().client_pause().paused() && !self->failover_.active() &&
      !self->shutdown_pause_) {
    self->getack_deferred_ = true;
    return;
  }
  self->master_links_.SendGetAck();
  self->server_->AfterCommands(nullptr);
}

void Replication::ServeWaiters() {
  if (waiters_.empty()) return;
  Service& svc = server_->service();
  for (const ReplicaAckWaiters::Answer& a :
       waiters_.Serve(master_links_.fsm(), server_->now_ms())) {
    auto it = svc.sessions().find(a.client_id);
    if (it == svc.sessions().end()) continue;
    Session* s = it->second;
    s->block.active = false;
    resp::ReplyWriter(&s->out, s->proto).Integer(a.acked);
    svc.NoteWoken(s);
  }
}

bool Replication::MasterLinkDown() const {
  const ReplicaFsm& fsm = replica_link_.fsm();
  return fsm.is_replica() && !fsm.connected();
}

bool Replication::EnoughGoodReplicas() const {
  if (replica_link_.fsm().is_replica() || config_->min_replicas_to_write <= 0 ||
      config_->min_replicas_max_lag <= 0) {
    return true;
  }
  return master_links_.fsm().CountGood(server_->mono_now(), config_->min_replicas_max_lag) >=
         config_->min_replicas_to_write;
}

bool Replication::ReplicasCaughtUp() const {
  return datanode::ReplicasCaughtUp(master_links_.fsm(), master_links_.history().offset());
}

void Replication::LogReplicasAtShutdown() const {
  const MasterFsm& fsm = master_links_.fsm();
  size_t total = 0;
  for (const auto& [id, r] : fsm.replicas()) total += r.rdb_only ? 0 : 1;
  if (total == 0) return;
  const auto lagging = LaggingReplicas(fsm, master_links_.history().offset(), server_->mono_now());
  for (const LaggingReplica& l : lagging) {
    log_->warn("Lagging replica {} reported offset {} behind master, lag={}, state={}.", l.name,
               l.behind, l.lag_seconds, l.state);
  }
  log_->info("{} of {} replicas are in sync when shutting down.", total - lagging.size(), total);
}

void Replication::ResumeMasterStream() {
  replica_link_.ResumeAfterHold();
}

void Replication::ReplicaKeepalive(Session& s) {
  master_links_.Keepalive(s, server_->mono_now());
}

void Replication::PauseWritesForShutdown() {
  shutdown_pause_ = true;
  server_->service().PauseClients(PausePurpose::kShutdown, INT64_MAX, PauseType::kWrite);
  // As during any Redis client pause, no PING moves the offset the replicas must reach.
  master_links_.set_pings_paused(true);
}

void Replication::ResumeWritesAfterShutdown() {
  shutdown_pause_ = false;
  if (!failover_.active()) master_links_.set_pings_paused(false);
  ResumePaused(PausePurpose::kShutdown);
}

void Replication::OnSessionClosed(Session& s) {
  waiters_.Forget(s.id);
  master_links_.OnSessionClosed(s);
}

}  // namespace vigil::datanode
