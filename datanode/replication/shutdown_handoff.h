#pragma once
// ShutdownHandoff: a master that is asked to shut down hands its role to a replica first
// (datanode/replication/DESIGN.md, "Handoff on shutdown"). Pure: the shell feeds it the
// sentinels this node has heard from, their replies, the moment this node starts following
// another one, and the time; it answers with the next step.
//
//   asking      SENTINEL FAILOVER <name> COORDINATED to one sentinel after another until one
//               accepts (+OK); each refusal or broken link moves to the next.
//   handing     the accepting sentinel runs its election and sends us FAILOVER TO <replica>;
//               our FAILOVER pauses writes, waits for the replica and hands over.
//   confirming  we follow the new master; SENTINEL MASTER <name> to every sentinel until each
//               names it (or stops answering), so a client asking any of them finds it before
//               we exit. SENTINEL MASTER, not GET-MASTER-ADDR-BY-NAME: the leader switches the
//               latter at the promotion but the former, which redis-py's discovery reads, only
//               when the failover ends.
//   finished    shut down now (handed over, or gave up: no sentinel, all refused, deadline).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/host_port.h"
#include "common/time/mono_time.h"

namespace vigil::datanode {

struct HandoffSentinel {
  HostPort addr;
  std::string master_name;  // the name it monitors this node under
};

struct HandoffStep {
  enum class Kind {
    kWait,    // nothing to do until the next input or tick
    kSend,    // send `argv` to sentinels[sentinel] (a fresh connection is fine)
    kFinish,  // continue the shutdown; `handed_over` tells whether a replica took over
  };
  Kind kind = Kind::kWait;
  size_t sentinel = 0;
  std::vector<std::string> argv;
  bool handed_over = false;
  std::string why;  // for the log
};

class ShutdownHandoff {
 public:
  enum class Phase { kIdle, kAsking, kHanding, kConfirming, kFinished };

  // Starts a handoff that must end by `deadline`.
  HandoffStep Begin(std::vector<HandoffSentinel> sentinels, MonoTime deadline);
  // The reply to the last kSend: `error` empty for +OK or an address, else the error or link
  // failure text. `addr` is the master address SENTINEL MASTER returned, if any.
  HandoffStep OnReply(MonoTime now, const std::string& error, std::optional<HostPort> addr);
  // This node now follows `master` (its FAILOVER handed over).
  HandoffStep OnFollowing(MonoTime now, const HostPort& master);
  // The shell's timer while active (every few ms).
  HandoffStep OnTick(MonoTime now);
  // SHUTDOWN ABORT, or a shutdown finished by other means.
  void Cancel() { phase_ = Phase::kIdle; }

  Phase phase() const { return phase_; }
  // The sentinels given to Begin, which HandoffStep::sentinel indexes.
  const std::vector<HandoffSentinel>& sentinels() const { return sentinels_; }
  bool active() const { return phase_ != Phase::kIdle && phase_ != Phase::kFinished; }
  // Whether a kSend is outstanding (its reply not yet fed back).
  bool awaiting_reply() const { return awaiting_; }

  // How long the confirming phase waits between two questions to the sentinel.
  static constexpr Millis kConfirmPoll{10};

 private:
  HandoffStep AskNext(const std::string& previous_error);
  HandoffStep AskAddress();
  // The next sentinel still to confirm, if any.
  std::optional<size_t> NextToConfirm() const;
  HandoffStep Finish(bool handed_over, std::string why);

  Phase phase_ = Phase::kIdle;
  std::vector<HandoffSentinel> sentinels_;
  size_t current_ = 0;
  MonoTime deadline_{};
  bool awaiting_ = false;
  std::optional<HostPort> new_master_;
  MonoTime next_poll_{};
  // Confirming: which sentinels named the new master, and which stopped answering.
  std::vector<bool> confirmed_, silent_;
  size_t asked_ = 0;  // the sentinel the outstanding question went to
  // We started following while the switchover request was still unanswered: that answer is
  // not a view of the master.
  bool late_switchover_reply_ = false;
  std::string refusals_;
};

}  // namespace vigil::datanode
