// FAILOVER's shell: FailoverHandoff (datanode/replication) decides; this file pauses the clients,
// asks for ACKs, follows the target and logs.
#include "datanode/commands/command_context.h"
#include "datanode/server/replication.h"
#include "datanode/server/server.h"

namespace vigil::datanode {

void Replication::Failover(Session& s, resp::ReplyWriter& w, const FailoverRequest& request) {
  std::vector<FailoverAction> actions;
  const std::string error =
      failover_.Request(request, replica_link_.fsm().is_replica(), master_links_.fsm(),
                        server_->now_ms(), master_links_.history().offset(), &actions);
  if (!error.empty()) return w.Error(error);
  ExecuteFailover(actions);
  if (!request.abort) {
    log_->warn(
        "FAILOVER requested to {} by '{}'",
        request.has_target ? request.host + ":" + std::to_string(request.port) : "any replica",
        s.addr);
  }
  w.Ok();
}

void Replication::FailoverCron() {
  if (!failover_.active()) return;
  std::vector<FailoverAction> actions;
  const ReplicationHistory& history = master_links_.history();
  failover_.Tick(server_->now_ms(), history.offset(), history.ids().replid, master_links_.fsm(),
                 replica_link_.fsm().connected(), &actions);
  ExecuteFailover(actions);
}

void Replication::ExecuteFailover(const std::vector<FailoverAction>& actions) {
  for (const FailoverAction& action : actions) {
    if (std::holds_alternative<failover_action::PauseWrites>(action)) {
      master_links_.set_pings_paused(true);
      server_->service().PauseClients(PausePurpose::kFailover, INT64_MAX, PauseType::kWrite);
      ScheduleGetAck();
    } else if (const auto* h = std::get_if<failover_action::HandOver>(&action)) {
      log_->warn("FAILOVER: target {}:{} has offset {} ({} ms after the pause); handing over",
                 h->host, h->port, h->ack_offset, h->paused_ms);
      replica_link_.set_psync_failover(true);
      BecomeReplica(h->host, h->port, h->position);
      replica_link_.ConnectNow();
    } else if (const auto* p = std::get_if<failover_action::Promote>(&action)) {
      Promote(p->why.c_str());
    } else if (const auto* e = std::get_if<failover_action::End>(&action)) {
      log_->warn("FAILOVER ended after {} ms of paused writes: {}", e->paused_ms, e->why);
      master_links_.set_pings_paused(false);
      ResumePaused(PausePurpose::kFailover);
    }
  }
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
  if (failover_.active() || !fsm.is_replica() || !fsm.connected()) return std::nullopt;
  return HostPort{fsm.master_host(), int(fsm.master_port())};
}

void Replication::AbortFailover() {
  std::vector<FailoverAction> actions;
  failover_.Abort("aborted by SHUTDOWN ABORT", server_->now_ms(), &actions);
  ExecuteFailover(actions);
}

void Replication::ResumePaused(PausePurpose purpose) {
  Service& svc = server_->service();
  svc.set_now(server_->now_ms());
  svc.UnpauseClients(purpose);
  svc.CheckClientPause();
}

}  // namespace vigil::datanode
