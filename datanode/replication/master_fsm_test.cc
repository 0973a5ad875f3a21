#include "datanode/replication/master_fsm.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

MonoTime T(int64_t ms) {
  return MonoTime::FromMillis(ms);
}

TEST(MasterFsmTest, ReplconfOptionsSurviveIntoTheReplicaRecord) {
  MasterFsm fsm;
  bool reply = false;
  EXPECT_TRUE(fsm.Replconf(7, {"listening-port", "17999"}, T(0), &reply).ok());
  EXPECT_TRUE(reply);
  EXPECT_TRUE(fsm.Replconf(7, {"capa", "eof", "capa", "psync2"}, T(0), &reply).ok());
  EXPECT_TRUE(fsm.Replconf(7, {"ip-address", "10.1.1.1"}, T(0), &reply).ok());
  ReplicaRecord& r = fsm.Attach(7, "127.0.0.1", T(5));
  EXPECT_EQ(r.listening_port, 17999);
  EXPECT_TRUE(r.capa_eof);
  EXPECT_TRUE(r.capa_psync2);
  EXPECT_EQ(r.ip(), "10.1.1.1");
  EXPECT_STREQ(ReplicaSyncStateName(r.state), "wait_bgsave");
}

TEST(MasterFsmTest, ReplconfErrorsAreRedisTexts) {
  MasterFsm fsm;
  bool reply = false;
  EXPECT_EQ(fsm.Replconf(1, {"capa"}, T(0), &reply).message(), "ERR syntax error");
  EXPECT_EQ(fsm.Replconf(1, {"bogus", "1"}, T(0), &reply).message(),
            "ERR Unrecognized REPLCONF option: bogus");
  EXPECT_TRUE(fsm.Replconf(1, {"ack", "5"}, T(0), &reply).ok());
  EXPECT_FALSE(reply);  // ACK and GETACK are never answered
  EXPECT_TRUE(fsm.Replconf(1, {"getack", "*"}, T(0), &reply).ok());
  EXPECT_FALSE(reply);
}

TEST(MasterFsmTest, RdbFilterOnlyLeavesOutAllButTheNamedParts) {
  MasterFsm fsm;
  bool reply = false;
  EXPECT_TRUE(fsm.Replconf(1, {"rdb-filter-only", "FUNCTIONS"}, T(0), &reply).ok());
  const ReplicaRecord* r = fsm.FindHandshake(1);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->rdb_exclude_data);
  EXPECT_FALSE(r->rdb_exclude_functions);
  EXPECT_TRUE(fsm.Replconf(2, {"rdb-filter-only", ""}, T(0), &reply).ok());
  EXPECT_TRUE(fsm.FindHandshake(2)->rdb_exclude_functions);  // redis-cli --replica: nothing
  EXPECT_EQ(fsm.Replconf(3, {"rdb-filter-only", "functions bogus"}, T(0), &reply).message(),
            "ERR Unsupported rdb-filter-only option: bogus");
  EXPECT_EQ(fsm.Replconf(3, {"rdb-filter-only", "\"open"}, T(0), &reply).message(),
            "ERR Missing rdb-filter-only values");
  ReplicaRecord& attached = fsm.Attach(1, "127.0.0.1", T(1));
  EXPECT_TRUE(attached.filtered());
  EXPECT_FALSE(attached.SameFilter(ReplicaRecord{}));
}

TEST(MasterFsmTest, AcksDriveWaitAndGoodReplicaCounts) {
  MasterFsm fsm;
  for (uint64_t id : {1, 2}) {
    ReplicaRecord& r = fsm.Attach(id, "127.0.0.1", T(0));
    r.state = ReplicaSyncState::kOnline;
  }
  fsm.OnAck(1, 100, T(1000));
  fsm.OnAck(2, 50, T(1000));
  EXPECT_EQ(fsm.CountAcked(50), 2);
  EXPECT_EQ(fsm.CountAcked(51), 1);
  fsm.OnAck(2, 40, T(1500));  // an older offset never moves the ack back
  EXPECT_EQ(fsm.Find(2)->ack_offset, 50);
  EXPECT_EQ(fsm.CountGood(T(11'000), 10), 2);
  EXPECT_EQ(fsm.CountGood(T(12'000), 10), 1);  // replica 1 last acked at 1000
  EXPECT_EQ(MasterFsm::LagSeconds(*fsm.Find(1), T(4'000)), 3);
}

TEST(MasterFsmTest, FirstAckReleasesAHeldStream) {
  MasterFsm fsm;
  ReplicaRecord& r = fsm.Attach(1, "127.0.0.1", T(0));
  r.state = ReplicaSyncState::kOnline;
  r.hold_stream_until_ack = true;
  EXPECT_TRUE(fsm.OnAck(1, 564, T(1)));
  EXPECT_FALSE(fsm.OnAck(1, 564, T(2)));
}

TEST(MasterFsmTest, DisklessSnapshotWaitsForTheDelay) {
  MasterFsm fsm;
  fsm.Attach(1, "127.0.0.1", T(0));
  EXPECT_FALSE(fsm.ShouldStartSnapshot(T(4'999), Millis(5'000), false));
  EXPECT_TRUE(fsm.ShouldStartSnapshot(T(5'000), Millis(5'000), false));
  EXPECT_FALSE(fsm.ShouldStartSnapshot(T(5'000), Millis(5'000), true));  // a child runs
  EXPECT_TRUE(fsm.ShouldStartSnapshot(T(0), Millis(0), false));
  fsm.Find(1)->snapshot_started = true;
  EXPECT_FALSE(fsm.ShouldStartSnapshot(T(9'000), Millis(0), false));
}

TEST(MasterFsmTest, SilentOnlineReplicasTimeOutButSyncClientsDoNot) {
  MasterFsm fsm;
  fsm.Attach(1, "127.0.0.1", T(0)).state = ReplicaSyncState::kOnline;
  ReplicaRecord& sync = fsm.Attach(2, "127.0.0.1", T(0));
  sync.state = ReplicaSyncState::kOnline;
  sync.pre_psync = true;
  EXPECT_TRUE(fsm.TimedOut(T(60'000), Millis(60'000)).empty());
  EXPECT_EQ(fsm.TimedOut(T(60'001), Millis(60'000)), std::vector<uint64_t>{1});
}

TEST(MasterFsmTest, ABareNewlineKeepsALoadingReplicaFromTimingOut) {
  MasterFsm fsm;
  ReplicaRecord& r = fsm.Attach(3, "127.0.0.1", T(0));
  r.state = ReplicaSyncState::kOnline;
  r.ack_time = T(0);
  EXPECT_EQ(fsm.TimedOut(T(3000), Millis(2000)).size(), 1u);
  fsm.RefreshAckTime(3, T(2500));
  EXPECT_TRUE(fsm.TimedOut(T(3000), Millis(2000)).empty());
  fsm.RefreshAckTime(99, T(2500));  // unknown client: ignored
}

}  // namespace
}  // namespace vigil::datanode
