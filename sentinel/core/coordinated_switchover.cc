#include "sentinel/core/coordinated_switchover.h"

#include <algorithm>

#include "sentinel/core/failover.h"
#include "sentinel/core/instance_monitor.h"

namespace vigil::sentinel {

void StartCoordinatedSwitchover(CoreState& state, MasterRecord& master) {
  StartFailover(state, master);
  master.failover.coordinated = true;
  state.EmitFor(EventLevel::kWarning, "+coordinated-switchover", master, master.instance,
                "#epoch " + std::to_string(master.failover.epoch));
}

bool WantsCoordinatedVotes(const MasterRecord& master) {
  return master.failover.coordinated && master.failover.state == FailoverState::kWaitStart;
}

bool CoordinatedVoteWinnable(const MasterRecord& master) {
  uint64_t voters = master.sentinels.size() + 1;
  uint64_t needed = std::max<uint64_t>(voters / 2 + 1, static_cast<uint64_t>(master.config.quorum));
  return voters - master.failover.refused_votes.size() >= needed;
}

void OnCoordinatedVoteRefused(CoreState& state, MasterRecord& master, InstanceRecord& peer,
                              const std::string& error) {
  if (!master.failover.refused_votes.insert(peer.runid.empty() ? peer.name : peer.runid).second) {
    return;
  }
  state.EmitFor(EventLevel::kWarning, "-coordinated-vote-refused", master, peer, "#" + error);
}

Millis HandoffTimeout(const MasterRecord& master) {
  return std::min(master.config.failover_timeout, kHandoffTimeoutMax);
}

void SendFailoverTo(CoreState& state, MasterRecord& master) {
  InstanceRecord* promoted = master.promoted_replica();
  if (promoted == nullptr) return;
  if (state.LinkOf(master.instance).Disconnected() ||
      !state.Send(master, master.instance,
                  FailoverToCommand{promoted->addr, HandoffTimeout(master).count()},
                  RequestKind::kFailoverTo)) {
    if (state.now - master.failover.state_change_time > master.config.failover_timeout) {
      state.EmitFor(EventLevel::kWarning, "-coordinated-abort-master-unreachable", master,
                    master.instance);
      master.failover_counters.Aborted();
      AbortFailover(state, master);
    }
    return;
  }
  master.failover.state = FailoverState::kWaitPromotion;
  master.failover.state_change_time = state.now;
  master.failover.handoff_deadline = state.now + HandoffTimeout(master) + kHandoffGrace;
  state.EmitFor(EventLevel::kNotice, "+failover-state-wait-promotion", master, *promoted);
}

void OnFailoverToReply(CoreState& state, MasterRecord& master, const ReplyPayload& payload) {
  FailoverProgress& f = master.failover;
  if (!f.coordinated || f.state != FailoverState::kWaitPromotion) return;
  const auto* reply = std::get_if<SimpleReply>(&payload);
  InstanceRecord* promoted = master.promoted_replica();
  if (reply != nullptr && !reply->is_error && promoted != nullptr) {
    // Writes are paused on the old master from now on; watch the replica take over.
    state.EmitFor(EventLevel::kWarning, "+coordinated-handoff-started", master, *promoted);
    f.handoff_polls_left = kHandoffChainedPolls;
    SendInfoNow(state, master, *promoted);
    return;
  }
  std::string why = reply != nullptr ? reply->text : "unexpected reply to FAILOVER";
  state.EmitFor(EventLevel::kWarning, "-coordinated-abort-failover-refused", master,
                master.instance, "#" + why);
  master.failover_counters.Aborted();
  AbortFailover(state, master);
}

void ContinueHandoffPoll(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  FailoverProgress& f = master.failover;
  if (!f.coordinated || f.state != FailoverState::kWaitPromotion || !ri.promoted ||
      f.handoff_polls_left <= 0) {
    return;
  }
  --f.handoff_polls_left;
  SendInfoNow(state, master, ri);
}

void CheckHandoffDeadline(CoreState& state, MasterRecord& master) {
  if (state.now <= master.failover.handoff_deadline) return;
  // The data node gave up at its own TIMEOUT (kHandoffGrace earlier) and resumed as master, so
  // forgetting the attempt leaves exactly one master.
  state.EmitFor(EventLevel::kWarning, "-coordinated-abort-timeout", master, master.instance);
  master.failover_counters.Aborted();
  AbortFailover(state, master);
}

}  // namespace vigil::sentinel
