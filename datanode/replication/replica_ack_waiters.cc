#include "datanode/replication/replica_ack_waiters.h"

#include <algorithm>

namespace vigil::datanode {

std::optional<int> ReplicaAckWaiters::Wait(uint64_t client_id, int64_t offset, int64_t numreplicas,
                                           int64_t deadline_ms, bool may_block,
                                           const MasterFsm& replicas) {
  const int acked = replicas.CountAcked(offset);
  if (acked >= numreplicas || !may_block) return acked;
  waiters_.push_back(Waiter{client_id, offset, numreplicas, deadline_ms});
  return std::nullopt;
}

std::vector<ReplicaAckWaiters::Answer> ReplicaAckWaiters::Serve(const MasterFsm& replicas,
                                                                int64_t now_ms) {
  std::vector<Answer> answers;
  std::erase_if(waiters_, [&](const Waiter& w) {
    const int acked = replicas.CountAcked(w.offset);
    // ACKs can only help; the periodic call also ends waits whose timeout passed.
    const bool done = acked >= w.numreplicas || (w.deadline_ms > 0 && now_ms >= w.deadline_ms);
    if (done) answers.push_back(Answer{w.client_id, acked});
    return done;
  });
  return answers;
}

void ReplicaAckWaiters::Forget(uint64_t client_id) {
  std::erase_if(waiters_, [client_id](const Waiter& w) { return w.client_id == client_id; });
}

}  // namespace vigil::datanode
