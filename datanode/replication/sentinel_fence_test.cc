#include "datanode/replication/sentinel_fence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::datanode {
namespace {

const NodeAddress kSelf{{"10.0.0.1"}, 6379};

// One sentinel as the data node sees it: PINGs every 300 ms and a hello every 2 s, naming the
// master it currently believes in.
struct FakeSentinel {
  std::string runid;
  std::string ip;
  int64_t port = 26379;
  bool reachable = true;
  bool hears_us = true;  // false: a one-way cut drops our replies, its commands still arrive
  std::string master_ip = "10.0.0.1";
  int64_t master_port = 6379;
  uint64_t config_epoch = 0;
  uint64_t current_epoch = 0;
  MonoTime last_ping{};
  MonoTime last_hello{-100000};
  Millis ping_period{300};  // vigil-sentinel's pace for a fencing master; 1 s before it knows

  std::string id() const { return SentinelIdOfRunId(runid); }
  SentinelHello Hello() const {
    return SentinelHello{
        {ip, int(port)}, runid, current_epoch, "mymaster", {master_ip, int(master_port)},
        config_epoch};
  }
};

// A data node's loop (100 ms ticks) with a fence and a fleet of sentinels, on a hand clock.
struct World {
  SentinelFence fence;
  MonoTime now{1000};
  std::vector<FakeSentinel> sentinels;
  int refused = 0;  // writes refused while running

  explicit World(int n, Millis timeout = Millis(1000)) : fence(FenceOptions{timeout}) {
    for (int i = 0; i < n; ++i) {
      FakeSentinel s;
      s.runid = std::string(8, char('a' + i)) + std::string(32, '0');
      s.ip = "10.0.1." + std::to_string(i + 1);
      sentinels.push_back(s);
    }
  }

  void Deliver(FakeSentinel& s, MonoTime sent) {
    if (sent - s.last_ping >= s.ping_period) {
      s.last_ping = sent;
      fence.OnContact(now, s.id(), s.hears_us);
    }
    if (sent - s.last_hello >= Millis(2000)) {
      s.last_hello = sent;
      SentinelHello h = s.Hello();
      fence.OnContact(now, s.id(), s.hears_us);
      fence.OnHello(now, h, HelloNamesNode(h, kSelf), s.hears_us);
    }
  }

  // Normal running: ticks every 100 ms, reachable sentinels talk, a write every tick.
  void Run(Millis d) {
    for (Millis t(0); t < d; t += Millis(100)) {
      now += Millis(100);
      for (auto& s : sentinels) {
        if (s.reachable) Deliver(s, now);
      }
      fence.OnLoopTick(now);
      if (!fence.MayWrite(now)) ++refused;
    }
  }

  // The process is stopped for `d`: what reachable sentinels sent meanwhile waits in the
  // sockets and is read in one burst on resume, before any tick, followed by a queued write.
  bool PauseThenWrite(Millis d) {
    const MonoTime start = now;
    now += d;
    for (auto& s : sentinels) {
      if (!s.reachable) continue;
      for (MonoTime sent = start; sent <= now; sent += Millis(100)) Deliver(s, sent);
    }
    const bool accepted = fence.MayWrite(now);
    fence.OnLoopTick(now);  // libevent runs due timers after the I/O callbacks of an iteration
    return accepted;
  }

  // A network partition heals: everything the sentinels sent during it arrives now.
  void HealWithBurst(MonoTime since) {
    for (auto& s : sentinels) {
      s.reachable = true;
      for (MonoTime sent = since; sent <= now; sent += Millis(100)) Deliver(s, sent);
    }
  }

