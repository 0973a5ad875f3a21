#include "datanode/replication/replica_ack_waiters.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

void Ack(MasterFsm& fsm, uint64_t id, int64_t offset) {
  ReplicaRecord* r = fsm.Find(id);
  if (r == nullptr) r = &fsm.Attach(id, "127.0.0.1", MonoTime{});
  r->state = ReplicaSyncState::kOnline;
  r->ack_offset = offset;
}

TEST(ReplicaAckWaitersTest, AnswersAtOnceWhenEnoughReplicasAlreadyAcknowledged) {
  MasterFsm fsm;
  Ack(fsm, 1, 100);
  Ack(fsm, 2, 50);
  ReplicaAckWaiters w;
  EXPECT_EQ(w.Wait(7, 100, 1, 0, true, fsm), 1);
  EXPECT_TRUE(w.empty());
}

TEST(ReplicaAckWaitersTest, ANonBlockingWaitReportsTheCurrentCount) {
  MasterFsm fsm;
  Ack(fsm, 1, 10);
  ReplicaAckWaiters w;
  EXPECT_EQ(w.Wait(7, 100, 1, 0, /*may_block=*/false, fsm), 0);
  EXPECT_TRUE(w.empty());
}

TEST(ReplicaAckWaitersTest, WaitersAreAnsweredWhenAcksArriveInTheOrderTheyCame) {
  MasterFsm fsm;
  Ack(fsm, 1, 0);
  Ack(fsm, 2, 0);
  ReplicaAckWaiters w;
  EXPECT_FALSE(w.Wait(7, 100, 2, 0, true, fsm).has_value());
  EXPECT_FALSE(w.Wait(8, 80, 1, 0, true, fsm).has_value());
  EXPECT_TRUE(w.Serve(fsm, 1).empty());
  Ack(fsm, 1, 100);
  auto answers = w.Serve(fsm, 2);
  ASSERT_EQ(answers.size(), 1u);  // 8 needed one replica at 80
  EXPECT_EQ(answers[0].client_id, 8u);
  EXPECT_EQ(answers[0].acked, 1);
  Ack(fsm, 2, 120);
  answers = w.Serve(fsm, 3);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].client_id, 7u);
  EXPECT_EQ(answers[0].acked, 2);
  EXPECT_TRUE(w.empty());
}

TEST(ReplicaAckWaitersTest, TimeoutAnswersWithHowManyHadAcknowledged) {
  MasterFsm fsm;
  Ack(fsm, 1, 100);
  Ack(fsm, 2, 0);
  ReplicaAckWaiters w;
  EXPECT_FALSE(w.Wait(7, 100, 2, /*deadline_ms=*/500, true, fsm).has_value());
  EXPECT_TRUE(w.Serve(fsm, 499).empty());
  auto answers = w.Serve(fsm, 500);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].acked, 1);
}

TEST(ReplicaAckWaitersTest, WithoutATimeoutAWaiterStaysUntilItIsForgotten) {
  MasterFsm fsm;
  ReplicaAckWaiters w;
  EXPECT_FALSE(w.Wait(7, 100, 1, 0, true, fsm).has_value());
  EXPECT_TRUE(w.Serve(fsm, 1'000'000'000).empty());
  w.Forget(7);
  EXPECT_TRUE(w.empty());
}

}  // namespace
}  // namespace vigil::datanode
