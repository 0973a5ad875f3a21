#include "datanode/replication/shutdown_gate.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

MonoTime T(int64_t ms) {
  return MonoTime::FromMillis(ms);
}

TEST(ShutdownGateTest, NoReplicasMeansCaughtUp) {
  MasterFsm fsm;
  EXPECT_TRUE(ReplicasCaughtUp(fsm, 1234));
}

TEST(ShutdownGateTest, EveryReplicaMustHaveAcknowledgedTheOffset) {
  MasterFsm fsm;
  fsm.Attach(1, "127.0.0.1", T(0)).ack_offset = 100;
  fsm.Attach(2, "127.0.0.1", T(0)).ack_offset = 90;
  EXPECT_FALSE(ReplicasCaughtUp(fsm, 100));
  auto lagging = LaggingReplicas(fsm, 100, T(0));
  ASSERT_EQ(lagging.size(), 1u);
  EXPECT_EQ(lagging[0].behind, 10);
  fsm.Find(2)->ack_offset = 100;
  EXPECT_TRUE(ReplicasCaughtUp(fsm, 100));
  EXPECT_TRUE(LaggingReplicas(fsm, 100, T(0)).empty());
}

TEST(ShutdownGateTest, RdbOnlyClientsAreNotWaitedFor) {
  MasterFsm fsm;
  fsm.Attach(1, "127.0.0.1", T(0)).rdb_only = true;
  EXPECT_TRUE(ReplicasCaughtUp(fsm, 100));
}

TEST(ShutdownGateTest, FinishesAtOnceWithNowZeroTimeoutOrCaughtUpReplicas) {
  ShutdownGate g;
  EXPECT_TRUE(g.Begin(T(0), /*now_flag=*/true, Millis(10000), false));
  EXPECT_TRUE(g.Begin(T(0), false, Millis(0), false));
  EXPECT_TRUE(g.Begin(T(0), false, Millis(10000), true));
  EXPECT_FALSE(g.waiting());
}

TEST(ShutdownGateTest, WaitsUntilCaughtUpOrTheDeadline) {
  ShutdownGate g;
  EXPECT_FALSE(g.Begin(T(1000), false, Millis(10000), false));
  EXPECT_TRUE(g.waiting());
  EXPECT_FALSE(g.ShouldFinish(T(5000), false));
  EXPECT_TRUE(g.ShouldFinish(T(5000), true));
  EXPECT_TRUE(g.ShouldFinish(T(11000), false));
  g.Reset();
  EXPECT_FALSE(g.waiting());
  EXPECT_FALSE(g.ShouldFinish(T(20000), true));
}

}  // namespace
}  // namespace vigil::datanode
