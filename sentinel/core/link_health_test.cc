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

TEST(LinkHealthTest, FastPingedLinkCountsFromTheLastValidReply) {
  LinkHealth h = LinkHealth::Fresh(MonoTime{0});
  EXPECT_TRUE(h.OnPingReply("PONG", MonoTime{1000}));
  h.OnPingSent(MonoTime{1300});  // the next 300 ms PING goes unanswered
  EXPECT_EQ(h.Unresponsive(false, MonoTime{2000}), Millis(700));
  EXPECT_EQ(h.Unresponsive(false, MonoTime{2000}, Millis(300)), Millis(1000));
  // Never more than one period ahead of Redis's clock, even after a long quiet spell.
  LinkHealth quiet = LinkHealth::Fresh(MonoTime{0});
  EXPECT_TRUE(quiet.OnPingReply("PONG", MonoTime{0}));
  quiet.OnPingSent(MonoTime{5000});
  EXPECT_EQ(quiet.Unresponsive(false, MonoTime{5100}, Millis(300)), Millis(400));
  // An answered link is responsive whatever the period.
  EXPECT_TRUE(h.OnPingReply("PONG", MonoTime{2100}));
  EXPECT_EQ(h.Unresponsive(false, MonoTime{2200}, Millis(300)), Millis(0));
}

TEST(LinkHealthTest, DownAtIsWhenUnresponsivePassesDownAfter) {
  LinkHealth h = LinkHealth::Fresh(MonoTime{0});
  EXPECT_TRUE(h.OnPingReply("PONG", MonoTime{1000}));
  EXPECT_FALSE(h.DownAt(false, Millis(1000)).has_value());
  h.OnPingSent(MonoTime{1300});
  for (Millis fast : {Millis(0), Millis(300)}) {
    MonoTime at = *h.DownAt(false, Millis(1000), fast);
    EXPECT_LE(h.Unresponsive(false, at - Millis(1), fast), Millis(1000));
    EXPECT_GT(h.Unresponsive(false, at, fast), Millis(1000));
  }
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
