#include "sentinel/core/link_health.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(LinkHealthTest, OnlyPongLoadingAndMasterdownAreValid) {
  EXPECT_TRUE(IsValidPingReply("PONG"));
  EXPECT_TRUE(IsValidPingReply("LOADING Redis is loading the dataset in memory"));
  EXPECT_TRUE(IsValidPingReply("MASTERDOWN Link with MASTER is down"));
  EXPECT_FALSE(IsValidPingReply("NOAUTH Authentication required."));
  EXPECT_FALSE(IsValidPingReply("BUSY Redis is busy running a script."));
}

TEST(LinkHealthTest, UnansweredPingCountsFromTheOldestPing) {
  LinkHealth h = LinkHealth::Fresh(MonoTime{0});
  EXPECT_TRUE(h.OnPingReply("PONG", MonoTime{10}));
  EXPECT_EQ(h.Unresponsive(false, MonoTime{500}), Millis(0));
  h.OnPingSent(MonoTime{1000});
  h.OnPingSent(MonoTime{1600});  // still pending: the clock keeps the first send
  EXPECT_EQ(h.Unresponsive(false, MonoTime{2500}), Millis(1500));
  EXPECT_FALSE(h.OnPingReply("NOAUTH x", MonoTime{2600}));
  EXPECT_EQ(h.Unresponsive(false, MonoTime{2700}), Millis(1700));
  EXPECT_EQ(h.last_pong_time, MonoTime{2600});
}

TEST(LinkHealthTest, LostConnectionStartsTheClockLikeAPendingPing) {
  LinkHealth h = LinkHealth::Fresh(MonoTime{0});
  h.OnPingReply("PONG", MonoTime{100});
  h.OnCommandConnectionLost(MonoTime{900});
  EXPECT_EQ(h.Unresponsive(true, MonoTime{1900}), Millis(1000));
}

TEST(LinkHealthTest, FreshLinkIsUnresponsiveUntilItAnswers) {
  LinkHealth h = LinkHealth::Fresh(MonoTime{50});
  EXPECT_EQ(h.Unresponsive(true, MonoTime{1050}), Millis(1000));
}

}  // namespace
}  // namespace vigil::sentinel
