#include "sentinel/core/sentinel_core.h"

#include <gtest/gtest.h>

#include <map>

#include "common/wire/sentinel_hello.h"
#include "sentinel/core/core_harness_for_test.h"

namespace vigil::sentinel {
namespace {

using testing::CoreHarness;
using testing::kMe;
using testing::kPeer2;
using testing::kPeer3;

TEST(SentinelCoreTest, FirstTickMonitorsAndConnectsEveryInstance) {
  CoreHarness h;
  h.Tick();
  EXPECT_TRUE(h.Saw("+monitor master mymaster 10.0.0.1 6379 quorum 2"));
  int cmd = 0, pubsub = 0;
  for (const auto& [id, c] : h.conns) (c.channel == Channel::kCommand ? cmd : pubsub)++;
  EXPECT_EQ(cmd, 5);     // master, two replicas, two sentinels
  EXPECT_EQ(pubsub, 3);  // data nodes only
  EXPECT_EQ(h.conns.begin()->second.client_name, "sentinel-aaaaaaaa-cmd");
}

TEST(SentinelCoreTest, NewIdentityIsDrawnAndPersistedAtOnce) {
  PersistentState state = CoreHarness::DefaultState();
  state.myid.clear();
  CoreHarness h(state);
  h.Tick();
  ASSERT_TRUE(h.batches[0].write.has_value());
  EXPECT_EQ(h.batches[0].write->myid.size(), 40u);
  EXPECT_EQ(h.batches[0].write->myid, h.core.myid());
}

TEST(SentinelCoreTest, VoteIsPersistedInTheBatchThatAnswers) {
  CoreHarness h;
  h.Tick();
  h.Step(VoteRequest{7, {{"10.0.0.1", 6379}, 5, "X"}});
  const Ready& r = h.batches.back();
  ASSERT_TRUE(r.write.has_value());
  EXPECT_EQ(r.write->current_epoch, 5u);
  EXPECT_EQ(r.write->masters[0].leader_epoch, 5u);
  EXPECT_EQ(r.write->masters[0].leader, "X");
  ASSERT_EQ(r.actions.size(), 1u);
  const auto& reply = std::get<ReplyToClient>(r.actions[0]);
  EXPECT_EQ(reply.token, 7u);
  EXPECT_EQ(DebugString(reply.reply), "[:0, \"X\", :5]");
  EXPECT_TRUE(h.Saw("+new-epoch 5"));
  EXPECT_TRUE(h.Saw("+vote-for-leader X 5"));

  h.Step(VoteRequest{8, {{"10.0.0.1", 6379}, 5, "Y"}});  // same epoch: the first vote stands
  EXPECT_FALSE(h.batches.back().write.has_value());
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions[0]).reply),
            "[:0, \"X\", :5]");
  h.Step(VoteRequest{9, {{"10.9.9.9", 1}, 6, "Z"}});  // unknown address: no vote
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions[0]).reply),
            "[:0, \"*\", :0]");
}

TEST(SentinelCoreTest, RestartKeepsTheVoteEpoch) {
  CoreHarness h;
  h.Tick();
  h.Step(VoteRequest{1, {{"10.0.0.1", 6379}, 5, "X"}});
  PersistentState saved = *h.batches.back().write;
  CoreHarness restarted(saved);
  restarted.Tick();
  restarted.Step(VoteRequest{2, {{"10.0.0.1", 6379}, 5, "Y"}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(restarted.batches.back().actions[0]).reply),
            "[:0, \"X\", :5]");
  EXPECT_FALSE(restarted.SawType("+vote-for-leader"));
}

TEST(SentinelCoreTest, MasterIsSdownAfterDownAfterAndPeersAreAskedAtOnce) {
  CoreHarness h;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({});
  h.Run(Millis(2000));
  EXPECT_FALSE(h.SawType("+sdown"));
  h.silent["10.0.0.1:6379"] = true;
  size_t before = h.sent.size();
  h.Run(Millis(1600));
  EXPECT_TRUE(h.Saw("+sdown master mymaster 10.0.0.1 6379"));
  int asks = 0;
  for (size_t i = before; i < h.sent.size(); ++i) {
    if (std::holds_alternative<IsMasterDownByAddrCommand>(h.sent[i].second)) ++asks;
  }
  EXPECT_GE(asks, 2);
  EXPECT_FALSE(h.SawType("+odown"));  // the peers said "not down"
}

