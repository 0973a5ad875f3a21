#include "datanode/replication/shutdown_gate.h"

namespace vigil::datanode {

bool ReplicasCaughtUp(const MasterFsm& fsm, int64_t offset) {
  for (const auto& [id, r] : fsm.replicas()) {
    if (r.rdb_only) continue;  // redis-cli --rdb: it never acknowledges anything
    if (r.ack_offset != offset) return false;
  }
  return true;
}

std::vector<LaggingReplica> LaggingReplicas(const MasterFsm& fsm, int64_t offset, MonoTime now) {
  std::vector<LaggingReplica> out;
  for (const auto& [id, r] : fsm.replicas()) {
    if (r.rdb_only || r.ack_offset == offset) continue;
    LaggingReplica l;
    l.name = r.ip() + ":" + std::to_string(r.listening_port);
    l.behind = offset - r.ack_offset;
    l.lag_seconds = r.state == ReplicaSyncState::kOnline ? MasterFsm::LagSeconds(r, now) : 0;
    l.state = ReplicaSyncStateName(r.state);
    out.push_back(std::move(l));
  }
  return out;
}

bool ShutdownGate::Begin(MonoTime now, bool now_flag, Millis timeout, bool replicas_caught_up) {
  if (now_flag || timeout <= Millis(0) || replicas_caught_up) {
    waiting_ = false;
    return true;
  }
  waiting_ = true;
  deadline_ = now + timeout;
  return false;
}

bool ShutdownGate::ShouldFinish(MonoTime now, bool replicas_caught_up) const {
  return waiting_ && (replicas_caught_up || now >= deadline_);
}

}  // namespace vigil::datanode
