#include "sentinel/core/link_health.h"

#include <gtest/gtest.h>

#include <vector>

#include "sentinel/core/core_harness_for_test.h"

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

namespace vigil::sentinel {
namespace {

// The command connection to `addr` the harness has open, or 0.
ConnId CommandConnTo(const testing::CoreHarness& h, const HostPort& addr) {
  for (const auto& [id, c] : h.conns) {
    if (c.addr == addr && c.channel == Channel::kCommand) return id;
  }
  return 0;
}

int ConnectsTo(const testing::CoreHarness& h, size_t from_batch, const HostPort& addr) {
  int n = 0;
  for (size_t i = from_batch; i < h.batches.size(); ++i) {
    for (const Action& a : h.batches[i].actions) {
      if (const auto* c = std::get_if<ConnectAction>(&a); c && c->addr == addr) ++n;
    }
  }
  return n;
}

// A master with one replica, 10.0.0.2, monitored for 2 s: every link up. Returns the replica.
HostPort RunMasterWithReplica(testing::CoreHarness& h) {
  const HostPort replica{"10.0.0.2", 6379};
  h.info["10.0.0.1:6379"] = testing::MasterInfo({replica});
  h.info["10.0.0.2:6379"] = testing::ReplicaInfo({"10.0.0.1", 6379}, true, 100, 1);
  h.Run(Millis(2000));
  return replica;
}

// Connects on `channel` to `addr` in the batches from `from_batch` on.
int DialsTo(const testing::CoreHarness& h, size_t from_batch, const HostPort& addr,
            Channel channel) {
  int n = 0;
  for (size_t i = from_batch; i < h.batches.size(); ++i) {
    for (const Action& a : h.batches[i].actions) {
      const auto* c = std::get_if<ConnectAction>(&a);
      n += c != nullptr && c->addr == addr && c->channel == channel;
    }
  }
  return n;
}

// A connection that worked and was then closed (the CLIENT KILL of a reconfiguration block)
// is dialled again at the next tick, not a PING period after the last attempt; a second drop
// within the period waits as Redis does, so a peer that accepts and closes is not hammered.
TEST(LinkReconnect, EstablishedConnectionThatDropsRedialsAtOnceOncePerPingPeriod) {
  testing::CoreHarness h;
  const HostPort master{"10.0.0.1", 6379};
  h.info["10.0.0.1:6379"] = testing::MasterInfo({});
  h.Run(Millis(300));
  ConnId conn = CommandConnTo(h, master);
  ASSERT_NE(conn, 0u);
  h.conns.erase(conn);
  size_t mark = h.batches.size();
  h.Step(LinkDown{conn});
  h.Tick();
  EXPECT_EQ(ConnectsTo(h, mark, master), 1);
  conn = CommandConnTo(h, master);
  ASSERT_NE(conn, 0u);
  h.conns.erase(conn);
  mark = h.batches.size();
  h.Step(LinkDown{conn});
  h.Run(Millis(500));
  EXPECT_EQ(ConnectsTo(h, mark, master), 0);  // the second drop within a second waits
  h.Run(Millis(600));
  EXPECT_EQ(ConnectsTo(h, mark, master), 1);
}

}  // namespace
}  // namespace vigil::sentinel