TEST(SentinelCoreTest, HelloWithNewerConfigEpochSwitchesTheMaster) {
  CoreHarness h;
  h.Tick();
  SentinelHello hello{{"10.0.1.2", 26379}, kPeer2, 3, "mymaster", {"10.0.0.2", 6379}, 3};
  h.Step(HelloReceived{0, EncodeSentinelHello(hello)});
  EXPECT_TRUE(h.Saw("+new-epoch 3"));
  EXPECT_TRUE(h.SawType("+config-update-from"));
  EXPECT_TRUE(h.Saw("+switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379"));
  EXPECT_TRUE(h.Saw("+slave slave 10.0.0.1:6379 10.0.0.1 6379 @ mymaster 10.0.0.2 6379"));
  const MasterRecord* m = h.core.FindMaster("mymaster");
  EXPECT_EQ(m->instance.addr, (HostPort{"10.0.0.2", 6379}));
  EXPECT_EQ(m->config_epoch, 3u);
  EXPECT_EQ(m->replicas.count("10.0.0.2:6379"), 0u);
  // Nothing in the batch reveals the switch, so the write may wait; our next hello announces
  // the new epoch, so it is on disk by then.
  h.Run(Millis(2100));
  ASSERT_TRUE(h.durable.has_value());
  EXPECT_EQ(h.durable->masters[0].config.addr, (HostPort{"10.0.0.2", 6379}));
  EXPECT_EQ(h.durable->current_epoch, 3u);
}

TEST(SentinelCoreTest, OwnHelloOnPubSubIsIgnored) {
  CoreHarness h;
  h.Tick();
  ConnId pubsub = 0;
  for (const auto& [id, c] : h.conns) {
    if (c.channel == Channel::kPubSub) pubsub = id;
  }
  SentinelHello mine{{"10.0.1.1", 26379}, kMe, 9, "mymaster", {"10.0.0.9", 1}, 9};
  h.Step(HelloReceived{pubsub, EncodeSentinelHello(mine)});
  EXPECT_EQ(h.core.current_epoch(), 0u);
}

TEST(SentinelCoreTest, SentinelBackWithNewIdOnTheSameAddressReplacesTheOld) {
  CoreHarness h;
  h.Tick();
  std::string fresh(40, 'd');
  SentinelHello hello{{"10.0.1.2", 26379}, fresh, 0, "mymaster", {"10.0.0.1", 6379}, 0};
  h.Step(HelloReceived{0, EncodeSentinelHello(hello)});
  EXPECT_TRUE(h.Saw("+sentinel-invalid-addr sentinel " + kPeer2 +
                    " 10.0.1.2 26379 @ mymaster 10.0.0.1 6379"));
  EXPECT_TRUE(h.Saw("+sentinel sentinel " + fresh + " 10.0.1.2 26379 @ mymaster 10.0.0.1 6379"));
  const MasterRecord* m = h.core.FindMaster("mymaster");
  EXPECT_EQ(m->sentinels.count(kPeer2), 0u);
  EXPECT_EQ(m->sentinels.count(fresh), 1u);
  EXPECT_EQ(m->sentinels.size(), 2u);
}

TEST(SentinelCoreTest, AdminMonitorSetAndRemove) {
  CoreHarness h;
  h.Tick();
  h.Step(AdminCommand{1, MonitorRequest{"other", {"10.0.0.9", 6379}, 1}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions.back()).reply), "+OK");
  EXPECT_TRUE(h.Saw("+monitor master other 10.0.0.9 6379 quorum 1"));
  h.Step(AdminCommand{2, MonitorRequest{"other", {"10.0.0.9", 6379}, 1}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions.back()).reply),
            "-ERR Duplicate master name.");
  h.Step(AdminCommand{3, SetRequest{"other", {"quorum", "3", "bogus", "1"}, {}}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions.back()).reply),
            "-ERR Unknown option or number of arguments for SENTINEL SET 'bogus'");
  EXPECT_EQ(h.core.FindMaster("other")->config.quorum, 3);  // applied before the failure
  EXPECT_TRUE(h.batches.back().write.has_value());
  h.Step(AdminCommand{4, RemoveRequest{"other"}});
  EXPECT_TRUE(h.Saw("-monitor master other 10.0.0.9 6379"));
  EXPECT_EQ(h.core.FindMaster("other"), nullptr);
}

