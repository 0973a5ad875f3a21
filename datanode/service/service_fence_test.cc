// The sentinel fence as clients see it, through the real Service: what feeds it (a connection
// named like a sentinel, the hello it publishes) and which commands it refuses.
#include <gtest/gtest.h>

#include "common/fs/file_system.h"
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

namespace vigil::datanode {
namespace {

// The sentinels a master's fence knows survive a restart (fence_membership.h): the heartbeat
// writes them to sentinel-fence.state, and a master starting on that file refuses writes until
// they show again that it is their master.
TEST(ServiceFenceRestartTest, MembershipIsWrittenOnTheHeartbeatAndRestoredFencedAtStart) {
  FencedMaster before;
  before.Silence(Millis(100));  // a heartbeat after the hello
  auto& disk = static_cast<MemoryFileSystem&>(before.h.service().file_system());
  ASSERT_EQ(disk.files().count(kFenceMembershipFile), 1u);
  const std::string file = disk.files()[kFenceMembershipFile];
  EXPECT_NE(file.find("sentinel aaaaaaaa00000000000000000000000000000000 127.0.0.1 26379 0\n"),
            std::string::npos);
  EXPECT_NE(file.find("master-name mym\n"), std::string::npos);

  ServiceHarness after;
  after.config().sentinel_fence_timeout = 1000;
  static_cast<MemoryFileSystem&>(after.service().file_system()).files()[kFenceMembershipFile] =
      file;
  after.service().FenceTick(MonoTime{5000});
  const std::string info = after.Run({"INFO", "replication"}).str;
  EXPECT_NE(info.find("fenced:1\r\nfence_cause:restarted\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("fence_sentinels_known:1\r\n"), std::string::npos);
  EXPECT_EQ(after.Raw({"SET", "k", "v"}).rfind("-READONLY You can't write against a fenced", 0),
            0u);
}

TEST(ServiceFenceRestartTest, DamagedMembershipFileStartsUnfencedAndIsRewritten) {
  ServiceHarness h;
  h.config().sentinel_fence_timeout = 1000;
  auto& disk = static_cast<MemoryFileSystem&>(h.service().file_system());
  disk.files()[kFenceMembershipFile] = "vigil-fence 1\nsentinel x\n";
  h.service().FenceTick(MonoTime{1000});
  EXPECT_NE(h.Run({"INFO", "replication"}).str.find("fenced:0\r\n"), std::string::npos);
  EXPECT_EQ(h.Raw({"SET", "k", "v"}), "+OK\r\n");
}

TEST(ServiceFenceRestartTest, FenceOffWritesNoMembershipFile) {
  ServiceHarness off;  // sentinel-fence-timeout 0: Redis's behaviour, no file
  off.service().FenceTick(MonoTime{1000});
  EXPECT_EQ(static_cast<MemoryFileSystem&>(off.service().file_system())
                .files()
                .count(kFenceMembershipFile),
            0u);
}

}  // namespace
}  // namespace vigil::datanode