namespace vigil::sentinel {
namespace {

// A connect whose SYNs are lost fails at the shell's 1 s timeout and is dialled again at the
// next tick. The guard once restarted while the connect was still pending, so every retry came a
// second late: against a partitioned node the link was tried every 2 s, and a healed partition
// was seen up to a second after the heal.
TEST(LinkReconnect, UnansweredConnectIsRetriedRightAfterItsTimeout) {
  testing::CoreHarness h;
  const HostPort replica = RunMasterWithReplica(h);
  h.unreachable["10.0.0.2:6379"] = true;
  ConnId conn = CommandConnTo(h, replica);
  ASSERT_NE(conn, 0u);
  h.conns.erase(conn);
  h.Step(LinkDown{conn});
  std::vector<int64_t> dialled;  // times of command-connection connects to the replica
  size_t mark = 0;
  for (int t = 0; t < 60; ++t) {
    for (size_t i = mark; i < h.batches.size(); ++i) {
      for (const Action& a : h.batches[i].actions) {
        const auto* c = std::get_if<ConnectAction>(&a);
        if (c != nullptr && c->addr == replica && c->channel == Channel::kCommand) {
          dialled.push_back(h.now.ms);
        }
      }
    }
    mark = h.batches.size();
    h.Tick();
  }
  ASSERT_GE(dialled.size(), 4u);
  for (size_t i = 1; i < dialled.size(); ++i) {
    // The 1 s timeout fires on the tick after it is exceeded, the retry on the tick after that.
    EXPECT_LE(dialled[i] - dialled[i - 1], 1200) << "attempt " << i;
  }
}

// Each connection keeps its own redial guard. With one guard per link, a pub/sub connection
// that dropped while the command connection was being re-dialled waited for the command
// connection's period: after a healed partition the replica stayed "disconnected" up to a
// second longer (chaos sentinel_minority, 0.7 s).
TEST(LinkReconnect, ConnectionsThatDropOutOfPhaseAreRedialledEachOnItsOwnGuard) {
  testing::CoreHarness h;
  const HostPort replica = RunMasterWithReplica(h);
  ConnId cmd = CommandConnTo(h, replica);
  ConnId pubsub = 0;
  for (const auto& [id, c] : h.conns) {
    if (c.addr == replica && c.channel == Channel::kPubSub) pubsub = id;
  }
  ASSERT_NE(cmd, 0u);
  ASSERT_NE(pubsub, 0u);
  // The command connection fails to connect once; its redial is pending when the pub/sub
  // connection drops half a period later.
  h.unreachable["10.0.0.2:6379"] = true;
  h.conns.erase(cmd);
  h.Step(LinkDown{cmd});
  h.Tick();
  h.Run(Millis(500));
  h.unreachable["10.0.0.2:6379"] = false;
  h.conns.erase(pubsub);
  size_t mark = h.batches.size();
  h.Step(LinkDown{pubsub});
  h.Tick();
  EXPECT_EQ(DialsTo(h, mark, replica, Channel::kPubSub), 1);
}

// A node whose host answers but whose process is down refuses connects at once; it is dialled
// about every kRefusedRetry (on the 100 ms tick) rather than every PING period, so a restarted
// old master is reached well within a second of listening again.
TEST(LinkReconnect, RefusedConnectIsRetriedSoonerThanAPingPeriod) {
  testing::CoreHarness h;
  const HostPort replica = RunMasterWithReplica(h);
  h.silent["10.0.0.2:6379"] = true;  // the harness refuses its connects at once
  ConnId conn = CommandConnTo(h, replica);
  ASSERT_NE(conn, 0u);
  h.conns.erase(conn);
  h.Step(LinkDown{conn});
  size_t mark = h.batches.size();
  h.Run(Millis(2000));
  const int dials = DialsTo(h, mark, replica, Channel::kCommand);
  EXPECT_GE(dials, 6);   // every 300 ms on the 100 ms tick
  EXPECT_LE(dials, 10);  // but not on every tick
}

// The CLIENT KILL of a reconfiguration block closes a sentinel's command and pub/sub
// connections to the node at the same moment; both are dialled again at the next tick. With one
// "at once" allowance per link, the pub/sub connection waited for its guard: a healed old
// master stayed "disconnected" 0.8 s longer (chaos partition_master_sentinels, 1.07 s).
TEST(LinkReconnect, BothConnectionsKilledTogetherAreRedialledAtOnce) {
  testing::CoreHarness h;
  const HostPort replica = RunMasterWithReplica(h);
  auto conns_to_replica = [&] {
    std::pair<ConnId, ConnId> out{0, 0};  // command, pub/sub
    for (const auto& [id, c] : h.conns) {
      if (c.addr != replica) continue;
      (c.channel == Channel::kCommand ? out.first : out.second) = id;
    }
    return out;
  };
  auto kill_both = [&] {
    auto [cmd, pubsub] = conns_to_replica();
    ASSERT_NE(cmd, 0u);
    ASSERT_NE(pubsub, 0u);
    h.conns.erase(cmd);
    h.conns.erase(pubsub);
    h.Step(LinkDown{cmd});
    h.Step(LinkDown{pubsub});
  };
  // A partition: the links drop and their redials go unanswered until it heals; the connects
  // that then succeed were dialled by the ordinary guard, a moment ago.
  h.unreachable["10.0.0.2:6379"] = true;
  kill_both();
  h.Run(Millis(1000));
  h.unreachable["10.0.0.2:6379"] = false;
  h.Run(Millis(400));
  // The reconfiguration block's CLIENT KILL closes both fresh connections together.
  size_t mark = h.batches.size();
  kill_both();
  h.Tick();
  EXPECT_EQ(DialsTo(h, mark, replica, Channel::kCommand), 1);
  EXPECT_EQ(DialsTo(h, mark, replica, Channel::kPubSub), 1);
}

}  // namespace
}  // namespace vigil::sentinel