TEST(SentinelCoreTest, QueriesRenderRedisReplies) {
  CoreHarness h;
  h.Tick();
  EXPECT_EQ(DebugString(h.core.Query(h.now, GetMasterAddrQuery{"mymaster"})),
            "[\"10.0.0.1\", \"6379\"]");
  EXPECT_EQ(DebugString(h.core.Query(h.now, GetMasterAddrQuery{"nope"})), "(nil-array)");
  resp::Value master = h.core.Query(h.now, MasterQuery{"mymaster"});
  ASSERT_EQ(master.elements.size(), 40u);  // 20 pairs without optional fields
  EXPECT_EQ(master.elements[0].str, "name");
  EXPECT_EQ(master.elements[8].str, "flags");
  EXPECT_EQ(master.elements[9].str, "master");
  EXPECT_EQ(DebugString(h.core.Query(h.now, CkQuorumRequest{"mymaster"})),
            "+OK 3 usable Sentinels. Quorum and failover authorization can be reached");
}

// With resolve-hostnames, Redis shows the resolved address unless announce-hostnames is on, in
// replies and in the rewritten config (upstream sentinel unit 08-hostname-conf).
TEST(SentinelCoreTest, HostnameIsShownOnlyWithAnnounceHostnames) {
  for (bool announce : {false, true}) {
    PersistentState st = CoreHarness::DefaultState();
    st.globals.resolve_hostnames = true;
    st.globals.announce_hostnames = announce;
    st.masters[0].config.addr = {"db.example", 6379};
    CoreHarness h(st);
    h.peer_ip["db.example:6379"] = "10.0.0.1";
    h.Tick();
    const std::string want = announce ? "db.example" : "10.0.0.1";
    EXPECT_EQ(DebugString(h.core.Query(h.now, GetMasterAddrQuery{"mymaster"})),
              "[\"" + want + "\", \"6379\"]");
    resp::Value master = h.core.Query(h.now, MasterQuery{"mymaster"});
    EXPECT_EQ(master.elements[3].str, want);  // "ip"
    h.Step(AdminCommand{1, SetRequest{"mymaster", {"quorum", "2"}, {}}});
    ASSERT_TRUE(h.batches.back().write.has_value());
    EXPECT_EQ(h.batches.back().write->masters[0].config.addr.host, want);
  }
}

// A replica discovered under a name already resolved shows the address at once, before its own
// link is up, as Redis resolves a name when it creates the instance. The upstream suite's
// 08-hostname-conf reads SENTINEL REPLICAS right after discovery and saw the name.
TEST(SentinelCoreTest, NewReplicaOfAResolvedNameShowsTheAddressBeforeItsLinkIsUp) {
  PersistentState st = CoreHarness::DefaultState();
  st.globals.resolve_hostnames = true;
  st.masters[0].config.addr = {"db.example", 6379};
  st.masters[0].known_replicas.clear();
  CoreHarness h(st);
  h.peer_ip["db.example:6379"] = "10.0.0.1";
  h.unreachable["db.example:6380"] = true;  // its connect stays pending
  h.info["db.example:6379"] = testing::MasterInfo({{"db.example", 6380}});
  h.Run(Millis(300));
  const MasterRecord* m = h.core.FindMaster("mymaster");
  ASSERT_EQ(m->replicas.count("db.example:6380"), 1u);
  resp::Value replicas = h.core.Query(h.now, ReplicasQuery{"mymaster"});
  ASSERT_EQ(replicas.elements.size(), 1u);
  EXPECT_EQ(replicas.elements[0].elements[3].str, "10.0.0.1");  // "ip"
}

TEST(SentinelCoreTest, TiltSuspendsActingAndStillVotes) {
  CoreHarness h;
  h.Tick();
  h.Tick(Millis(2500));
  EXPECT_TRUE(h.Saw("+tilt #tilt mode entered"));
  h.silent["10.0.0.1:6379"] = true;
  h.Run(Millis(3000));
  EXPECT_FALSE(h.SawType("+sdown"));
  h.Step(VoteRequest{1, {{"10.0.0.1", 6379}, 1, "X"}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions.back()).reply),
            "[:0, \"X\", :1]");
  h.Run(Millis(30000));
  EXPECT_TRUE(h.Saw("-tilt #tilt mode exited"));
  EXPECT_TRUE(h.SawType("+sdown"));
}

