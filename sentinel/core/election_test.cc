#include "sentinel/core/election.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(ElectionTest, OneVotePerEpochFirstComeFirstServed) {
  // The sequence redis-sentinel 7.0.15 answered on the wire.
  VoteDecision first = DecideVote(0, 0, "", 5, "X");
  EXPECT_TRUE(first.cast);
  EXPECT_EQ(first.new_current_epoch, 5u);
  EXPECT_EQ(first.leader, "X");
  EXPECT_EQ(first.leader_epoch, 5u);
  VoteDecision second = DecideVote(5, 5, "X", 5, "Y");
  EXPECT_FALSE(second.cast);
  EXPECT_EQ(second.leader, "X");
  VoteDecision stale = DecideVote(5, 5, "X", 3, "Z");
  EXPECT_FALSE(stale.cast);
  EXPECT_EQ(stale.leader, "X");
  EXPECT_EQ(stale.leader_epoch, 5u);
}

TEST(ElectionTest, AfterARestartTheEpochAloneBlocksASecondVote) {
  VoteDecision d = DecideVote(5, 5, "", 5, "Y");
  EXPECT_FALSE(d.cast);
  EXPECT_EQ(d.leader, "");
  EXPECT_EQ(d.leader_epoch, 5u);
}

TEST(ElectionTest, NoVoteWhenOurEpochIsAlreadyAhead) {
  VoteDecision d = DecideVote(9, 3, "X", 7, "Y");
  EXPECT_FALSE(d.cast);
  EXPECT_EQ(d.new_current_epoch, 9u);
}

TEST(ElectionTest, ProvisionalWinnerHasMostVotesAndTiesGoToSmallerRunId) {
  std::vector<PeerVote> peers = {{"b", 4}, {"a", 4}, {"c", 3}, {"c", 3}};
  EXPECT_EQ(ProvisionalWinner(peers, 4), "a");
  EXPECT_EQ(ProvisionalWinner(peers, 3), "c");
  EXPECT_FALSE(ProvisionalWinner(peers, 5).has_value());
}

TEST(ElectionTest, WinnerNeedsMajorityOfVotersAndQuorum) {
  std::vector<PeerVote> peers = {{"me", 2}, {"", 0}, {"", 0}, {"", 0}};
  // 5 voters: majority 3. Two votes (one peer + ours) are not enough.
  EXPECT_EQ(CountVotes(peers, 2, "me", 2, 2, 5, 2).winner, "");
  peers[1] = {"me", 2};
  EXPECT_EQ(CountVotes(peers, 2, "me", 2, 2, 5, 2).winner, "me");
  // Quorum above the majority raises the bar.
  EXPECT_EQ(CountVotes(peers, 2, "me", 2, 2, 5, 4).winner, "");
}

TEST(ElectionTest, OwnVoteCountsOnlyInTheFailoverEpoch) {
  std::vector<PeerVote> peers = {{"me", 3}};
  EXPECT_EQ(CountVotes(peers, 3, "me", 3, 3, 3, 2).votes, 2u);
  EXPECT_EQ(CountVotes(peers, 3, "me", 2, 3, 3, 2).votes, 1u);
  // Votes of an older epoch are not counted.
  EXPECT_EQ(CountVotes({{"me", 2}}, 3, "me", 3, 3, 3, 2).votes, 1u);
}

TEST(ElectionTest, KilledSentinelsStillCountAsVoters) {
  // Three known sentinels (voters 4, majority 3): two live votes cannot elect.
  std::vector<PeerVote> peers = {{"me", 1}, {"", 0}, {"", 0}};
  EXPECT_EQ(CountVotes(peers, 1, "me", 1, 1, 4, 1).winner, "");
}

}  // namespace
}  // namespace vigil::sentinel
