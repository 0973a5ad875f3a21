#include "datanode/replication/replication_history.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::datanode {
namespace {

const std::string kA(40, 'a');
const std::string kB(40, 'b');
const std::string kC(40, 'c');

TEST(ReplicationHistoryTest, StartsWithoutABacklogAndAppendingCreatesOne) {
  ReplicationHistory h;
  h.Restart(kA);
  EXPECT_EQ(h.backlog(), nullptr);
  h.Append("*1\r\n$4\r\nPING\r\n", 0);
  ASSERT_NE(h.backlog(), nullptr);
  EXPECT_EQ(h.offset(), 14);
  EXPECT_EQ(h.backlog()->histlen(), 14);
  EXPECT_EQ(h.data_offset(), 0);  // a PING carries no data
}

TEST(ReplicationHistoryTest, BacklogSizeHasRedisFloorAndResizesALiveBacklog) {
  ReplicationHistory h;
  h.SetBacklogSize(100);
  h.EnsureBacklog();
  EXPECT_EQ(h.backlog()->capacity(), size_t(ReplicationHistory::kMinBacklogSize));
  h.SetBacklogSize(1 << 20);
  EXPECT_EQ(h.backlog()->capacity(), size_t(1 << 20));
}

TEST(ReplicationHistoryTest, AdoptTakesTheMastersIdAndOffsetAndRebasesTheBacklog) {
  ReplicationHistory h;
  h.Restart(kA);
  h.Append("xxxx", 4);
  h.Shift(kB);
  h.Adopt(kC, 1000);
  EXPECT_EQ(h.ids().replid, kC);
  EXPECT_EQ(h.ids().replid2, kNoReplid);
  EXPECT_EQ(h.ids().second_replid_offset, -1);
  EXPECT_EQ(h.offset(), 1000);
  EXPECT_EQ(h.data_offset(), 1000);
  EXPECT_EQ(h.backlog()->histlen(), 0);
  EXPECT_EQ(h.backlog()->first_byte_offset(), 1001);
}

TEST(ReplicationHistoryTest, AfterAShiftTheOldIdContinuesUpToTheShiftPoint) {
  ReplicationHistory h;
  h.Adopt(kA, 0);
  h.Append(std::string(100, 'x'), 100);
  h.Shift(kB);
  h.Append(std::string(50, 'y'), 50);
  EXPECT_EQ(h.ids().replid, kB);
  EXPECT_EQ(h.ids().replid2, kA);
  EXPECT_EQ(h.ids().second_replid_offset, 101);
  PsyncDecision at_shift = h.DecidePsync({kA, 101});
  EXPECT_EQ(at_shift.kind, PsyncDecision::Kind::kContinue);
  EXPECT_EQ(at_shift.from_offset, 101);
  EXPECT_EQ(h.backlog()->CopyFrom(at_shift.from_offset), std::string(50, 'y'));
  // Past the shift point the old id names bytes this history never had.
  EXPECT_EQ(h.DecidePsync({kA, 102}).kind, PsyncDecision::Kind::kFullResync);
  EXPECT_EQ(h.DecidePsync({kB, 151}).kind, PsyncDecision::Kind::kContinue);
}

TEST(ReplicationHistoryTest, RestoredMasterKeepsTheRdbIdAsSecondaryUntilItIsShown) {
  ReplicationHistory h;
  h.Restart(kB);
  h.Restore(kA, 500, /*as_replica=*/false);
  EXPECT_EQ(h.ids().replid, kB);
  EXPECT_EQ(h.ids().replid2, kA);
  EXPECT_EQ(h.ids().second_replid_offset, 501);
  EXPECT_EQ(h.offset(), 500);
  EXPECT_TRUE(h.restored_id_unseen());
  // Traffic that carries no data does not make the new id known...
  h.Append("*1\r\n$4\r\nPING\r\n", 0);
  EXPECT_TRUE(h.restored_id_unseen());
  // ...a write does.
  h.Append("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", 29);
  EXPECT_FALSE(h.restored_id_unseen());
  // Replicas of the restored history continue through replid2.
  EXPECT_EQ(h.DecidePsync({kA, 501}).kind, PsyncDecision::Kind::kContinue);
}

TEST(ReplicationHistoryTest, RestoredReplicaContinuesItsMastersHistory) {
  ReplicationHistory h;
  h.Restart(kB);
  h.Restore(kA, 500, /*as_replica=*/true);
  EXPECT_EQ(h.ids().replid, kA);
  EXPECT_EQ(h.ids().replid2, kNoReplid);
  EXPECT_FALSE(h.restored_id_unseen());
  EXPECT_NE(h.backlog(), nullptr);
}

TEST(ReplicationHistoryTest, DiscardingTheNonDataTailRewindsOffsetAndBacklog) {
  ReplicationHistory h;
  h.Adopt(kA, 0);
  h.Append(std::string(40, 'd'), 40);
  h.Append(std::string(30, 'p'), 0);
  EXPECT_EQ(h.offset(), 70);
  EXPECT_EQ(h.DiscardNonDataTail(), 30);
  EXPECT_EQ(h.offset(), 40);
  EXPECT_EQ(h.backlog()->end_offset(), 40);
  EXPECT_EQ(h.DiscardNonDataTail(), 0);
}

TEST(ReplicationHistoryTest, FreeingTheBacklogStartsANewHistory) {
  ReplicationHistory h;
  h.Adopt(kA, 0);
  h.Append("abc", 3);
  h.Shift(kB);
  h.FreeBacklog(kC);
  EXPECT_EQ(h.backlog(), nullptr);
  EXPECT_EQ(h.ids().replid, kC);
  EXPECT_EQ(h.ids().replid2, kNoReplid);
  EXPECT_EQ(h.offset(), 3);
  EXPECT_EQ(h.DecidePsync({kB, 4}).kind, PsyncDecision::Kind::kFullResync);
}

}  // namespace
}  // namespace vigil::datanode