TEST(SentinelCoreTest, WarningEventsRunTheNotificationScript) {
  CoreOptions options;
  options.deny_scripts_reconfig = false;
  CoreHarness h(CoreHarness::DefaultState(), options);
  h.Tick();
  h.Step(AdminCommand{1, SetRequest{"mymaster", {"notification-script", "/bin/notify"}, {}}});
  h.silent["10.0.0.1:6379"] = true;
  h.Run(Millis(2500));
  bool ran = false;
  for (const Ready& r : h.batches) {
    for (const Action& a : r.actions) {
      if (const auto* s = std::get_if<RunScript>(&a)) {
        ran |= s->argv ==
               std::vector<std::string>{"/bin/notify", "+sdown", "master mymaster 10.0.0.1 6379"};
      }
    }
  }
  EXPECT_TRUE(ran);
}

TEST(SentinelCoreTest, ScriptPathsAreDeniedByDefault) {
  CoreHarness h;
  h.Tick();
  h.Step(AdminCommand{1, SetRequest{"mymaster", {"client-reconfig-script", "/bin/x"}, {}}});
  EXPECT_EQ(std::get<ReplyToClient>(h.batches.back().actions.back())
                .reply.str.rfind("ERR Reconfiguration of scripts path is denied", 0),
            0u);
}

TEST(SentinelCoreTest, AScriptTheShellCannotRunIsRefusedAndOptionsBeforeItStay) {
  CoreOptions options;
  options.deny_scripts_reconfig = false;
  CoreHarness h(CoreHarness::DefaultState(), options);
  h.Tick();
  h.Step(AdminCommand{
      1, SetRequest{"mymaster", {"quorum", "2", "notification-script", "test.txt"}, {"test.txt"}}});
  EXPECT_EQ(std::get<ReplyToClient>(h.batches.back().actions.back()).reply.str,
            "ERR Notification script seems non existing or non executable");
  const PersistentState snap = h.core.Snapshot();
  ASSERT_EQ(snap.masters.size(), 1u);
  EXPECT_EQ(snap.masters[0].config.quorum, 2);
  EXPECT_EQ(snap.masters[0].config.notification_script, "");
}

TEST(SentinelCoreTest, DebugChangesTimerPeriods) {
  CoreHarness h;
  h.Tick();
  h.Step(AdminCommand{1, DebugSetRequest{{"info-period", "500", "tilt-period", "3000"}}});
  EXPECT_EQ(h.core.options().timers.info_period, Millis(500));
  EXPECT_EQ(h.core.options().timers.tilt_period, Millis(3000));
  h.Step(AdminCommand{2, DebugSetRequest{{"ping-period", "0"}}});
  EXPECT_EQ(DebugString(std::get<ReplyToClient>(h.batches.back().actions.back()).reply),
            "-ERR Invalid argument '0' for SENTINEL DEBUG 'ping-period'");
  resp::Value listing = h.core.Query(h.now, DebugGetQuery{});
  EXPECT_EQ(listing.elements[0].str, "INFO-PERIOD");
  EXPECT_EQ(listing.elements[1].str, "500");
}

std::map<std::string, int> PingsPerNode(const CoreHarness& h) {
  std::map<std::string, int> pings;
  for (const auto& [addr, command] : h.sent) {
    if (std::holds_alternative<PingCommand>(command)) ++pings[FormatHostPort(addr)];
  }
  return pings;
}

TEST(SentinelCoreTest, AMasterThatFencesIsPingedFourTimesPerFenceTimeout) {
  CoreHarness h;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({}) + "fence_timeout_ms:1000\r\n";
  h.Run(Millis(1000));
  h.sent.clear();
  h.Run(Millis(3000));
  std::map<std::string, int> pings = PingsPerNode(h);
  // 1000 / 4 = 250 ms on the 100 ms tick: one PING every 300 ms to the master, while replicas
  // and sentinels keep Redis's one a second.
  EXPECT_EQ(pings["10.0.0.1:6379"], 10);
  for (const auto& [addr, n] : pings) {
    if (addr != "10.0.0.1:6379") {
      EXPECT_LE(n, 3) << addr;
    }
  }
}

