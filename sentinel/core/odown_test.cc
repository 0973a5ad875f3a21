#include "sentinel/core/odown.h"

#include <gtest/gtest.h>

#include "sentinel/core/admin_apply.h"

namespace vigil::sentinel {
namespace {

MasterRecord MasterWithPeers(int peers) {
  MasterRecord m;
  m.config.quorum = 2;
  m.instance.s_down = true;
  for (int i = 0; i < peers; ++i) {
    InstanceRecord si;
    si.kind = InstanceKind::kSentinel;
    m.sentinels[std::string(40, char('b' + i))] = si;
  }
  return m;
}

TEST(OdownTest, CountsOnlyFreshDownAnswers) {
  MasterRecord m = MasterWithPeers(2);
  auto& peer = m.sentinels.begin()->second;
  peer.master_down = true;
  peer.last_master_down_reply_time = MonoTime{1000};
  EXPECT_EQ(TallyOdown(m, MonoTime{5000}, Millis(5000)).agreeing, 2);
  EXPECT_TRUE(TallyOdown(m, MonoTime{5000}, Millis(5000)).reached());
  EXPECT_EQ(TallyOdown(m, MonoTime{6001}, Millis(5000)).agreeing, 1);
}

TEST(OdownTest, NoOdownWithoutOwnSdown) {
  MasterRecord m = MasterWithPeers(2);
  for (auto& [id, si] : m.sentinels) {
    si.master_down = true;
    si.last_master_down_reply_time = MonoTime{0};
  }
  m.instance.s_down = false;
  EXPECT_EQ(TallyOdown(m, MonoTime{10}, Millis(5000)).agreeing, 0);
  EXPECT_FALSE(TallyOdown(m, MonoTime{10}, Millis(5000)).reached());
}

TEST(OdownTest, CkQuorumCountsUsableSentinelsAgainstQuorumAndMajority) {
  CoreState state(CoreOptions{}, 1);
  MasterRecord m = MasterWithPeers(4);  // 5 voters: majority 3
  m.config.quorum = 4;
  auto it = m.sentinels.begin();
  it->second.s_down = true;
  (++it)->second.s_down = true;
  EXPECT_EQ(DebugString(CheckQuorumReply(state, m)),
            "-NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach the specified "
            "quorum for this master");
  (++it)->second.s_down = true;
  EXPECT_EQ(DebugString(CheckQuorumReply(state, m)),
            "-NOQUORUM 2 usable Sentinels. Not enough available Sentinels to reach the specified "
            "quorum for this master. Not enough available Sentinels to reach the majority and "
            "authorize a failover");
}

}  // namespace
}  // namespace vigil::sentinel