  // Time until writes are accepted again, or -1 within `limit`.
  int64_t MsUntilWritable(Millis limit) {
    for (Millis t(0); t < limit; t += Millis(100)) {
      if (fence.MayWrite(now)) return t.count();
      Run(Millis(100));
    }
    return -1;
  }
};

TEST(SentinelFenceTest, OneWayCutRaisesTheFenceThoughSentinelCommandsStillArrive) {
  World w(3);
  w.Run(Millis(3000));
  ASSERT_EQ(w.fence.sentinels_known(), 3u);
  ASSERT_FALSE(w.fence.fenced());
  // Our packets to the sentinels are dropped: their PINGs and hellos keep arriving, but they
  // hear nothing from us and will declare us down after down-after-milliseconds.
  for (auto& s : w.sentinels) s.hears_us = false;
  w.Run(Millis(1000));
  EXPECT_TRUE(w.fence.fenced());
  EXPECT_EQ(w.fence.cause(), FenceCause::kSentinelsLost);
  // Their hellos naming us are no evidence while they cannot hear us.
  w.Run(Millis(5000));
  EXPECT_TRUE(w.fence.fenced());
  for (auto& s : w.sentinels) s.hears_us = true;
  EXPECT_GE(w.MsUntilWritable(Millis(5000)), 0);
}

TEST(SentinelFenceTest, OneSentinelNotHearingUsLeavesTheMajorityStanding) {
  World w(3);
  w.Run(Millis(3000));
  w.sentinels[0].hears_us = false;
  w.Run(Millis(3000));
  EXPECT_FALSE(w.fence.fenced());
  EXPECT_EQ(w.refused, 0);
}

TEST(SentinelFenceTest, AnUnheardHelloDoesNotEnrolASentinel) {
  World w(1);
  w.sentinels[0].hears_us = false;
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 0u);
  EXPECT_EQ(w.refused, 0);  // no member: an unmonitored master does not fence
}

TEST(SentinelFenceTest, DisabledNeverFences) {
  World w(3, Millis(0));
  w.Run(Millis(3000));
  for (auto& s : w.sentinels) s.reachable = false;
  w.Run(Millis(5000));
  EXPECT_EQ(w.refused, 0);
  EXPECT_TRUE(w.PauseThenWrite(Millis(8000)));
  EXPECT_EQ(w.fence.sentinels_known(), 0u);
}

TEST(SentinelFenceTest, MasterNoSentinelMonitorsNeverFencesEvenAfterAStall) {
  World w(0);
  w.Run(Millis(3000));
  EXPECT_TRUE(w.PauseThenWrite(Millis(8000)));
  EXPECT_EQ(w.refused, 0);
}

TEST(SentinelFenceTest, ReplicaNeverFences) {
  World w(3);
  w.Run(Millis(3000));
  w.fence.SetRole(false);
  for (auto& s : w.sentinels) s.reachable = false;
  w.Run(Millis(5000));
  EXPECT_EQ(w.refused, 0);
  EXPECT_FALSE(w.fence.fenced());
}

TEST(SentinelFenceTest, LearnsSentinelsFromHellosNamingThisNode) {
  World w(3);
  w.sentinels[2].master_ip = "10.0.0.2";  // monitors us as someone's replica: not ours
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 2u);
  EXPECT_EQ(w.fence.sentinels_reached(w.now), 2u);
}

TEST(SentinelFenceTest, HealthyFleetNeverFencesOverAMinute) {
  World w(3);
  w.Run(Millis(60000));
  EXPECT_EQ(w.refused, 0);
  EXPECT_EQ(w.fence.raises(), 0u);
  EXPECT_EQ(w.fence.lifts(), 0u);
}

TEST(SentinelFenceTest, OneSilentSentinelOfThreeDoesNotFence) {
  World w(3);
  w.Run(Millis(3000));
  w.sentinels[0].reachable = false;
  w.Run(Millis(10000));
  EXPECT_EQ(w.refused, 0);
}

TEST(SentinelFenceTest, FencesWithinTheTimeoutWhenAMajorityFallsSilent) {
  World w(3);
  w.Run(Millis(3000));
  w.sentinels[0].reachable = false;
  w.sentinels[1].reachable = false;
  const MonoTime cut = w.now;
  while (w.fence.MayWrite(w.now) && w.now - cut < Millis(5000)) w.Run(Millis(100));
  EXPECT_TRUE(w.fence.fenced());
  EXPECT_EQ(w.fence.cause(), FenceCause::kSentinelsLost);
  // The last contact was at most one ping period before the cut; the fence is up one timeout
  // after it, so the window is (timeout - ping period, timeout].
  EXPECT_LE(w.now - cut, Millis(1000));
  EXPECT_GE(w.now - cut, Millis(600));
}

TEST(SentinelFenceTest, PauseBurstDoesNotLiftAndQueuedWriteIsRefused) {
  World w(3);
  w.Run(Millis(3000));
  EXPECT_FALSE(w.PauseThenWrite(Millis(8000)));
  EXPECT_EQ(w.fence.cause(), FenceCause::kLoopStalled);
  // More of the burst read in the next iterations still lifts nothing.
  w.fence.OnLoopTick(w.now);
  for (auto& s : w.sentinels) {
    SentinelHello h = s.Hello();
    w.fence.OnHello(w.now, h, true);
  }
  EXPECT_FALSE(w.fence.MayWrite(w.now));
}

