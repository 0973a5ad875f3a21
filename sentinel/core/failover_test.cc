#include "sentinel/core/failover.h"

#include <gtest/gtest.h>

#include "sentinel/core/coordinated_switchover.h"
#include "sentinel/core/core_harness_for_test.h"

namespace vigil::sentinel {
namespace {

using testing::CoreHarness;
using testing::kMe;

const HostPort kMaster{"10.0.0.1", 6379};
const HostPort kR2{"10.0.0.2", 6379};
const HostPort kR3{"10.0.0.3", 6379};

// A healthy group: both replicas follow the master, r3 has the higher offset.
void Healthy(CoreHarness& h) {
  h.info["10.0.0.1:6379"] = testing::MasterInfo({kR2, kR3});
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kMaster, true, 100, 10, '2');
  h.info["10.0.0.3:6379"] = testing::ReplicaInfo(kMaster, true, 100, 20, '3');
  h.Run(Millis(2000));
}

// Peers agree the master is down and vote for whoever asks with a run id.
void PeersAgreeAndVote(CoreHarness& h) {
  h.vote = [](const std::string&, const IsMasterDownByAddrCommand& ask) {
    if (ask.runid == "*") return VoteReply{true, "*", 0};
    return VoteReply{true, ask.runid, ask.current_epoch};
  };
}

int CountSent(const CoreHarness& h, const HostPort& to, const Command& c) {
  int n = 0;
  for (const auto& [addr, cmd] : h.sent) n += addr == to && cmd == c;
  return n;
}

// A healthy group whose master then hangs, with peers that vote: the failover picks r3, which
// reports role:master once it is promoted.
void MasterHangsAndR3WillPromote(CoreHarness& h) {
  Healthy(h);
  PeersAgreeAndVote(h);
  h.silent["10.0.0.1:6379"] = true;
  h.info["10.0.0.3:6379"] = "run_id:" + std::string(40, '3') + "\r\nrole:master\r\n";
}

TEST(FailoverTest, LeaderPromotesTheBestReplicaAndConfirmsWithoutWaitingForInfoPeriod) {
  CoreHarness h;
  Healthy(h);
  PeersAgreeAndVote(h);
  h.silent["10.0.0.1:6379"] = true;
  // Once it receives SLAVEOF NO ONE, r3 reports role:master.
  h.info["10.0.0.3:6379"] = "run_id:" + std::string(40, '3') + "\r\nrole:master\r\n";
  h.Run(Millis(2500));  // a hung master: SDOWN 1-2 s after the last PONG
  EXPECT_TRUE(h.Saw("+odown master mymaster 10.0.0.1 6379 #quorum 2/2"));
  EXPECT_TRUE(h.Saw("+try-failover master mymaster 10.0.0.1 6379"));
  EXPECT_TRUE(h.Saw("+vote-for-leader " + kMe + " 1"));
  EXPECT_TRUE(h.Saw("+elected-leader master mymaster 10.0.0.1 6379"));
  EXPECT_TRUE(h.Saw("+selected-slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379"));
  EXPECT_EQ(CountSent(h, kR3, ReconfigureCommand{std::nullopt}), 1);
  EXPECT_TRUE(h.Saw("+promoted-slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379"));
  EXPECT_EQ(CountSent(h, kR2, ReconfigureCommand{kR3}), 1);
  // GET-MASTER-ADDR-BY-NAME answers with the promoted address from reconf_slaves on.
  EXPECT_EQ(h.core.FindMaster("mymaster")->CurrentAddress(), kR3);
  EXPECT_EQ(h.core.FindMaster("mymaster")->config_epoch, 1u);
}

TEST(FailoverTest, PromotedFencingReplicaIsPingedAtTheFencePeriodUntilTheFailoverEnds) {
  CoreHarness h;
  Healthy(h);
  PeersAgreeAndVote(h);
  h.silent["10.0.0.1:6379"] = true;
  h.info["10.0.0.3:6379"] =
      "run_id:" + std::string(40, '3') + "\r\nrole:master\r\nfence_timeout_ms:1000\r\n";
  h.Run(Millis(2500));
  ASSERT_TRUE(h.Saw("+promoted-slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379"));
  // r2 never reports the new master, so the failover stays in reconf-slaves: r3 is still a
  // replica entry here, yet our hellos already name it the master and its fence counts us
  // (found by the chaos suite: a new master fenced itself 1 s after its promotion).
  h.sent.clear();
  h.Run(Millis(3000));
  ASSERT_TRUE(h.core.FindMaster("mymaster")->failover.in_progress());
  EXPECT_GE(CountSent(h, kR3, PingCommand{}), 9);
  // r2 is polled fast while it is repointed, and PINGs ride along with those INFOs at most every
  // half period: still nowhere near the fence period.
  EXPECT_LE(CountSent(h, kR2, PingCommand{}), 6);
}

TEST(FailoverTest, ReplicasBeingRepointedArePolledFastUntilTheyFollowTheNewMaster) {
  CoreHarness h;
  MasterHangsAndR3WillPromote(h);
  h.Run(Millis(2500));
  ASSERT_TRUE(h.Saw("+promoted-slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379"));
  ASSERT_EQ(CountSent(h, kR2, ReconfigureCommand{kR3}), 1);
  // r2 got SLAVEOF but its link to r3 is not up yet: the leader asks again well within a
  // second, so it sees the link come up (and ends the failover) without waiting a full period.
  h.sent.clear();
  h.Run(Millis(1000));
  EXPECT_GE(CountSent(h, kR2, InfoCommand{}), 8);
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kR3, true, 100, 10, '2');
  h.Run(Millis(200));
  EXPECT_TRUE(h.Saw("+failover-end master mymaster 10.0.0.1 6379"));
  h.sent.clear();
  h.Run(Millis(1000));
  EXPECT_LE(CountSent(h, kR2, InfoCommand{}), 2);  // back to the normal cadence
}

