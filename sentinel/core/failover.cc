#include "sentinel/core/failover.h"

#include <map>
#include <vector>

#include "common/base/ascii_case.h"
#include "common/base/check.h"
#include "sentinel/core/coordinated_switchover.h"
#include "sentinel/core/election.h"
#include "sentinel/core/hello_protocol.h"
#include "sentinel/core/instance_monitor.h"
#include "sentinel/core/instance_registry.h"
#include "sentinel/core/replica_selection.h"

namespace vigil::sentinel {

std::string_view FailoverStateName(FailoverState state) {
  switch (state) {
    case FailoverState::kNone:
      return "none";
    case FailoverState::kWaitStart:
      return "wait_start";
    case FailoverState::kSelectSlave:
      return "select_slave";
    case FailoverState::kSendSlaveofNoone:
      return "send_slaveof_noone";
    case FailoverState::kSendFailover:
      return "send_failover";
    case FailoverState::kWaitPromotion:
      return "wait_promotion";
    case FailoverState::kReconfSlaves:
      return "reconf_slaves";
    case FailoverState::kUpdateConfig:
      return "update_config";
  }
  return "unknown";
}

namespace {
bool RefreshReplicaInfo(CoreState& state, MasterRecord& master);
}  // namespace

// Vigil: asking peers the moment SDOWN begins makes sentinels reach ODOWN within a round trip of
// each other, and simultaneous candidates split the vote. So candidates are staggered: among
// this sentinel and the peers that currently agree the master is down, the one with the
// smallest run id starts at once and each later one waits kStartStagger more, long enough for
// the earlier candidate's vote request to arrive (voting for it then blocks our own start).
Millis StartDelay(const CoreState& state, const MasterRecord& master) {
  if (!state.options.event_driven) return Millis(0);
  int64_t rank = 0;
  Millis validity = state.timers().ask_period * 5;
  for (const auto& [runid, si] : master.sentinels) {
    bool agrees = si.master_down && state.now - si.last_master_down_reply_time <= validity;
    if (agrees && CompareIgnoreCase(runid, state.myid) < 0) ++rank;
  }
  return kStartStagger * rank;
}

bool StartFailoverIfNeeded(CoreState& state, MasterRecord& master) {
  if (!master.instance.o_down || master.failover.in_progress()) return false;
  if (master.failover.start_time &&
      state.now - *master.failover.start_time < master.config.failover_timeout * 2) {
    return false;
  }
  if (master.instance.o_down_since &&
      state.now - *master.instance.o_down_since < StartDelay(state, master)) {
    return false;
  }
  StartFailover(state, master);
  return true;
}

void StartFailover(CoreState& state, MasterRecord& master) {
  FailoverProgress& f = master.failover;
  f.state = FailoverState::kWaitStart;
  f.forced = false;
  f.coordinated = false;
  f.refused_votes.clear();
  f.promoted.clear();
  f.epoch = ++state.current_epoch;
  // Redis does not flush here (the self-vote right after does); we persist every epoch change
  // so an epoch can never go backwards across a restart.
  state.MarkDirty();
  state.Emit(EventLevel::kWarning, "+new-epoch", &master, std::to_string(state.current_epoch));
  state.EmitFor(EventLevel::kWarning, "+try-failover", master, master.instance);
  master.failover_counters.Started(state.now);
  f.start_time = state.now + Millis(state.Random(kMaxDesync.count()));
  f.state_change_time = state.now;
  // Vigil: replica selection will want INFO younger than 5 s; ask now, not at the next poll.
  if (state.options.event_driven) RefreshReplicaInfo(state, master);
}

void AbortFailover(CoreState& state, MasterRecord& master) {
  FailoverProgress& f = master.failover;
  VIGIL_CHECK(f.in_progress() && f.state <= FailoverState::kWaitPromotion);
  f.state = FailoverState::kNone;
  f.forced = false;
  f.coordinated = false;
  f.state_change_time = state.now;
  if (InstanceRecord* promoted = master.promoted_replica()) promoted->promoted = false;
  f.promoted.clear();
}

namespace {

void SetState(CoreState& state, MasterRecord& master, FailoverState next) {
  master.failover.state = next;
  master.failover.state_change_time = state.now;
  if (next == FailoverState::kUpdateConfig) state.switch_pending.push_back(master.instance.name);
}

void AbortWith(CoreState& state, MasterRecord& master, const char* event) {
  state.EmitFor(EventLevel::kWarning, event, master, master.instance);
  master.failover_counters.Aborted();
  AbortFailover(state, master);
}

// Vigil: true when every peer has voted in this epoch and nobody holds enough votes, so waiting
// for the election timeout cannot change the outcome.
bool SplitVote(const CoreState& state, const MasterRecord& master) {
  std::map<std::string, uint64_t> counts;
  for (const auto& [runid, si] : master.sentinels) {
    if (si.leader.empty() || si.leader_epoch != state.current_epoch) return false;
    ++counts[si.leader];
  }
  if (master.leader_epoch == state.current_epoch && !master.leader.empty()) ++counts[master.leader];
  uint64_t voters = master.sentinels.size() + 1;
  uint64_t needed = std::max<uint64_t>(voters / 2 + 1, static_cast<uint64_t>(master.config.quorum));
  for (const auto& [runid, votes] : counts) {
    if (votes >= needed) return false;
  }
  return true;
}

void WaitStart(CoreState& state, MasterRecord& master) {
  std::string leader = GetLeader(state, master, master.failover.epoch);
  bool is_leader = !leader.empty() && EqualsIgnoreCase(leader, state.myid);
  if (!is_leader && !master.failover.forced) {
    Millis election_timeout =
        std::min(state.timers().election_timeout, master.config.failover_timeout);
    bool split = state.options.event_driven && SplitVote(state, master);
    bool unwinnable = master.failover.coordinated && !CoordinatedVoteWinnable(master);
    if (split || unwinnable || state.now - *master.failover.start_time > election_timeout) {
      AbortWith(state, master, "-failover-abort-not-elected");
      if (split) {
        // Nobody won: retry soon, after a random back-off, instead of 2 × failover-timeout.
        Millis backoff(kStartStagger.count() + state.Random(kMaxDesync.count()));
        master.failover.start_time = state.now - master.config.failover_timeout * 2 + backoff;
      }
    }
    return;
  }
  state.EmitFor(EventLevel::kWarning, "+elected-leader", master, master.instance);
  if (state.simfailure.crash_after_election) state.actions.push_back(ExitProcess{99, ""});
  SetState(state, master, FailoverState::kSelectSlave);
  state.EmitFor(EventLevel::kWarning, "+failover-state-select-slave", master, master.instance);
}

// Asks every connected replica for INFO now; returns true when some INFO is outstanding.
bool RefreshReplicaInfo(CoreState& state, MasterRecord& master) {
  bool outstanding = false;
  for (auto& [name, r] : master.replicas) {
    SendInfoNow(state, master, r);
    outstanding |= r.info_pending;
  }
  return outstanding;
}

void SelectSlave(CoreState& state, MasterRecord& master) {
  InstanceRecord* replica = SelectReplica(state, master);
  if (replica == nullptr) {
    // Vigil reaches this state within a round trip of the election, before the 1 s INFO polls
    // that Redis relies on have refreshed the replicas. Give fresh INFO a moment to arrive.
    if (state.options.event_driven &&
        state.now - master.failover.state_change_time < kInfoPeriodFast &&
        RefreshReplicaInfo(state, master)) {
      return;
    }
    AbortWith(state, master, "-failover-abort-no-good-slave");
    return;
  }
  state.EmitFor(EventLevel::kWarning, "+selected-slave", master, *replica);
  replica->promoted = true;
  master.failover.promoted = replica->name;
  if (master.failover.coordinated) {
    SetState(state, master, FailoverState::kSendFailover);
    state.EmitFor(EventLevel::kNotice, "+coordinated-state-send-failover", master, *replica);
    return;
  }
  SetState(state, master, FailoverState::kSendSlaveofNoone);
  state.EmitFor(EventLevel::kNotice, "+failover-state-send-slaveof-noone", master, *replica);
}

void SendSlaveofNoone(CoreState& state, MasterRecord& master) {
  InstanceRecord* promoted = master.promoted_replica();
  VIGIL_CHECK(promoted != nullptr);
  if (state.LinkOf(*promoted).Disconnected()) {
    if (state.now - master.failover.state_change_time > master.config.failover_timeout) {
      AbortWith(state, master, "-failover-abort-slave-timeout");
    }
    return;
  }
  if (!SendReconfigure(state, master, *promoted, std::nullopt)) return;
  state.EmitFor(EventLevel::kNotice, "+failover-state-wait-promotion", master, *promoted);
  SetState(state, master, FailoverState::kWaitPromotion);
}

void WaitPromotion(CoreState& state, MasterRecord& master) {
  // The move forward happens in ConfirmPromotion, driven by the replica's INFO.
  if (master.failover.coordinated) return CheckHandoffDeadline(state, master);
  if (state.now - master.failover.state_change_time > master.config.failover_timeout) {
    AbortWith(state, master, "-failover-abort-slave-timeout");
  }
}

// sentinelFailoverDetectEnd.
void DetectEnd(CoreState& state, MasterRecord& master) {
  InstanceRecord* promoted = master.promoted_replica();
  if (promoted == nullptr || promoted->s_down) return;
  int not_reconfigured = 0;
  for (const auto& [name, r] : master.replicas) {
    if (r.promoted || r.reconf_done || r.s_down) continue;
    ++not_reconfigured;
  }
  bool timeout = state.now - master.failover.state_change_time > master.config.failover_timeout;
  if (timeout) {
    not_reconfigured = 0;
    state.EmitFor(EventLevel::kWarning, "+failover-end-for-timeout", master, master.instance);
    master.failover_counters.Succeeded(state.now);
  }
  if (not_reconfigured == 0) {
    state.EmitFor(EventLevel::kWarning, "+failover-end", master, master.instance);
    master.failover_counters.Succeeded(state.now);
    SetState(state, master, FailoverState::kUpdateConfig);
  }
  if (!timeout) return;
  for (auto& [name, r] : master.replicas) {
    if (r.promoted || r.reconf_done || r.reconf_sent) continue;
    if (state.LinkOf(r).Disconnected()) continue;
    if (SendReconfigure(state, master, r, promoted->addr)) {
      r.reconf_sent = true;
      r.repoint_polls_left = kRepointChainedPolls;
      state.EmitFor(EventLevel::kNotice, "+slave-reconf-sent-be", master, r);
    }
  }
}

// sentinelFailoverReconfNextSlave.
void ReconfSlaves(CoreState& state, MasterRecord& master) {
  InstanceRecord* promoted = master.promoted_replica();
  if (promoted == nullptr) return;
  int in_progress = 0;
  for (const auto& [name, r] : master.replicas) {
    if (r.reconf_sent || r.reconf_inprog) ++in_progress;
  }
  HostPort target = promoted->addr;
  for (auto it = master.replicas.begin();
       in_progress < master.config.parallel_syncs && it != master.replicas.end(); ++it) {
    InstanceRecord& r = it->second;
    if (r.promoted || r.reconf_done) continue;
    if (r.reconf_sent &&
        state.now - r.slave_reconf_sent_time > state.timers().slave_reconf_timeout) {
      state.EmitFor(EventLevel::kNotice, "-slave-reconf-sent-timeout", master, r);
      r.reconf_sent = false;
      r.reconf_done = true;
    }
    if (r.reconf_sent || r.reconf_inprog) continue;
    if (state.LinkOf(r).Disconnected()) continue;
    if (SendReconfigure(state, master, r, target)) {
      r.reconf_sent = true;
      r.slave_reconf_sent_time = state.now;
      r.repoint_polls_left = kRepointChainedPolls;
      state.EmitFor(EventLevel::kNotice, "+slave-reconf-sent", master, r);
      ++in_progress;
    }
  }
  DetectEnd(state, master);
}

void StepFailover(CoreState& state, MasterRecord& master) {
  switch (master.failover.state) {
    case FailoverState::kNone:
    case FailoverState::kUpdateConfig:
      return;
    case FailoverState::kWaitStart:
      return WaitStart(state, master);
    case FailoverState::kSelectSlave:
      return SelectSlave(state, master);
    case FailoverState::kSendSlaveofNoone:
      return SendSlaveofNoone(state, master);
    case FailoverState::kSendFailover:
      return SendFailoverTo(state, master);
    case FailoverState::kWaitPromotion:
      return WaitPromotion(state, master);
    case FailoverState::kReconfSlaves:
      return ReconfSlaves(state, master);
  }
}

}  // namespace

void RunFailoverStateMachine(CoreState& state, MasterRecord& master) {
  constexpr int kMaxStepsPerCall = 8;
  for (int i = 0; i < kMaxStepsPerCall && master.failover.in_progress(); ++i) {
    FailoverState before = master.failover.state;
    StepFailover(state, master);
    if (!state.options.event_driven || master.failover.state == before) break;
  }
}

void CompletePendingSwitches(CoreState& state) {
  if (state.switch_pending.empty()) return;
  std::vector<std::string> ready;
  ready.swap(state.switch_pending);
  for (const std::string& name : ready) {
    auto it = state.masters.find(name);
    // Removed, reset or already switched since it was queued.
    if (it == state.masters.end() || it->second.failover.state != FailoverState::kUpdateConfig) {
      continue;
    }
    MasterRecord& master = it->second;
    const InstanceRecord* promoted = master.promoted_replica();
    HostPort to = promoted != nullptr ? promoted->addr : master.instance.addr;
    const HostPort& from = master.instance.addr;
    state.Emit(EventLevel::kWarning, "+switch-master", &master,
               name + " " + from.host + " " + std::to_string(from.port) + " " + to.host + " " +
                   std::to_string(to.port));
    const bool coordinated = master.failover.coordinated;
    const HostPort old_master = from;
    ResetMasterAndChangeAddress(state, master, to);
    if (coordinated) {
      master.persist_demotion = old_master;
      master.persist_promotion = true;
    }
  }
}

void ConfirmPromotion(CoreState& state, MasterRecord& master, InstanceRecord& promoted) {
  master.config_epoch = master.failover.epoch;
  SetState(state, master, FailoverState::kReconfSlaves);
  state.MarkDirty();
  state.EmitFor(EventLevel::kWarning, "+promoted-slave", master, promoted);
  if (state.simfailure.crash_after_promotion) state.actions.push_back(ExitProcess{99, ""});
  state.EmitFor(EventLevel::kWarning, "+failover-state-reconf-slaves", master, master.instance);
  if (!master.config.client_reconfig_script.empty()) {
    const HostPort& from = master.instance.addr;
    state.actions.push_back(RunScript{{master.config.client_reconfig_script, master.instance.name,
                                       "leader", "start", from.host, std::to_string(from.port),
                                       promoted.addr.host, std::to_string(promoted.addr.port)}});
  }
  ForceHellos(state, master);
}

bool SendReconfigure(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                     const std::optional<HostPort>& replicaof) {
  return state.Send(master, ri, ReconfigureCommand{replicaof}, RequestKind::kReconfigure);
}

void OnReconfigureReply(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                        const ReplyPayload& payload) {
  // Redis never looks at this reply. Vigil asks for INFO right away when the SLAVEOF worked, so
  // a promotion (or a reconfiguration) is confirmed without waiting for the next INFO period.
  const auto* block = std::get_if<ReconfigureReply>(&payload);
  if (!state.options.event_driven || block == nullptr || !block->replicaof_ok) return;
  // An INFO already in flight was sent after the block (replies come in order), so it will
  // show the new role; otherwise ask now.
  SendInfoNow(state, master, ri);
}

void ContinueRepointPoll(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (master.failover.state != FailoverState::kReconfSlaves || ri.kind != InstanceKind::kReplica ||
      !(ri.reconf_sent || ri.reconf_inprog) || ri.reconf_done || ri.repoint_polls_left <= 0 ||
      state.now - ri.slave_reconf_sent_time >= kRepointFastWindow) {
    return;
  }
  --ri.repoint_polls_left;
  SendInfoNow(state, master, ri);
}

}  // namespace vigil::sentinel