TEST(SentinelFenceTest, PauseThenFailoverKeepsTheOldMasterFencedUntilDemoted) {
  World w(3);
  w.Run(Millis(3000));
  // While we were stopped the sentinels elected a leader (epoch 1) and promoted 10.0.0.2.
  for (auto& s : w.sentinels) {
    s.current_epoch = 1;
    s.config_epoch = 1;
    s.master_ip = "10.0.0.2";
  }
  EXPECT_FALSE(w.PauseThenWrite(Millis(8000)));
  w.Run(Millis(20000));
  EXPECT_TRUE(w.fence.fenced());
  EXPECT_EQ(w.fence.cause(), FenceCause::kSuperseded);
  w.fence.SetRole(false);  // REPLICAOF from the sentinels
  EXPECT_FALSE(w.fence.fenced());
  EXPECT_TRUE(w.fence.MayWrite(w.now));
}

TEST(SentinelFenceTest, AStallSeenOnInputAndADemotionBeforeTheNextTickAreBothRecorded) {
  // The shell logs the fence on its 100 ms tick; the raise (on the first queued write) and the
  // demotion can both come before it, and the log must still say the stall raised the fence.
  World w(3);
  w.Run(Millis(3000));
  const uint64_t raises = w.fence.raises();
  const uint64_t lifts = w.fence.lifts();
  EXPECT_FALSE(w.PauseThenWrite(Millis(8000)));
  w.fence.SetRole(false);
  EXPECT_FALSE(w.fence.fenced());
  EXPECT_EQ(w.fence.raises(), raises + 1);
  EXPECT_EQ(w.fence.lifts(), lifts + 1);
  EXPECT_EQ(w.fence.last_raise().cause, FenceCause::kLoopStalled);
  EXPECT_EQ(w.fence.last_raise().sentinels_known, 3u);
}

TEST(SentinelFenceTest, AStallWhileAlreadyFencedIsRecordedAsANewRaise) {
  World w(3);
  w.Run(Millis(3000));
  for (auto& s : w.sentinels) s.reachable = false;
  w.Run(Millis(2000));
  ASSERT_TRUE(w.fence.fenced());
  ASSERT_EQ(w.fence.last_raise().cause, FenceCause::kSentinelsLost);
  const uint64_t raises = w.fence.raises();
  EXPECT_FALSE(w.PauseThenWrite(Millis(8000)));
  EXPECT_EQ(w.fence.raises(), raises + 1);
  EXPECT_EQ(w.fence.last_raise().cause, FenceCause::kLoopStalled);
}

TEST(SentinelFenceTest, PauseWithoutFailoverLiftsAfterFreshHellosSpanASecond) {
  World w(3);
  w.Run(Millis(3000));
  EXPECT_FALSE(w.PauseThenWrite(Millis(8000)));
  int64_t ms = w.MsUntilWritable(Millis(10000));
  // The first fresh hello arrives within a publish period (2 s), the second one 2 s later.
  EXPECT_GE(ms, 1000);
  EXPECT_LE(ms, 4500);
  EXPECT_EQ(w.fence.cause(), FenceCause::kNone);
}

TEST(SentinelFenceTest, ShortPauseUnderTheTimeoutIsNotAStall) {
  World w(3);
  w.Run(Millis(3000));
  EXPECT_TRUE(w.PauseThenWrite(Millis(600)));
  w.Run(Millis(1000));
  EXPECT_EQ(w.refused, 0);
}

TEST(SentinelFenceTest, StallJustOverTheTimeoutRaisesBeforeTheBurstCounts) {
  World w(3);
  w.Run(Millis(3000));
  EXPECT_FALSE(w.PauseThenWrite(Millis(1100)));
  EXPECT_EQ(w.fence.cause(), FenceCause::kLoopStalled);
}

TEST(SentinelFenceTest, HealBurstAloneDoesNotLift) {
  World w(3);
  w.Run(Millis(3000));
  for (auto& s : w.sentinels) s.reachable = false;
  const MonoTime cut = w.now;
  w.Run(Millis(3000));
  ASSERT_TRUE(w.fence.fenced());
  w.HealWithBurst(cut);
  w.Run(Millis(100));
  EXPECT_TRUE(w.fence.fenced());
  // Partitioned sentinels that kept naming us (no failover): the next hellos lift it.
  EXPECT_GT(w.MsUntilWritable(Millis(6000)), 0);
  EXPECT_FALSE(w.fence.fenced());
}