TEST(FailoverTest, RepointedReplicaIsAskedAgainAtOnceUntilItsLinkIsUp) {
  CoreHarness h;
  MasterHangsAndR3WillPromote(h);
  // After SLAVEOF r3, r2 reports r3 with its link still down for three INFOs (the PSYNC takes a
  // few round trips), then up.
  int answers_after_slaveof = 0;
  h.info_fn["10.0.0.2:6379"] = [&] {
    if (CountSent(h, kR2, ReconfigureCommand{kR3}) == 0) {
      return testing::ReplicaInfo(kMaster, true, 100, 10, '2');
    }
    return testing::ReplicaInfo(kR3, ++answers_after_slaveof > 3, 100, 10, '2');
  };
  for (int ticks = 0; ticks < 40 && !h.SawType("+slave-reconf-sent"); ++ticks) h.Tick();
  ASSERT_TRUE(h.SawType("+slave-reconf-sent"));
  // Within the same tick: the leader did not wait a tick between polls.
  EXPECT_TRUE(h.SawType("+slave-reconf-done"));
  EXPECT_TRUE(h.Saw("+failover-end master mymaster 10.0.0.1 6379"));
  EXPECT_EQ(answers_after_slaveof, 4);
}

TEST(FailoverTest, ChainedRepointPollsAreBounded) {
  CoreHarness h;
  MasterHangsAndR3WillPromote(h);
  // r2 never gets its link to r3 up: the chain stops at its bound, the tick polls take over.
  bool repointed = false;
  h.info_fn["10.0.0.2:6379"] = [&] {
    repointed = repointed || CountSent(h, kR2, ReconfigureCommand{kR3}) > 0;
    return testing::ReplicaInfo(repointed ? kR3 : kMaster, !repointed, 100, 10, '2');
  };
  for (int ticks = 0; ticks < 40 && !h.SawType("+slave-reconf-sent"); ++ticks) h.Tick();
  ASSERT_TRUE(h.SawType("+slave-reconf-sent"));
  EXPECT_LE(CountSent(h, kR2, InfoCommand{}), kRepointChainedPolls + 40);
  h.sent.clear();
  h.Run(Millis(1000));
  EXPECT_LE(CountSent(h, kR2, InfoCommand{}), 12);
  EXPECT_TRUE(h.core.FindMaster("mymaster")->failover.in_progress());
}

