#include "sentinel/core/odown.h"

#include "sentinel/core/coordinated_switchover.h"
#include "sentinel/core/election.h"
#include "sentinel/core/subjective_down.h"
#include "sentinel/core/wire.h"

namespace vigil::sentinel {

OdownTally TallyOdown(const MasterRecord& master, MonoTime now, Millis validity) {
  OdownTally tally;
  tally.quorum = master.config.quorum;
  if (!master.instance.s_down) return tally;
  tally.agreeing = 1;
  for (const auto& [runid, si] : master.sentinels) {
    if (si.master_down && now - si.last_master_down_reply_time <= validity) ++tally.agreeing;
  }
  return tally;
}

void CheckObjectivelyDown(CoreState& state, MasterRecord& master) {
  OdownTally tally = TallyOdown(master, state.now, state.timers().ask_period * 5);
  InstanceRecord& ri = master.instance;
  if (tally.reached() && ri.s_down) {
    if (!ri.o_down) {
      ri.o_down = true;
      ri.o_down_since = state.now;
      state.EmitFor(
          EventLevel::kWarning, "+odown", master, ri,
          "#quorum " + std::to_string(tally.agreeing) + "/" + std::to_string(tally.quorum));
    }
  } else if (ri.o_down) {
    ri.o_down = false;
    state.EmitFor(EventLevel::kWarning, "-odown", master, ri);
  }
}

namespace {

bool DueForAsk(const CoreState& state, const MasterRecord& master, const InstanceRecord& si) {
  Millis since_reply = state.now - si.last_master_down_reply_time;
  if (si.ask_pending) return false;
  if (since_reply >= state.timers().ask_period) return true;
  if (!state.options.event_driven) return false;
  // Vigil: a peer that has not agreed yet is asked again soon while our SDOWN is young: its
  // own down-after deadline is probably only a tick away.
  bool waiting_vote =
      master.failover.state == FailoverState::kWaitStart && si.leader_epoch != state.current_epoch;
  // A coordinated switchover asks about a healthy master: only the vote matters.
  if (WantsCoordinatedVotes(master))
    return waiting_vote && since_reply >= state.timers().fast_ask_period;
  bool young = master.instance.s_down_since &&
               state.now - *master.instance.s_down_since < state.timers().ask_period * 5;
  return young && (!si.master_down || waiting_vote) &&
         since_reply >= state.timers().fast_ask_period;
}

}  // namespace

void AskOtherSentinels(CoreState& state, MasterRecord& master, AskMode mode) {
  bool coordinated = WantsCoordinatedVotes(master);
  bool asking = master.instance.s_down || coordinated;
  for (auto& [runid, si] : master.sentinels) {
    if (state.now - si.last_master_down_reply_time > state.timers().ask_period * 5) {
      si.master_down = false;
      si.leader.clear();
    }
    if (!asking) continue;
    if (coordinated && master.failover.refused_votes.count(runid) != 0) continue;
    if (state.LinkOf(si).Disconnected()) continue;
    if (mode != AskMode::kForced && !DueForAsk(state, master, si)) continue;
    IsMasterDownByAddrCommand ask;
    ask.master = master.instance.addr;
    ask.current_epoch = state.current_epoch;
    ask.runid = master.failover.in_progress() ? state.myid : "*";
    ask.coordinated = coordinated;
    if (state.Send(master, si, ask, RequestKind::kAsk)) {
      si.ask_pending = true;
      state.requests.rbegin()->second.subject = master.instance.addr;
    }
  }
}

void OnIsMasterDownReply(CoreState& state, const MasterRecord& master, InstanceRecord& peer,
                         const HostPort& asked, const ReplyPayload& payload) {
  const auto* vote = std::get_if<VoteReply>(&payload);
  if (vote == nullptr) return;
  // An answer about an address this master no longer has (a switch happened meanwhile) says
  // nothing about the current one.
  if (!SameAddress(asked, master.instance.addr)) return;
  peer.last_master_down_reply_time = state.now;
  peer.master_down = vote->master_down;
  if (vote->leader != "*") {
    peer.leader = vote->leader;
    peer.leader_epoch = vote->leader_epoch;
  }
}

namespace {

// Masters are looked up by address, never by name
// (docs/sentinel-behaviour.md, "ODOWN and is-master-down-by-addr").
MasterRecord* FindMasterByAddress(CoreState& state, const HostPort& addr) {
  for (auto& [name, master] : state.masters) {
    if (master.instance.addr.port == addr.port && master.instance.addr.host == addr.host) {
      return &master;
    }
  }
  return nullptr;
}

}  // namespace

resp::Value AnswerIsMasterDownByAddr(CoreState& state, const VoteRequestArgs& args) {
  MasterRecord* master = FindMasterByAddress(state, args.master);
  bool tilt = state.tilt.active();
  if (master != nullptr && !tilt && state.options.event_driven) {
    // Vigil: answer with our opinion as of now, not as of our last tick.
    if (CheckSubjectivelyDown(state, *master, master->instance)) {
      AskOtherSentinels(state, *master, AskMode::kForced);
    }
  }
  VoteReply reply;
  reply.master_down = master != nullptr && !tilt && master->instance.s_down;
  reply.leader = "*";
  if (master != nullptr && args.runid != "*") {
    VoteDecision d = VoteForLeader(state, *master, args.epoch, args.runid);
    if (!d.leader.empty()) reply.leader = d.leader;
    reply.leader_epoch = d.leader_epoch;
  }
  return EncodeVoteReply(reply);
}

}  // namespace vigil::sentinel
