#pragma once
// ReplicaAckWaiters: WAIT's bookkeeping. A client asks for `numreplicas` replicas to have
// acknowledged its last write (the stream offset after it); it is answered at once when they
// have, or when it may not block (inside MULTI or a script), else it waits until enough ACKs
// arrive or its timeout passes, and is then told how many replicas had acknowledged. Pure: the
// shell feeds ACKs and time and writes the answers.
#include <cstdint>
#include <optional>
#include <vector>

#include "datanode/replication/master_fsm.h"

namespace vigil::datanode {

class ReplicaAckWaiters {
 public:
  struct Answer {
    uint64_t client_id = 0;
    int acked = 0;
  };

  // WAIT from `client_id` whose last write ended at `offset`. Returns the reply when it is due
  // now; otherwise the client waits (`deadline_ms` 0: no timeout) and nullopt is returned.
  std::optional<int> Wait(uint64_t client_id, int64_t offset, int64_t numreplicas,
                          int64_t deadline_ms, bool may_block, const MasterFsm& replicas);
  // After ACKs arrive and from the cron: the waits now satisfied or timed out, in the order the
  // clients started waiting.
  std::vector<Answer> Serve(const MasterFsm& replicas, int64_t now_ms);
  // The client went away.
  void Forget(uint64_t client_id);
  bool empty() const { return waiters_.empty(); }

 private:
  struct Waiter {
    uint64_t client_id = 0;
    int64_t offset = 0;
    int64_t numreplicas = 0;
    int64_t deadline_ms = 0;
  };
  std::vector<Waiter> waiters_;
};

}  // namespace vigil::datanode