TEST(FailoverTest, FinishesWithSwitchMasterWhenReplicasAreReconfigured) {
  CoreHarness h;
  MasterHangsAndR3WillPromote(h);
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kR3, true, 100, 10, '2');
  h.Run(Millis(3000));
  EXPECT_TRUE(h.SawType("+slave-reconf-inprog"));
  EXPECT_TRUE(h.SawType("+slave-reconf-done"));
  EXPECT_TRUE(h.Saw("+failover-end master mymaster 10.0.0.1 6379"));
  EXPECT_TRUE(h.Saw("+switch-master mymaster 10.0.0.1 6379 10.0.0.3 6379"));
  const MasterRecord* m = h.core.FindMaster("mymaster");
  EXPECT_EQ(m->instance.addr, kR3);
  EXPECT_FALSE(m->failover.in_progress());
  EXPECT_EQ(m->replicas.count("10.0.0.1:6379"), 1u);  // the old master is now a replica entry
  // The metrics' counters are the core's.
  EXPECT_EQ(m->failover_counters.started, 1u);
  EXPECT_EQ(m->failover_counters.succeeded, 1u);
  EXPECT_EQ(m->failover_counters.aborted, 0u);
  EXPECT_GE(m->failover_counters.last_duration_ms, 0);  // the harness answers at once
}

TEST(FailoverTest, AbortsWhenPromotedReplicaNeverReportsMaster) {
  CoreHarness h;
  Healthy(h);
  PeersAgreeAndVote(h);
  h.silent["10.0.0.1:6379"] = true;  // r3 keeps saying role:slave
  h.Run(Millis(8000));
  EXPECT_TRUE(h.SawType("+failover-state-wait-promotion"));
  EXPECT_TRUE(h.Saw("-failover-abort-slave-timeout master mymaster 10.0.0.1 6379"));
  EXPECT_FALSE(h.SawType("+promoted-slave"));
  // The retry waits 2 × failover-timeout from the (randomised) start.
  const MasterRecord* m = h.core.FindMaster("mymaster");
  EXPECT_FALSE(m->failover.in_progress());
  EXPECT_EQ(m->failover_counters.started, 1u);
  EXPECT_EQ(m->failover_counters.aborted, 1u);
  EXPECT_EQ(m->failover_counters.succeeded, 0u);
  EXPECT_EQ(m->failover_counters.last_duration_ms, -1);
}

TEST(FailoverTest, NotElectedWithoutVotesAbortsAfterElectionTimeout) {
  CoreHarness h;
  Healthy(h);
  h.vote = [](const std::string&, const IsMasterDownByAddrCommand&) {
    return VoteReply{true, "*", 0};  // they agree it is down but never vote for us
  };
  h.silent["10.0.0.1:6379"] = true;
  h.Run(Millis(8000));
  EXPECT_TRUE(h.SawType("+try-failover"));
  EXPECT_FALSE(h.SawType("+elected-leader"));
  EXPECT_TRUE(h.Saw("-failover-abort-not-elected master mymaster 10.0.0.1 6379"));
}

TEST(FailoverTest, QuorumNotReachedMeansNoFailover) {
  CoreHarness h;
  Healthy(h);
  h.silent["10.0.0.1:6379"] = true;  // peers keep answering "not down"
  h.Run(Millis(5000));
  EXPECT_TRUE(h.SawType("+sdown"));
  EXPECT_FALSE(h.SawType("+odown"));
  EXPECT_FALSE(h.SawType("+try-failover"));
}

TEST(FailoverTest, PriorityZeroReplicaIsNotSelected) {
  CoreHarness h;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({kR2, kR3});
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kMaster, true, 0, 99, '2');
  h.info["10.0.0.3:6379"] = testing::ReplicaInfo(kMaster, true, 100, 1, '3');
  h.Run(Millis(2000));
  PeersAgreeAndVote(h);
  h.silent["10.0.0.1:6379"] = true;
  h.Run(Millis(2500));
  EXPECT_TRUE(h.Saw("+selected-slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379"));
  EXPECT_EQ(CountSent(h, kR2, ReconfigureCommand{std::nullopt}), 0);
}