TEST(SentinelCoreTest, AMasterThatDoesNotFenceIsPingedOnceASecondAsByRedis) {
  CoreHarness h;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({});
  h.Run(Millis(1000));
  h.sent.clear();
  h.Run(Millis(3000));
  EXPECT_EQ(PingsPerNode(h)["10.0.0.1:6379"], 3);
}

TEST(SentinelCoreTest, FencePingPeriodFollowsTheNodesTimeoutAndItsRole) {
  CoreHarness h;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({}) + "fence_timeout_ms:2000\r\n";
  // A replica that fences (the option is on everywhere) but is not a master: Redis's period.
  h.info["10.0.0.2:6379"] =
      testing::ReplicaInfo({"10.0.0.1", 6379}, true, 100, 1) + "fence_timeout_ms:1000\r\n";
  h.Run(Millis(1000));
  h.sent.clear();
  h.Run(Millis(3000));
  std::map<std::string, int> pings = PingsPerNode(h);
  // 2000 / 4 = 500 ms: every 600 ms on the tick, one sometimes early to ride with a hello.
  EXPECT_GE(pings["10.0.0.1:6379"], 5);
  EXPECT_LE(pings["10.0.0.1:6379"], 6);
  EXPECT_LE(pings["10.0.0.2:6379"], 3);
}

// Vigil: PING, hello and INFO to a node drift apart when each restarts from its own reply; the
// ones falling due within a tenth of their period ride along, so hellos and INFO share the
// PING's write instead of costing a syscall (and a wakeup of the node) of their own.
TEST(SentinelCoreTest, HelloAndInfoGoInTheSameTickAsAPing) {
  CoreHarness h;
  h.info["10.0.0.1:6379"] = testing::MasterInfo({});
  h.Run(Millis(1000));
  int pings = 0, hellos = 0, infos = 0, alone = 0;
  for (int tick = 0; tick < 300; ++tick) {
    size_t before = h.sent.size();
    // Pub/sub traffic, so the harness's silent pub/sub connections are not closed as stuck.
    std::vector<ConnId> pubsub;
    for (const auto& [conn, action] : h.conns) {
      if (action.channel == Channel::kPubSub) pubsub.push_back(conn);
    }
    for (ConnId conn : pubsub) h.Step(PubSubActivity{conn});
    h.Tick();
    bool ping = false, other = false;
    for (size_t i = before; i < h.sent.size(); ++i) {
      if (FormatHostPort(h.sent[i].first) != "10.0.0.1:6379") continue;
      const Command& c = h.sent[i].second;
      ping |= std::holds_alternative<PingCommand>(c);
      pings += std::holds_alternative<PingCommand>(c);
      hellos += std::holds_alternative<PublishHelloCommand>(c);
      infos += std::holds_alternative<InfoCommand>(c);
      other |=
          std::holds_alternative<PublishHelloCommand>(c) || std::holds_alternative<InfoCommand>(c);
    }
    if (other && !ping) ++alone;
  }
  EXPECT_GE(pings, 27);  // 30 s: still about one a second
  EXPECT_LE(pings, 31);
  EXPECT_GE(hellos, 13);  // about one per 2.1 s
  EXPECT_GE(infos, 2);
  EXPECT_EQ(alone, 0);
}

TEST(SentinelCoreTest, CachedInfoKeepsItsSizeWhenTheReportGrowsByAByte) {
  // INFO-CACHE keeps each instance's last report. Assigning a report one byte longer into the
  // cached string doubled its capacity: ~10 KiB instead of ~5 per monitored instance.
  CoreHarness h;
  std::string padding = "# Stats\r\nfiller:" + std::string(5000, 'x') + "\r\n";
  h.info["10.0.0.1:6379"] = testing::MasterInfo({}) + padding;
  h.Tick();
  h.Run(Millis(500));
  const MasterRecord* m = h.core.FindMaster("mymaster");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->instance.info_text, h.info["10.0.0.1:6379"]);
  h.info["10.0.0.1:6379"] = testing::MasterInfo({}) + padding + "uptime_in_seconds:1\r\n";
  h.Run(Millis(11000));  // the next INFO (10 s period)
  const std::string& cached = m->instance.info_text;
  ASSERT_EQ(cached, h.info["10.0.0.1:6379"]);
  EXPECT_LT(cached.capacity(), cached.size() + cached.size() / 4);
}

}  // namespace
}  // namespace vigil::sentinel
