#pragma once
// ShutdownGate: Redis 7.0's shutdown-timeout rule for a master with replicas (pure). SHUTDOWN
// (or SIGTERM) without NOW, with shutdown-timeout > 0 and a replica that has not acknowledged the
// current offset, does not exit at once: writes are paused, REPLCONF GETACK goes out, and the
// server finishes when every replica has acknowledged the final offset or the timeout passes,
// whichever comes first. SHUTDOWN ABORT cancels the wait.
#include <cstdint>
#include <string>
#include <vector>

#include "common/time/mono_time.h"
#include "datanode/replication/master_fsm.h"

namespace vigil::datanode {

// Redis's isReadyToShutdown: every attached replica acknowledged `offset` (true with none).
bool ReplicasCaughtUp(const MasterFsm& fsm, int64_t offset);

struct LaggingReplica {
  std::string name;  // ip:port
  int64_t behind = 0;
  int64_t lag_seconds = 0;
  const char* state = "";
};
// The replicas that have not acknowledged `offset`, for the log line Redis writes at exit.
std::vector<LaggingReplica> LaggingReplicas(const MasterFsm& fsm, int64_t offset, MonoTime now);

class ShutdownGate {
 public:
  // A shutdown starts at `now`. Returns true when it may finish right away (NOW, a zero
  // timeout, or replicas already caught up); otherwise it waits until `now + timeout`.
  bool Begin(MonoTime now, bool now_flag, Millis timeout, bool replicas_caught_up);
  // While waiting: true once the replicas caught up or the deadline passed.
  bool ShouldFinish(MonoTime now, bool replicas_caught_up) const;
  bool waiting() const { return waiting_; }
  MonoTime deadline() const { return deadline_; }
  // The shutdown finished, failed or was aborted.
  void Reset() { waiting_ = false; }

 private:
  bool waiting_ = false;
  MonoTime deadline_;
};

}  // namespace vigil::datanode
