// The sentinel fence as clients see it, through the real Service: what feeds it (a connection
// named like a sentinel, the hello it publishes) and which commands it refuses.
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

const char* kHello =
    "127.0.0.1,26379,aaaaaaaa00000000000000000000000000000000,0,mym,127.0.0.1,6379,0";

struct FencedMaster {
  ServiceHarness h;
  Session* sentinel = nullptr;
  MonoTime now{1000};

  FencedMaster() {
    h.config().sentinel_fence_timeout = 1000;
    h.service().FenceTick(now);
    sentinel = &h.NewSession();
    h.Run({"CLIENT", "SETNAME", "sentinel-aaaaaaaa-cmd"}, sentinel);
    Publish();
  }
  void Publish() {
    h.service().set_mono_now(now);
    h.Run({"PUBLISH", "__sentinel__:hello", kHello}, sentinel);
  }
  // Loop ticks every 100 ms with no sentinel contact.
  void Silence(Millis d) {
    for (Millis t(0); t < d; t += Millis(100)) {
      now += Millis(100);
      h.service().FenceTick(now);
    }
  }
  std::string Info() { return h.Run({"INFO", "replication"}).str; }
};

TEST(ServiceFenceTest, SentinelHelloMakesTheMasterKnowItsSentinel) {
  FencedMaster m;
  EXPECT_NE(m.Info().find("fence_sentinels_known:1\r\n"), std::string::npos);
  EXPECT_NE(m.Info().find("fenced:0\r\n"), std::string::npos);
  EXPECT_EQ(m.h.Raw({"SET", "k", "v"}), "+OK\r\n");
}

TEST(ServiceFenceTest, FencedMasterRefusesWritesWithReadonlyAndServesReads) {
  FencedMaster m;
  m.h.Run({"SET", "k", "v"});
  m.Silence(Millis(1200));
  m.h.service().set_mono_now(m.now);
  EXPECT_EQ(
      m.h.Raw({"SET", "k", "w"}).rfind("-READONLY You can't write against a fenced master", 0), 0u);
  EXPECT_EQ(m.h.Raw({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(m.h.Raw({"PING"}, m.sentinel), "+PONG\r\n");  // sentinels still reach it
  EXPECT_NE(m.Info().find("fenced:1\r\nfence_cause:sentinels-lost\r\n"), std::string::npos);
}

TEST(ServiceFenceTest, ExecOfAWriteTransactionIsAbortedWhenTheFenceRoseMeanwhile) {
  FencedMaster m;
  EXPECT_EQ(m.h.Raw({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(m.h.Raw({"SET", "k", "v"}), "+QUEUED\r\n");
  m.Silence(Millis(1200));
  m.h.service().set_mono_now(m.now);
  EXPECT_EQ(m.h.Raw({"EXEC"}).rfind("-EXECABORT Transaction discarded because of: READONLY", 0),
            0u);
  EXPECT_FALSE(m.h.session().in_multi);
  EXPECT_EQ(m.h.Raw({"GET", "k"}), "$-1\r\n");
  // A write queued while fenced flags the transaction, as on a read-only replica.
  EXPECT_EQ(m.h.Raw({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(m.h.Raw({"SET", "k", "v"}).rfind("-READONLY", 0), 0u);
  EXPECT_EQ(m.h.Raw({"EXEC"}).rfind("-EXECABORT", 0), 0u);
}

TEST(ServiceFenceTest, ClientsNotNamedLikeSentinelsNeitherFeedNorLiftTheFence) {
  FencedMaster m;
  m.Silence(Millis(1200));
  Session& impostor = m.h.NewSession();
  for (int i = 0; i < 40; ++i) {
    m.now += Millis(100);
    m.h.service().FenceTick(m.now);
    m.h.service().set_mono_now(m.now);
    m.h.Run({"PUBLISH", "__sentinel__:hello", kHello}, &impostor);
  }
  EXPECT_EQ(m.h.Raw({"SET", "k", "v"}).rfind("-READONLY", 0), 0u);
}

TEST(ServiceFenceTest, FreshHellosFromTheSentinelLiftTheFence) {
  FencedMaster m;
  m.Silence(Millis(1200));
  for (int i = 0; i < 25; ++i) {  // PINGs every 300 ms, a hello every 2 s, for 7.5 s
    m.now += Millis(300);
    m.h.service().FenceTick(m.now);
    m.h.service().set_mono_now(m.now);
    m.h.Run({"PING"}, m.sentinel);
    if (i % 7 == 0) m.Publish();
  }
  m.h.service().set_mono_now(m.now);
  EXPECT_EQ(m.h.Raw({"SET", "k", "v"}), "+OK\r\n");
}

TEST(ServiceFenceTest, OffByDefaultAndInfoUnchanged) {
  ServiceHarness h;
  EXPECT_EQ(h.Run({"INFO", "replication"}).str.find("fence"), std::string::npos);
  EXPECT_EQ(h.Raw({"SET", "k", "v"}), "+OK\r\n");
}

}  // namespace
}  // namespace vigil::datanode
