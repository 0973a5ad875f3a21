#include "datanode/replication/shutdown_handoff.h"

#include <gtest/gtest.h>

#include "datanode/replication/sentinel_directory.h"

namespace vigil::datanode {
namespace {

using Kind = HandoffStep::Kind;

MonoTime At(int64_t ms) {
  return MonoTime::FromMillis(ms);
}

std::vector<HandoffSentinel> Two() {
  return {{{"10.0.0.1", 26379}, "mym"}, {{"10.0.0.2", 26379}, "mym"}};
}

TEST(ShutdownHandoffTest, AsksForACoordinatedSwitchoverThenWaitsForTheSentinelsToNameTheReplica) {
  ShutdownHandoff h;
  HandoffStep s = h.Begin(Two(), At(10'000));
  ASSERT_EQ(s.kind, Kind::kSend);
  EXPECT_EQ(s.sentinel, 0u);
  EXPECT_EQ(s.argv, (std::vector<std::string>{"SENTINEL", "FAILOVER", "mym", "COORDINATED"}));
  EXPECT_EQ(h.OnReply(At(2), "", std::nullopt).kind, Kind::kWait);
  EXPECT_EQ(h.phase(), ShutdownHandoff::Phase::kHanding);
  EXPECT_EQ(h.OnTick(At(50)).kind, Kind::kWait);
  // Our FAILOVER handed over: ask every sentinel, the accepting one first, until each names
  // the new master.
  s = h.OnFollowing(At(60), {"10.0.0.9", 6380});
  ASSERT_EQ(s.kind, Kind::kSend);
  EXPECT_EQ(s.sentinel, 0u);
  EXPECT_EQ(s.argv, (std::vector<std::string>{"SENTINEL", "MASTER", "mym"}));
  EXPECT_EQ(h.OnReply(At(61), "", HostPort{"10.0.0.5", 6379}).kind, Kind::kWait);
  EXPECT_EQ(h.OnTick(At(65)).kind, Kind::kWait);  // polls no faster than kConfirmPoll
  s = h.OnTick(At(71));
  ASSERT_EQ(s.kind, Kind::kSend);
  EXPECT_EQ(s.sentinel, 1u);  // the first one is asked again after the others
  s = h.OnReply(At(72), "", HostPort{"10.0.0.9", 6380});
  ASSERT_EQ(s.kind, Kind::kSend);  // sentinel 1 names it: on to sentinel 0 at once
  EXPECT_EQ(s.sentinel, 0u);
  s = h.OnReply(At(73), "", HostPort{"10.0.0.9", 6380});
  EXPECT_EQ(s.kind, Kind::kFinish);
  EXPECT_TRUE(s.handed_over);
  EXPECT_FALSE(h.active());
}

TEST(ShutdownHandoffTest, ARefusalMovesToTheNextSentinelAndAllRefusingFallsBack) {
  ShutdownHandoff h;
  h.Begin(Two(), At(10'000));
  HandoffStep s = h.OnReply(At(1), "INPROG Failover already in progress", std::nullopt);
  ASSERT_EQ(s.kind, Kind::kSend);
  EXPECT_EQ(s.sentinel, 1u);
  s = h.OnReply(At(2), "cannot connect: Connection refused", std::nullopt);
  ASSERT_EQ(s.kind, Kind::kFinish);
  EXPECT_FALSE(s.handed_over);
  EXPECT_NE(s.why.find("INPROG"), std::string::npos);
  EXPECT_NE(s.why.find("Connection refused"), std::string::npos);
}

TEST(ShutdownHandoffTest, NoSentinelFinishesAtOnce) {
  ShutdownHandoff h;
  HandoffStep s = h.Begin({}, At(10'000));
  EXPECT_EQ(s.kind, Kind::kFinish);
  EXPECT_FALSE(s.handed_over);
}

TEST(ShutdownHandoffTest, TheDeadlineEndsEveryPhase) {
  ShutdownHandoff h;
  h.Begin(Two(), At(1'000));
  h.OnReply(At(1), "", std::nullopt);
  HandoffStep s = h.OnTick(At(1'000));
  EXPECT_EQ(s.kind, Kind::kFinish);
  EXPECT_FALSE(s.handed_over);

  // Handed over but never named: the replica did take over, so the shutdown goes on as one.
  ShutdownHandoff c;
  c.Begin(Two(), At(1'000));
  c.OnReply(At(1), "", std::nullopt);
  c.OnFollowing(At(5), {"10.0.0.9", 6380});
  c.OnReply(At(6), "", std::nullopt);
  s = c.OnTick(At(1'000));
  EXPECT_EQ(s.kind, Kind::kFinish);
  EXPECT_TRUE(s.handed_over);
}

TEST(ShutdownHandoffTest, FollowingBeforeTheSentinelsReplyStillConfirms) {
  ShutdownHandoff h;
  h.Begin(Two(), At(10'000));
  EXPECT_EQ(h.OnFollowing(At(3), {"10.0.0.9", 6380}).kind, Kind::kWait);  // reply outstanding
  HandoffStep s = h.OnReply(At(4), "", std::nullopt);                     // the late +OK
  EXPECT_EQ(s.kind, Kind::kWait);
  s = h.OnTick(At(20));
  ASSERT_EQ(s.kind, Kind::kSend);
  EXPECT_EQ(s.argv[1], "MASTER");
}

TEST(ShutdownHandoffTest, ASentinelThatStopsAnsweringIsNotWaitedFor) {
  ShutdownHandoff h;
  h.Begin(Two(), At(10'000));
  h.OnReply(At(1), "", std::nullopt);
  HandoffStep s = h.OnFollowing(At(5), {"10.0.0.9", 6380});
  ASSERT_EQ(s.sentinel, 0u);
  s = h.OnReply(At(6), "", HostPort{"10.0.0.9", 6380});
  ASSERT_EQ(s.kind, Kind::kSend);
  EXPECT_EQ(s.sentinel, 1u);
  s = h.OnReply(At(7), "cannot connect: Connection refused", std::nullopt);
  EXPECT_EQ(s.kind, Kind::kFinish);
  EXPECT_TRUE(s.handed_over);
  EXPECT_NE(s.why.find("1 of 2"), std::string::npos);
}

TEST(ShutdownHandoffTest, CancelStopsEverything) {
  ShutdownHandoff h;
  h.Begin(Two(), At(10'000));
  h.Cancel();
  EXPECT_FALSE(h.active());
  EXPECT_EQ(h.OnReply(At(1), "", std::nullopt).kind, Kind::kWait);
  EXPECT_EQ(h.OnTick(At(20'000)).kind, Kind::kWait);
}

TEST(SentinelDirectoryTest, RecentListsTheFreshestSentinelsFirst) {
  SentinelDirectory d;
  SentinelHello a;
  a.sentinel = {"10.0.0.1", 26379};
  a.runid = std::string(40, 'a');
  a.master_name = "mym";
  SentinelHello b = a;
  b.sentinel = {"10.0.0.2", 26379};
  b.runid = std::string(40, 'b');
  d.Observe(At(0), a);
  d.Observe(At(1'000), b);
  auto r = d.Recent(At(2'000), Millis(10'000));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].addr.host, "10.0.0.2");
  d.Observe(At(3'000), a);
  r = d.Recent(At(12'500), Millis(10'000));
  ASSERT_EQ(r.size(), 1u);  // b has been silent for 11.5 s
  EXPECT_EQ(r[0].addr.host, "10.0.0.1");
}

}  // namespace
}  // namespace vigil::datanode
