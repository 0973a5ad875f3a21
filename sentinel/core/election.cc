#include "sentinel/core/election.h"

#include <map>
#include "common/base/ascii_case.h"

namespace vigil::sentinel {

VoteDecision DecideVote(uint64_t current_epoch, uint64_t leader_epoch, const std::string& leader,
                        uint64_t requested_epoch, const std::string& candidate) {
  VoteDecision d;
  d.new_current_epoch = requested_epoch > current_epoch ? requested_epoch : current_epoch;
  d.leader = leader;
  d.leader_epoch = leader_epoch;
  if (leader_epoch < requested_epoch && d.new_current_epoch <= requested_epoch) {
    d.cast = true;
    d.leader = candidate;
    d.leader_epoch = d.new_current_epoch;
  }
  return d;
}

std::optional<std::string> ProvisionalWinner(const std::vector<PeerVote>& peers, uint64_t epoch) {
  std::map<std::string, uint64_t> counters;
  for (const PeerVote& p : peers) {
    if (!p.leader.empty() && p.leader_epoch == epoch) ++counters[p.leader];
  }
  std::optional<std::string> winner;
  uint64_t best = 0;
  for (const auto& [runid, votes] : counters) {  // ascending run id: ties keep the smaller
    if (votes > best) {
      best = votes;
      winner = runid;
    }
  }
  return winner;
}

TallyResult CountVotes(const std::vector<PeerVote>& peers, uint64_t current_epoch,
                       const std::string& my_vote, uint64_t my_vote_epoch, uint64_t failover_epoch,
                       size_t voters, int quorum) {
  std::map<std::string, uint64_t> counters;
  for (const PeerVote& p : peers) {
    if (!p.leader.empty() && p.leader_epoch == current_epoch) ++counters[p.leader];
  }
  if (!my_vote.empty() && my_vote_epoch == failover_epoch) ++counters[my_vote];
  TallyResult result;
  for (const auto& [runid, votes] : counters) {
    if (votes > result.votes) {
      result.votes = votes;
      result.winner = runid;
    }
  }
  uint64_t majority = voters / 2 + 1;
  if (result.votes < majority || result.votes < static_cast<uint64_t>(quorum)) {
    result.winner.clear();
  }
  return result;
}

VoteDecision VoteForLeader(CoreState& state, MasterRecord& master, uint64_t requested_epoch,
                           const std::string& candidate) {
  VoteDecision d = DecideVote(state.current_epoch, master.leader_epoch, master.leader,
                              requested_epoch, candidate);
  if (d.new_current_epoch > state.current_epoch) {
    state.current_epoch = d.new_current_epoch;
    state.MarkDirty();
    state.Emit(EventLevel::kWarning, "+new-epoch", &master, std::to_string(state.current_epoch));
  }
  if (d.cast) {
    master.leader = d.leader;
    master.leader_epoch = d.leader_epoch;
    state.MarkDirty();
    state.Emit(EventLevel::kWarning, "+vote-for-leader", &master,
               d.leader + " " + std::to_string(d.leader_epoch));
    if (!EqualsIgnoreCase(d.leader, state.myid)) {
      master.failover.start_time = state.now + Millis(state.Random(kMaxDesync.count()));
    }
  }
  return d;
}

std::string GetLeader(CoreState& state, MasterRecord& master, uint64_t epoch) {
  std::vector<PeerVote> peers;
  peers.reserve(master.sentinels.size());
  for (const auto& [runid, si] : master.sentinels) peers.push_back({si.leader, si.leader_epoch});
  std::optional<std::string> provisional = ProvisionalWinner(peers, state.current_epoch);
  VoteDecision mine = VoteForLeader(state, master, epoch, provisional.value_or(state.myid));
  TallyResult tally = CountVotes(peers, state.current_epoch, mine.leader, mine.leader_epoch, epoch,
                                 master.sentinels.size() + 1, master.config.quorum);
  return tally.winner;
}

}  // namespace vigil::sentinel
