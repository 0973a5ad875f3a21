#pragma once
// FailoverHandoff: the master's side of FAILOVER (Redis 6.2+ coordinated handoff) as a state
// machine. Writes pause, the replicas are asked for an ACK at once, and the first replica (or the
// named target) that has acknowledged our whole stream is handed the role: we become its replica
// with `PSYNC <replid> <offset> FAILOVER`, which makes it promote itself and answer +CONTINUE.
// Writes held during the pause run afterwards and get -READONLY, so no acknowledged write is
// lost. Redis 7.0 waits for the replicas' once-a-second REPLCONF ACK; asking for an ACK the moment
// writes pause keeps the pause to a few round trips.
//
// Pure: fed with the request, the time, our stream position, the replicas as MasterFsm sees them
// and whether the link to the new master is up; it emits actions the shell executes in order.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "datanode/replication/master_fsm.h"
#include "datanode/replication/replica_fsm.h"

namespace vigil::datanode {

// FAILOVER's arguments, parsed.
struct FailoverRequest {
  bool abort = false;
  bool has_target = false;
  std::string host;
  int64_t port = 0;
  bool force = false;
  int64_t timeout_ms = 0;  // 0 = none
};

namespace failover_action {
// Pause writes and the periodic PING (so the target can reach our final offset) and ask every
// replica for an ACK.
struct PauseWrites {};
// Follow `host:port`, asking `PSYNC <position> FAILOVER`. `ack_offset` is what the target had
// acknowledged; `paused_ms` how long writes have been paused.
struct HandOver {
  std::string host;
  int64_t port = 0;
  ReplPosition position;
  int64_t ack_offset = 0;
  int64_t paused_ms = 0;
};
// The handoff did not complete after we became a replica: be a master again.
struct Promote {
  std::string why;
};
// The failover is over: resume writes and PINGs.
struct End {
  std::string why;
  int64_t paused_ms = 0;
};
}  // namespace failover_action

using FailoverAction = std::variant<failover_action::PauseWrites, failover_action::HandOver,
                                    failover_action::Promote, failover_action::End>;

class FailoverHandoff {
 public:
  // FAILOVER [TO host port [FORCE]] [TIMEOUT ms] / FAILOVER ABORT. Returns Redis's error text
  // when the request is refused (nothing emitted), "" when accepted.
  std::string Request(const FailoverRequest& request, bool we_are_replica,
                      const MasterFsm& replicas, int64_t now_ms, int64_t offset,
                      std::vector<FailoverAction>* out);
  // SHUTDOWN ABORT during a shutdown handoff: FAILOVER ABORT's effect, if one runs.
  void Abort(const std::string& why, int64_t now_ms, std::vector<FailoverAction>* out);
  // Called from the cron and whenever an ACK arrives or the master link changes.
  void Tick(int64_t now_ms, int64_t offset, const std::string& replid, const MasterFsm& replicas,
            bool master_link_up, std::vector<FailoverAction>* out);

  bool active() const { return active_; }
  // PSYNC FAILOVER has been sent: we are the target's replica until it answers or time runs out.
  bool in_progress() const { return in_progress_; }
  // INFO's master_failover_state.
  const char* StateName() const;

 private:
  void End(const std::string& why, int64_t now_ms, std::vector<FailoverAction>* out);

  bool active_ = false;
  bool in_progress_ = false;
  std::string host_;  // target, or "" for any replica that catches up
  int64_t port_ = 0;
  bool force_ = false;
  int64_t deadline_ms_ = 0;  // 0 = none
  // Our offset when writes were paused, before the REPLCONF GETACK * that asks the replicas to
  // acknowledge it (the GETACK's own bytes are counted only after the replica answers).
  int64_t target_offset_ = 0;
  int64_t paused_at_ms_ = 0;
};

}  // namespace vigil::datanode