TEST(FailoverTest, ForcedFailoverNeedsNoOdownAndNoVotes) {
  CoreHarness h;
  Healthy(h);
  h.Step(AdminCommand{1, FailoverRequest{"mymaster"}});
  EXPECT_TRUE(h.Saw("+try-failover master mymaster 10.0.0.1 6379"));
  EXPECT_TRUE(h.Saw("+elected-leader master mymaster 10.0.0.1 6379"));
  EXPECT_EQ(CountSent(h, kR3, ReconfigureCommand{std::nullopt}), 1);
  h.Step(AdminCommand{2, FailoverRequest{"mymaster"}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions.back()).reply),
            "-INPROG Failover already in progress");
}

// The master goes silent, the peers agree and vote, and 10.0.0.3 is promoted and followed.
void FailOverFromMasterToR3(CoreHarness& h) {
  Healthy(h);
  PeersAgreeAndVote(h);
  h.silent["10.0.0.1:6379"] = true;
  h.info["10.0.0.3:6379"] = "run_id:" + std::string(40, '3') + "\r\nrole:master\r\n";
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kR3, true, 100, 10, '2');
  h.Run(Millis(3000));
  ASSERT_TRUE(h.Saw("+switch-master mymaster 10.0.0.1 6379 10.0.0.3 6379"));
  h.info["10.0.0.3:6379"] = testing::MasterInfo({kR2});
  h.Run(Millis(2000));
}

TEST(FailoverTest, StaleOldMasterIsConvertedAsSoonAsItIsSeen) {
  CoreHarness h;
  FailOverFromMasterToR3(h);
  if (HasFatalFailure()) return;
  // The old master comes back still believing it is the master.
  h.silent["10.0.0.1:6379"] = false;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({});
  h.Run(Millis(1500));
  EXPECT_TRUE(
      h.Saw("+convert-to-slave slave 10.0.0.1:6379 10.0.0.1 6379 @ mymaster 10.0.0.3 6379"));
  EXPECT_EQ(CountSent(h, kMaster, ReconfigureCommand{kR3}), 1);
}

TEST(FailoverTest, StaleOldMasterRestartingAsReplicaOfAnotherNodeIsFixedAtOnce) {
  CoreHarness h;
  FailOverFromMasterToR3(h);
  if (HasFatalFailure()) return;
  // The old master restarts with a replicaof line naming a node that is not the master.
  h.silent["10.0.0.1:6379"] = false;
  h.info["10.0.0.1:6379"] = testing::ReplicaInfo(kR2, true, 50, 10, '1');
  h.Run(Millis(1500));
  EXPECT_TRUE(
      h.Saw("+fix-slave-config slave 10.0.0.1:6379 10.0.0.1 6379 @ mymaster 10.0.0.3 6379"));
  EXPECT_EQ(CountSent(h, kMaster, ReconfigureCommand{kR3}), 1);
}

TEST(FailoverTest, RedisTimingWaitsBeforeConvertingTheOldMaster) {
  CoreOptions redis;
  redis.event_driven = false;
  CoreHarness h(CoreHarness::DefaultState(), redis);
  Healthy(h);
  h.Step(AdminCommand{1, FailoverRequest{"mymaster"}});
  h.info["10.0.0.3:6379"] = "run_id:" + std::string(40, '3') + "\r\nrole:master\r\n";
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kR3, true, 100, 10, '2');
  h.Run(Millis(4000));
  ASSERT_TRUE(h.Saw("+switch-master mymaster 10.0.0.1 6379 10.0.0.3 6379"));
  h.info["10.0.0.3:6379"] = testing::MasterInfo({kR2});
  h.Run(Millis(3000));
  EXPECT_FALSE(h.SawType("+convert-to-slave"));  // Redis waits 8 s after the role change
  h.Run(Millis(20000));
  EXPECT_TRUE(h.SawType("+convert-to-slave"));
}

}  // namespace
}  // namespace vigil::sentinel
