// FAILOVER (Redis 6.2+ coordinated handoff): pause writes, wait until the target replica has
// acknowledged our whole stream, then become its replica with `PSYNC <replid> <offset>
// FAILOVER`, which makes it promote itself and answer +CONTINUE. Writes held during the pause
// run afterwards (and get -READONLY, since we are a replica by then), so no acknowledged write
// can be lost. Redis 7.0 does the same (pauseClients with CLIENT_PAUSE_WRITE until the failover
// ends, then the held writes are processed by a replica) but waits for the replicas' periodic
// once-a-second REPLCONF ACK; Vigil asks for an ACK the moment writes pause, so the pause lasts
// a few round trips.
#include "datanode/commands/command_context.h"
#include "datanode/server/replication.h"
#include "datanode/server/server.h"

namespace vigil::datanode {

void Replication::Failover(Session& s, resp::ReplyWriter& w, const FailoverRequest& request) {
  if (request.abort) {
    if (!failover_.active) return w.Error("ERR No failover in progress.");
    if (failover_.in_progress) Promote("FAILOVER aborted");
    EndFailover("aborted by user");
    return w.Ok();
  }
  if (replica_link_.fsm().is_replica()) {
    return w.Error("ERR FAILOVER is not valid when server is a replica.");
  }
  if (master_links_.fsm().count() == 0) return w.Error("ERR FAILOVER requires connected replicas.");
  if (failover_.active) return w.Error("ERR FAILOVER already in progress.");
  if (request.has_target) {
    const ReplicaRecord* target = nullptr;
    for (const auto& [id, r] : master_links_.fsm().replicas()) {
      if (r.ip() == request.host && r.listening_port == request.port) target = &r;
    }
    if (target == nullptr) return w.Error("ERR FAILOVER target HOST and PORT is not a replica.");
    if (target->state != ReplicaSyncState::kOnline) {
      return w.Error("ERR FAILOVER target replica is not online.");
    }
  }
  failover_ = FailoverState{};
  failover_.active = true;
  failover_.host = request.has_target ? request.host : "";
  failover_.port = request.port;
  failover_.force = request.force;
  failover_.deadline_ms = request.timeout_ms > 0 ? server_->now_ms() + request.timeout_ms : 0;
  failover_.paused_at_ms = server_->now_ms();
  failover_.target_offset = master_links_.history().offset();
  master_links_.set_pings_paused(true);
  server_->service().PauseClients(PausePurpose::kFailover, INT64_MAX, PauseType::kWrite);
  ScheduleGetAck();
  log_->warn("FAILOVER requested to {} by '{}'",
             request.has_target ? request.host + ":" + std::to_string(request.port) : "any replica",
             s.addr);
  w.Ok();
}

void Replication::FailoverCron() {
  if (!failover_.active) return;
  const int64_t now_ms = server_->now_ms();
  const bool expired = failover_.deadline_ms > 0 && now_ms >= failover_.deadline_ms;
  if (failover_.in_progress) {
    if (replica_link_.fsm().connected()) {
      EndFailover("Failover target is now our master");
    } else if (expired) {
      Promote("FAILOVER timed out before the target answered");
      EndFailover("timeout");
    }
    return;
  }
  const int64_t offset = master_links_.history().offset();
  const ReplicaRecord* chosen = nullptr;
  const ReplicaRecord* target = nullptr;
  for (const auto& [id, r] : master_links_.fsm().replicas()) {
    if (r.state != ReplicaSyncState::kOnline) continue;
    const bool is_target =
        failover_.host.empty() || (r.ip() == failover_.host && r.listening_port == failover_.port);
    if (!is_target) continue;
    target = &r;
    // Writes (and our PINGs) are paused, so only our GETACK follows target_offset in the stream.
    // A replica answers GETACK with the offset before it and counts the GETACK in the same
    // event-loop pass, long before the PSYNC FAILOVER handshake (several round trips) reaches
    // it, so PSYNC at our full offset continues there.
    if (r.ack_offset >= offset || r.ack_offset >= failover_.target_offset) {
      chosen = &r;
      break;
    }
  }
  if (chosen == nullptr) {
    if (!expired) return;
    if (!(failover_.force && target != nullptr && !failover_.host.empty())) {
      return EndFailover("timed out waiting for the replica to catch up");
    }
    chosen = target;
  }
  failover_.in_progress = true;
  failover_.host = chosen->ip();
  failover_.port = chosen->listening_port;
  log_->warn("FAILOVER: target {}:{} has offset {} ({} ms after the pause); handing over",
             failover_.host, failover_.port, chosen->ack_offset, now_ms - failover_.paused_at_ms);
  ReplPosition history{master_links_.history().ids().replid, offset};
  replica_link_.set_psync_failover(true);
  BecomeReplica(failover_.host, failover_.port, history);
  replica_link_.ConnectNow();
}

void Replication::ScheduleFailoverCron() {
  if (failover_cron_scheduled_) return;
  failover_cron_scheduled_ = true;
  timeval zero{0, 0};
  event_base_once(server_->base(), -1, EV_TIMEOUT, &Replication::OnFailoverTimer, this, &zero);
}

void Replication::OnFailoverTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Replication*>(arg);
  self->failover_cron_scheduled_ = false;
  self->FailoverCron();
  self->server_->AfterCommands(nullptr);
}

bool Replication::HasOnlineReplica() const {
  for (const auto& [id, r] : master_links_.fsm().replicas()) {
    if (r.state == ReplicaSyncState::kOnline && !r.rdb_only) return true;
  }
  return false;
}

std::optional<HostPort> Replication::FollowingAfterHandoff() const {
  const ReplicaFsm& fsm = replica_link_.fsm();
  if (failover_.active || !fsm.is_replica() || !fsm.connected()) return std::nullopt;
  return HostPort{fsm.master_host(), int(fsm.master_port())};
}

void Replication::AbortFailover() {
  if (!failover_.active) return;
  if (failover_.in_progress) Promote("FAILOVER aborted");
  EndFailover("aborted by SHUTDOWN ABORT");
}

void Replication::EndFailover(const char* why) {
  log_->warn("FAILOVER ended after {} ms of paused writes: {}",
             server_->now_ms() - failover_.paused_at_ms, why);
  failover_ = FailoverState{};
  master_links_.set_pings_paused(false);
  ResumePaused(PausePurpose::kFailover);
}

void Replication::ResumePaused(PausePurpose purpose) {
  Service& svc = server_->service();
  svc.set_now(server_->now_ms());
  svc.UnpauseClients(purpose);
  svc.CheckClientPause();
}

}  // namespace vigil::datanode
