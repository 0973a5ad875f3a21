#include "datanode/replication/failover_handoff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::datanode {
namespace {

const std::string kId(40, 'a');

ReplicaRecord& Online(MasterFsm& fsm, uint64_t id, int64_t port, int64_t ack) {
  ReplicaRecord& r = fsm.Attach(id, "127.0.0.1", MonoTime{});
  r.listening_port = port;
  r.state = ReplicaSyncState::kOnline;
  r.ack_offset = ack;
  return r;
}

FailoverRequest To(int64_t port, bool force = false, int64_t timeout_ms = 0) {
  FailoverRequest r;
  r.has_target = true;
  r.host = "127.0.0.1";
  r.port = port;
  r.force = force;
  r.timeout_ms = timeout_ms;
  return r;
}

template <typename T>
const T* Only(const std::vector<FailoverAction>& actions) {
  EXPECT_EQ(actions.size(), 1u);
  return actions.size() == 1 ? std::get_if<T>(&actions[0]) : nullptr;
}

TEST(FailoverHandoffTest, RefusalsUseRedisTextsAndEmitNothing) {
  FailoverHandoff f;
  MasterFsm none;
  std::vector<FailoverAction> out;
  EXPECT_EQ(f.Request({}, true, none, 0, 0, &out),
            "ERR FAILOVER is not valid when server is a replica.");
  EXPECT_EQ(f.Request({}, false, none, 0, 0, &out), "ERR FAILOVER requires connected replicas.");
  FailoverRequest abort;
  abort.abort = true;
  EXPECT_EQ(f.Request(abort, false, none, 0, 0, &out), "ERR No failover in progress.");
  MasterFsm fsm;
  Online(fsm, 1, 7001, 0);
  fsm.Attach(2, "127.0.0.1", MonoTime{}).listening_port = 7002;  // still syncing
  EXPECT_EQ(f.Request(To(7003), false, fsm, 0, 0, &out),
            "ERR FAILOVER target HOST and PORT is not a replica.");
  EXPECT_EQ(f.Request(To(7002), false, fsm, 0, 0, &out),
            "ERR FAILOVER target replica is not online.");
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(f.active());
  EXPECT_EQ(f.Request(To(7001), false, fsm, 0, 0, &out), "");
  EXPECT_EQ(f.Request(To(7001), false, fsm, 0, 0, &out), "ERR FAILOVER already in progress.");
}

TEST(FailoverHandoffTest, PausesWritesThenHandsOverOnceTheTargetAcknowledgedEverything) {
  FailoverHandoff f;
  MasterFsm fsm;
  ReplicaRecord& r = Online(fsm, 1, 7001, 90);
  std::vector<FailoverAction> out;
  ASSERT_EQ(f.Request(To(7001), false, fsm, 1000, 100, &out), "");
  EXPECT_NE(Only<failover_action::PauseWrites>(out), nullptr);
  EXPECT_STREQ(f.StateName(), "waiting-for-sync");
  out.clear();
  f.Tick(1010, 100, kId, fsm, false, &out);
  EXPECT_TRUE(out.empty());  // behind: keep waiting
  r.ack_offset = 100;
  f.Tick(1020, 100, kId, fsm, false, &out);
  const auto* h = Only<failover_action::HandOver>(out);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->port, 7001);
  EXPECT_EQ(h->position.replid, kId);
  EXPECT_EQ(h->position.offset, 100);
  EXPECT_EQ(h->paused_ms, 20);
  EXPECT_STREQ(f.StateName(), "failover-in-progress");
  out.clear();
  f.Tick(1030, 100, kId, fsm, true, &out);  // the target answered +CONTINUE
  const auto* e = Only<failover_action::End>(out);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->paused_ms, 30);
  EXPECT_FALSE(f.active());
}

TEST(FailoverHandoffTest, AnAckForThePausedOffsetIsEnoughEvenAfterTheGetAckMovedOurOffset) {
  FailoverHandoff f;
  MasterFsm fsm;
  Online(fsm, 1, 7001, 100);
  std::vector<FailoverAction> out;
  ASSERT_EQ(f.Request({}, false, fsm, 0, 100, &out), "");
  out.clear();
  // Our own REPLCONF GETACK moved the offset to 137 after the pause.
  f.Tick(5, 137, kId, fsm, false, &out);
  const auto* h = Only<failover_action::HandOver>(out);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->position.offset, 137);
}

TEST(FailoverHandoffTest, TimeoutWithoutForceEndsAndWithForceHandsOverToTheNamedTarget) {
  MasterFsm fsm;
  Online(fsm, 1, 7001, 10);
  std::vector<FailoverAction> out;
  FailoverHandoff plain;
  ASSERT_EQ(plain.Request(To(7001, false, 50), false, fsm, 0, 100, &out), "");
  out.clear();
  plain.Tick(49, 100, kId, fsm, false, &out);
  EXPECT_TRUE(out.empty());
  plain.Tick(50, 100, kId, fsm, false, &out);
  const auto* e = Only<failover_action::End>(out);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->why, "timed out waiting for the replica to catch up");

  FailoverHandoff forced;
  out.clear();
  ASSERT_EQ(forced.Request(To(7001, true, 50), false, fsm, 0, 100, &out), "");
  out.clear();
  forced.Tick(50, 100, kId, fsm, false, &out);
  const auto* h = Only<failover_action::HandOver>(out);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->ack_offset, 10);
}

TEST(FailoverHandoffTest, TargetThatNeverAnswersMakesUsAMasterAgainAfterTheTimeout) {
  MasterFsm fsm;
  Online(fsm, 1, 7001, 100);
  FailoverHandoff f;
  std::vector<FailoverAction> out;
  ASSERT_EQ(f.Request(To(7001, false, 100), false, fsm, 0, 100, &out), "");
  f.Tick(1, 100, kId, fsm, false, &out);
  out.clear();
  f.Tick(100, 100, kId, fsm, false, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<failover_action::Promote>(out[0]));
  EXPECT_TRUE(std::holds_alternative<failover_action::End>(out[1]));
  EXPECT_FALSE(f.active());
}

TEST(FailoverHandoffTest, AbortDuringTheHandoffPromotesBackBeforeResumingWrites) {
  MasterFsm fsm;
  Online(fsm, 1, 7001, 100);
  FailoverHandoff f;
  std::vector<FailoverAction> out;
  ASSERT_EQ(f.Request({}, false, fsm, 0, 100, &out), "");
  f.Tick(1, 100, kId, fsm, false, &out);
  ASSERT_TRUE(f.in_progress());
  out.clear();
  FailoverRequest abort;
  abort.abort = true;
  ASSERT_EQ(f.Request(abort, true, fsm, 7, 100, &out), "");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<failover_action::Promote>(out[0]).why, "FAILOVER aborted");
  EXPECT_EQ(std::get<failover_action::End>(out[1]).why, "aborted by user");
  EXPECT_FALSE(f.active());
  out.clear();
  f.Abort("aborted by SHUTDOWN ABORT", 8, &out);  // nothing runs: nothing to do
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vigil::datanode
