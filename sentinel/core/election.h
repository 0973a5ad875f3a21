#pragma once
// Leader election (docs/sentinel-behaviour.md, "Leader election"), split in two: casting a vote
// mutates state and must be persisted before the answer leaves (VoteForLeader), while counting is a
// pure function (CountVotes).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// What sentinelVoteLeader decides, computed without side effects.
struct VoteDecision {
  uint64_t new_current_epoch = 0;  // max(current, requested)
  bool cast = false;               // a new vote is cast for the candidate
  std::string leader;              // the vote in force afterwards ("" if none)
  uint64_t leader_epoch = 0;
};

// One vote per master per epoch, first come first served; stale requests get the vote in force.
VoteDecision DecideVote(uint64_t current_epoch, uint64_t leader_epoch, const std::string& leader,
                        uint64_t requested_epoch, const std::string& candidate);

struct PeerVote {
  std::string leader;
  uint64_t leader_epoch = 0;
};

// The candidate with most peer votes at `epoch`; ties go to the smaller run id (Redis leaves it
// to dict order). nullopt when no peer voted in that epoch.
std::optional<std::string> ProvisionalWinner(const std::vector<PeerVote>& peers, uint64_t epoch);

struct TallyResult {
  std::string winner;  // empty: nobody qualifies yet
  uint64_t votes = 0;
};

// Adds our own vote (if cast in `failover_epoch`) to the peers' votes at `current_epoch`, and
// keeps the winner only with at least max(quorum, voters/2 + 1) votes.
TallyResult CountVotes(const std::vector<PeerVote>& peers, uint64_t current_epoch,
                       const std::string& my_vote, uint64_t my_vote_epoch, uint64_t failover_epoch,
                       size_t voters, int quorum);

// Applies DecideVote to `master`: raises the epoch (+new-epoch), records the vote
// (+vote-for-leader), marks the state dirty, and delays our own failover when voting for
// another sentinel. Returns the vote in force.
VoteDecision VoteForLeader(CoreState& state, MasterRecord& master, uint64_t requested_epoch,
                           const std::string& candidate);

// sentinelGetLeader: tally for `epoch`, casting our own vote on the way. Returns the winner's
// run id or "" when nobody has enough votes.
std::string GetLeader(CoreState& state, MasterRecord& master, uint64_t epoch);

}  // namespace vigil::sentinel
