#include "sentinel/core/coordinated_switchover.h"

#include <gtest/gtest.h>

#include "sentinel/core/core_harness_for_test.h"

namespace vigil::sentinel {
namespace {

using testing::CoreHarness;
using testing::kMe;

const HostPort kMaster{"10.0.0.1", 6379};
const HostPort kR2{"10.0.0.2", 6379};
const HostPort kR3{"10.0.0.3", 6379};
const std::string kR3Desc = "slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379";

void Healthy(CoreHarness& h) {
  h.info["10.0.0.1:6379"] = testing::MasterInfo({kR2, kR3});
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kMaster, true, 100, 10, '2');
  h.info["10.0.0.3:6379"] = testing::ReplicaInfo(kMaster, true, 100, 20, '3');
  h.Run(Millis(2000));
}

// Peers see a healthy master and vote for a coordinated candidate (first come, first served).
void PeersVoteForCoordinated(CoreHarness& h) {
  h.vote = [](const std::string&, const IsMasterDownByAddrCommand& ask) -> ReplyPayload {
    if (!ask.coordinated || ask.runid == "*") return VoteReply{false, "*", 0};
    return VoteReply{false, ask.runid, ask.current_epoch};
  };
}

int CountSent(const CoreHarness& h, const HostPort& to, const Command& c) {
  int n = 0;
  for (const auto& [addr, cmd] : h.sent) n += addr == to && cmd == c;
  return n;
}

std::string LastReply(const CoreHarness& h) {
  for (auto b = h.batches.rbegin(); b != h.batches.rend(); ++b) {
    for (const Action& a : b->actions) {
      if (const auto* r = std::get_if<ReplyToClient>(&a)) return DebugString(r->reply);
    }
  }
  return "";
}

TEST(CoordinatedSwitchoverTest, ElectedLeaderPromotesThroughFailoverToNotSlaveofNoOne) {
  CoreHarness h;
  Healthy(h);
  PeersVoteForCoordinated(h);
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  EXPECT_EQ(LastReply(h), "+OK");
  EXPECT_TRUE(h.Saw("+coordinated-switchover master mymaster 10.0.0.1 6379 #epoch 1"));
  EXPECT_TRUE(h.Saw("+elected-leader master mymaster 10.0.0.1 6379"));
  EXPECT_TRUE(h.Saw("+selected-slave " + kR3Desc));
  EXPECT_EQ(CountSent(h, kMaster, FailoverToCommand{kR3, 5000}), 1);
  EXPECT_TRUE(h.Saw("+coordinated-handoff-started " + kR3Desc));
  EXPECT_EQ(CountSent(h, kR3, ReconfigureCommand{std::nullopt}), 0);
  // The handoff completes on the data nodes: r3 is master, the old master follows it.
  h.info["10.0.0.3:6379"] = "run_id:" + std::string(40, '3') + "\r\nrole:master\r\n";
  h.info["10.0.0.1:6379"] = testing::ReplicaInfo(kR3, true, 100, 20, '1');
  h.Run(Millis(300));
  EXPECT_TRUE(h.Saw("+promoted-slave " + kR3Desc));
  EXPECT_EQ(h.core.FindMaster("mymaster")->config_epoch, 1u);
  EXPECT_EQ(h.core.FindMaster("mymaster")->CurrentAddress(), kR3);
  EXPECT_EQ(CountSent(h, kR2, ReconfigureCommand{kR3}), 1);
  EXPECT_EQ(CountSent(h, kMaster, ReconfigureCommand{kR3}), 0);  // already a replica
}

// A COORDINATED switchover to r3 that completes on the data nodes: r3 reports master, the old
// master and r2 follow it.
void SwitchCoordinatedToR3(CoreHarness& h) {
  Healthy(h);
  PeersVoteForCoordinated(h);
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  h.info["10.0.0.3:6379"] = "run_id:" + std::string(40, '3') + "\r\nrole:master\r\n";
  h.info["10.0.0.1:6379"] = testing::ReplicaInfo(kR3, true, 100, 20, '1');
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo(kR3, true, 100, 10, '2');
  h.Run(Millis(2000));
}

TEST(CoordinatedSwitchoverTest, OldMasterGetsItsConfigPersistedOnceItFollowsTheNewOne) {
  CoreHarness h;
  SwitchCoordinatedToR3(h);
  ASSERT_TRUE(h.Saw("+switch-master mymaster 10.0.0.1 6379 10.0.0.3 6379"));
  // FAILOVER left the old master's config file saying "master": once it reports following r3,
  // it gets SLAVEOF r3 (already its master: no resync) with CONFIG REWRITE, exactly once.
  h.Run(Millis(12000));
  EXPECT_EQ(CountSent(h, kMaster, ReconfigureCommand{kR3}), 1);
  EXPECT_TRUE(h.SawType("+persist-slave-config"));
}

TEST(CoordinatedSwitchoverTest, NewMasterGetsItsConfigPersistedOnceItReportsRoleMaster) {
  CoreHarness h;
  SwitchCoordinatedToR3(h);
  ASSERT_TRUE(h.Saw("+switch-master mymaster 10.0.0.1 6379 10.0.0.3 6379"));
  // Its config file still names the old master: once it reports role:master at its new address
  // it gets CONFIG REWRITE, exactly once, so a restart keeps it master; no CLIENT KILL (and so
  // no block) for the clients that already followed it.
  EXPECT_EQ(CountSent(h, kR3, RewriteConfigCommand{}), 1);
  EXPECT_EQ(CountSent(h, kR3, ReconfigureCommand{std::nullopt}), 0);
  EXPECT_TRUE(h.Saw("+persist-master-config master mymaster 10.0.0.3 6379"));
  h.Run(Millis(5000));
  EXPECT_EQ(CountSent(h, kR3, RewriteConfigCommand{}), 1);
}

TEST(CoordinatedSwitchoverTest, PromotedReplicaIsPolledFastWhileWritesArePaused) {
  CoreHarness h;
  Healthy(h);
  PeersVoteForCoordinated(h);
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  // Right after FAILOVER is accepted the replica is polled back to back, a bounded number of
  // times; then once per tick.
  size_t chained = CountSent(h, kR3, InfoCommand{});
  EXPECT_GE(chained, static_cast<size_t>(kHandoffChainedPolls));
  size_t before = CountSent(h, kR3, InfoCommand{});
  h.Run(Millis(1000));
  // Redis polls a replica under failover once a second; the handoff wants every tick.
  EXPECT_GE(CountSent(h, kR3, InfoCommand{}) - before, 9u);
}

TEST(CoordinatedSwitchoverTest, PeersThatRejectCoordinatedVotesAbortTheAttemptAtOnce) {
  CoreHarness h;
  Healthy(h);
  // Redis 7.0 answers a seven-argument is-master-down-by-addr with an arity error.
  h.vote = [](const std::string&, const IsMasterDownByAddrCommand& ask) -> ReplyPayload {
    if (ask.coordinated) {
      return SimpleReply{
          true, "ERR wrong number of arguments for 'sentinel|is-master-down-by-addr' command"};
    }
    return VoteReply{false, "*", 0};
  };
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  h.Run(Millis(200));
  EXPECT_TRUE(h.SawType("-coordinated-vote-refused"));
  EXPECT_TRUE(h.Saw("-failover-abort-not-elected master mymaster 10.0.0.1 6379"));
  EXPECT_EQ(CountSent(h, kMaster, FailoverToCommand{kR3, 5000}), 0);
  EXPECT_FALSE(h.core.FindMaster("mymaster")->failover.in_progress());
  EXPECT_EQ(h.core.FindMaster("mymaster")->CurrentAddress(), kMaster);
}

TEST(CoordinatedSwitchoverTest, NoVotesMeansNoHandoff) {
  CoreHarness h;
  Healthy(h);  // peers answer but never vote
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  h.Run(Millis(6000));
  EXPECT_TRUE(h.Saw("-failover-abort-not-elected master mymaster 10.0.0.1 6379"));
  EXPECT_EQ(CountSent(h, kMaster, FailoverToCommand{kR3, 5000}), 0);
}

TEST(CoordinatedSwitchoverTest, DataNodeRefusingFailoverAbortsWithItsError) {
  CoreHarness h;
  Healthy(h);
  PeersVoteForCoordinated(h);
  h.failover_error = "ERR FAILOVER target replica is not online.";
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  EXPECT_TRUE(h.Saw(
      "-coordinated-abort-failover-refused master mymaster 10.0.0.1 6379 #ERR FAILOVER target "
      "replica is not online."));
  EXPECT_FALSE(h.core.FindMaster("mymaster")->failover.in_progress());
  EXPECT_FALSE(h.core.FindMaster("mymaster")->replicas.at("10.0.0.3:6379").promoted);
}

TEST(CoordinatedSwitchoverTest, HandoffThatNeverCompletesAbortsAfterTheDataNodeTimeout) {
  CoreHarness h;
  Healthy(h);
  PeersVoteForCoordinated(h);
  h.Step(AdminCommand{1, FailoverRequest{"mymaster", true}});
  h.Run(HandoffTimeout(*h.core.FindMaster("mymaster")));
  EXPECT_FALSE(h.SawType("-coordinated-abort-timeout"));  // the data node may still hand over
  h.Run(kHandoffGrace + Millis(200));
  EXPECT_TRUE(h.Saw("-coordinated-abort-timeout master mymaster 10.0.0.1 6379"));
  EXPECT_FALSE(h.SawType("+promoted-slave"));
  EXPECT_EQ(h.core.FindMaster("mymaster")->CurrentAddress(), kMaster);
}

}  // namespace
}  // namespace vigil::sentinel
