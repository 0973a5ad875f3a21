#include "datanode/replication/failover_handoff.h"

namespace vigil::datanode {

std::string FailoverHandoff::Request(const FailoverRequest& request, bool we_are_replica,
                                     const MasterFsm& replicas, int64_t now_ms, int64_t offset,
                                     std::vector<FailoverAction>* out) {
  if (request.abort) {
    if (!active_) return "ERR No failover in progress.";
    Abort("aborted by user", now_ms, out);
    return "";
  }
  if (we_are_replica) return "ERR FAILOVER is not valid when server is a replica.";
  if (replicas.count() == 0) return "ERR FAILOVER requires connected replicas.";
  if (active_) return "ERR FAILOVER already in progress.";
  if (request.has_target) {
    const ReplicaRecord* target = nullptr;
    for (const auto& [id, r] : replicas.replicas()) {
      if (r.ip() == request.host && r.listening_port == request.port) target = &r;
    }
    if (target == nullptr) return "ERR FAILOVER target HOST and PORT is not a replica.";
    if (target->state != ReplicaSyncState::kOnline) {
      return "ERR FAILOVER target replica is not online.";
    }
  }
  *this = FailoverHandoff{};
  active_ = true;
  host_ = request.has_target ? request.host : "";
  port_ = request.port;
  force_ = request.force;
  deadline_ms_ = request.timeout_ms > 0 ? now_ms + request.timeout_ms : 0;
  paused_at_ms_ = now_ms;
  target_offset_ = offset;
  out->push_back(failover_action::PauseWrites{});
  return "";
}

void FailoverHandoff::Abort(const std::string& why, int64_t now_ms,
                            std::vector<FailoverAction>* out) {
  if (!active_) return;
  if (in_progress_) out->push_back(failover_action::Promote{"FAILOVER aborted"});
  End(why, now_ms, out);
}

void FailoverHandoff::Tick(int64_t now_ms, int64_t offset, const std::string& replid,
                           const MasterFsm& replicas, bool master_link_up,
                           std::vector<FailoverAction>* out) {
  if (!active_) return;
  const bool expired = deadline_ms_ > 0 && now_ms >= deadline_ms_;
  if (in_progress_) {
    if (master_link_up) {
      End("Failover target is now our master", now_ms, out);
    } else if (expired) {
      out->push_back(failover_action::Promote{"FAILOVER timed out before the target answered"});
      End("timeout", now_ms, out);
    }
    return;
  }
  const ReplicaRecord* chosen = nullptr;
  const ReplicaRecord* target = nullptr;
  for (const auto& [id, r] : replicas.replicas()) {
    if (r.state != ReplicaSyncState::kOnline) continue;
    const bool is_target = host_.empty() || (r.ip() == host_ && r.listening_port == port_);
    if (!is_target) continue;
    target = &r;
    // Writes (and our PINGs) are paused, so only our GETACK follows target_offset_ in the stream.
    // A replica answers GETACK with the offset before it and counts the GETACK in the same
    // event-loop pass, long before the PSYNC FAILOVER handshake (several round trips) reaches it,
    // so PSYNC at our full offset continues there.
    if (r.ack_offset >= offset || r.ack_offset >= target_offset_) {
      chosen = &r;
      break;
    }
  }
  if (chosen == nullptr) {
    if (!expired) return;
    if (!(force_ && target != nullptr && !host_.empty())) {
      return End("timed out waiting for the replica to catch up", now_ms, out);
    }
    chosen = target;  // FORCE: hand over anyway once the time is up
  }
  in_progress_ = true;
  host_ = chosen->ip();
  port_ = chosen->listening_port;
  out->push_back(failover_action::HandOver{host_, port_, ReplPosition{replid, offset},
                                           chosen->ack_offset, now_ms - paused_at_ms_});
}

const char* FailoverHandoff::StateName() const {
  return !active_ ? "no-failover" : in_progress_ ? "failover-in-progress" : "waiting-for-sync";
}

void FailoverHandoff::End(const std::string& why, int64_t now_ms,
                          std::vector<FailoverAction>* out) {
  const int64_t paused_ms = now_ms - paused_at_ms_;
  *this = FailoverHandoff{};
  out->push_back(failover_action::End{why, paused_ms});
}

}  // namespace vigil::datanode