TEST(SentinelFenceTest, HealAfterFailoverNeverLifts) {
  World w(3);
  w.Run(Millis(3000));
  for (auto& s : w.sentinels) s.reachable = false;
  const MonoTime cut = w.now;
  w.Run(Millis(3000));
  // Stale hellos from before the failover arrive first, the new view after them.
  w.HealWithBurst(cut);
  for (auto& s : w.sentinels) {
    s.current_epoch = 1;
    s.config_epoch = 1;
    s.master_ip = "10.0.0.3";
  }
  EXPECT_EQ(w.MsUntilWritable(Millis(20000)), -1);
  EXPECT_EQ(w.fence.cause(), FenceCause::kSuperseded);
}

TEST(SentinelFenceTest, VotersThatStillNameUsAfterAnElectionMustSettleLonger) {
  World w(3);
  w.Run(Millis(3000));
  for (auto& s : w.sentinels) s.reachable = false;
  w.Run(Millis(3000));
  ASSERT_TRUE(w.fence.fenced());
  // An election took place (epoch 1) but its result has not reached the sentinels yet, or it
  // failed: they keep naming us with the old config epoch.
  for (auto& s : w.sentinels) {
    s.reachable = true;
    s.current_epoch = 1;
  }
  int64_t ms = w.MsUntilWritable(Millis(15000));
  EXPECT_GE(ms, 6000);
  EXPECT_LE(ms, 9000);
}

TEST(SentinelFenceTest, SilentMajorityIsNeverForgotten) {
  World w(5);
  w.Run(Millis(3000));
  for (int i = 0; i < 3; ++i) w.sentinels[size_t(i)].reachable = false;
  w.Run(Millis(120000));
  EXPECT_TRUE(w.fence.fenced());
  EXPECT_EQ(w.fence.sentinels_known(), 5u);
  EXPECT_EQ(w.fence.sentinels_reached(w.now), 2u);
}

TEST(SentinelFenceTest, RestartedSentinelReplacesItsOldRunId) {
  World w(3);
  w.Run(Millis(3000));
  w.sentinels[0].runid = std::string(8, 'z') + std::string(32, '1');  // same ip:port
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 3u);
  EXPECT_EQ(w.refused, 0);
}

TEST(SentinelFenceTest, ContactsFromUnknownSentinelsDoNotCount) {
  World w(3);
  w.Run(Millis(3000));
  for (auto& s : w.sentinels) s.reachable = false;
  for (int i = 0; i < 30; ++i) {
    w.now += Millis(100);
    w.fence.OnContact(w.now, "zzzzzzzz");
    w.fence.OnLoopTick(w.now);
  }
  EXPECT_TRUE(w.fence.fenced());
}

TEST(SentinelFenceTest, PromotionStartsFromNothingKnown) {
  World w(3);
  w.fence.SetRole(false);
  w.Run(Millis(3000));  // as a replica: hellos ignored
  EXPECT_EQ(w.fence.sentinels_known(), 0u);
  w.fence.SetRole(true);
  EXPECT_TRUE(w.fence.MayWrite(w.now));
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 3u);
  EXPECT_EQ(w.refused, 0);
}

TEST(SentinelFenceTest, ReconfiguringForgetsRetiredSentinels) {
  World w(3);
  w.Run(Millis(3000));
  w.sentinels.pop_back();
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 3u);
  w.fence.Reconfigure(FenceOptions{Millis(1000)}, w.now);
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 2u);
}

TEST(SentinelFenceTest, RuntimeEnableStaysDownUntilSentinelsCanHaveLearnedTheTimeout) {
  // CONFIG SET sentinel-fence-timeout on a live master: its sentinels still ping once a second
  // (plus their 100 ms tick) until their next INFO shows the timeout, up to 10 s later. Without
  // a grace the new 1 s fence read those gaps as sentinels lost and refused writes.
  World w(3, Millis(0));
  for (auto& s : w.sentinels) s.ping_period = Millis(1100);
  w.Run(Millis(3000));
  w.fence.Reconfigure(FenceOptions{Millis(1000)}, w.now);
  w.Run(Millis(3000));
  EXPECT_EQ(w.fence.sentinels_known(), 3u);
  EXPECT_FALSE(w.fence.armed(w.now));
  w.Run(Millis(7000));
  EXPECT_EQ(w.refused, 0);
  EXPECT_FALSE(w.fence.fenced());
  // Their INFO showed the timeout: they ping at the fast pace, and the fence is live again.
  for (auto& s : w.sentinels) s.ping_period = Millis(300);
  w.Run(Millis(2000));
  EXPECT_TRUE(w.fence.armed(w.now));
  EXPECT_EQ(w.refused, 0);
  for (auto& s : w.sentinels) s.reachable = false;
  w.Run(Millis(1500));
  EXPECT_TRUE(w.fence.fenced());
  EXPECT_GT(w.refused, 0);
}

}  // namespace
}  // namespace vigil::datanode

namespace vigil::datanode {
namespace {

// A restarted master (a new SentinelFence, as a new process has) given the membership the old
// one wrote: writes wait until the sentinels show again that this node is their master.
TEST(SentinelFenceRestartTest, RestoredMembershipKeepsARestartedMasterFencedUntilAMajorityNamesIt) {
  World before(3);
  before.Run(Millis(3000));
  ASSERT_EQ(before.fence.sentinels_known(), 3u);
  const FenceMembership saved = before.fence.Membership();
  ASSERT_EQ(saved.sentinels.size(), 3u);
  EXPECT_EQ(saved.master_names, std::vector<std::string>{"mymaster"});

  World after(3);
  after.fence.Restore(saved, after.now);
  EXPECT_EQ(after.fence.sentinels_known(), 3u);
  EXPECT_TRUE(after.fence.fenced());
  EXPECT_EQ(after.fence.cause(), FenceCause::kRestarted);
  EXPECT_FALSE(after.fence.MayWrite(after.now));
  // Only one sentinel reaches it (the partition of the simulator's seed 147): that minority no
  // longer makes a majority of one, as it did when the restarted fence knew nobody else.
  after.sentinels[1].reachable = false;
  after.sentinels[2].reachable = false;
  after.Run(Millis(6000));
  EXPECT_TRUE(after.fence.fenced());
  EXPECT_EQ(after.fence.sentinels_known(), 3u);
  // Once the others reach it and keep naming it, it takes writes again.
  after.sentinels[1].reachable = true;
  after.sentinels[2].reachable = true;
  EXPECT_GE(after.MsUntilWritable(Millis(6000)), 0);
}

TEST(SentinelFenceRestartTest, RestoredConfigEpochLetsAHelloNamingTheNewMasterSupersedeAtOnce) {
  World before(3);
  for (auto& s : before.sentinels) s.config_epoch = 4;
  before.Run(Millis(3000));
  World after(3);
  after.fence.Restore(before.fence.Membership(), after.now);
  // A failover happened while it was down: the sentinels name another node with epoch 5.
  for (auto& s : after.sentinels) {
    s.master_ip = "10.0.0.2";
    s.config_epoch = 5;
  }
  after.Run(Millis(6000));
  EXPECT_TRUE(after.fence.fenced());
  EXPECT_EQ(after.fence.cause(), FenceCause::kSuperseded);
}

TEST(SentinelFenceRestartTest, EmptyMembershipStartsUnfencedAsBefore) {
  World w(3);
  w.fence.Restore(FenceMembership{}, w.now);
  EXPECT_FALSE(w.fence.fenced());
  EXPECT_TRUE(w.fence.MayWrite(w.now));
}

TEST(SentinelFenceRestartTest, MembershipChangesCountWhatMustBeWrittenAgain) {
  World w(3);
  const uint64_t start = w.fence.membership_changes();
  w.Run(Millis(3000));
  const uint64_t learned = w.fence.membership_changes();
  EXPECT_GT(learned, start);
  w.Run(Millis(3000));  // the same sentinels, the same epochs: nothing new to write
  EXPECT_EQ(w.fence.membership_changes(), learned);
  w.sentinels[0].current_epoch = 7;  // an election: the settle span after a restart needs it
  w.Run(Millis(2100));
  EXPECT_GT(w.fence.membership_changes(), learned);
  const uint64_t epoch = w.fence.membership_changes();
  w.fence.SetRole(false);  // demoted: forgets, and the file must say so
  EXPECT_GT(w.fence.membership_changes(), epoch);
  EXPECT_TRUE(w.fence.Membership().sentinels.empty());
}

}  // namespace
}  // namespace vigil::datanode
