#include "datanode/persistence/aof_rewrite.h"

#include <gtest/gtest.h>

#include "datanode/persistence/aof_loader.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::ServiceHarness;

TEST(AofRewriteTest, RewrittenCommandsRebuildTheDataset) {
  ServiceHarness src;
  src.Raw({"SET", "s", "hello"});
  src.Raw({"SET", "n", "42"});
  src.Raw({"SET", "t", "v", "PX", "100000"});
  src.Raw({"SET", "gone", "v", "PX", "10"});
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 0; i < 150; ++i) push.push_back("e" + std::to_string(i));
  src.Raw(push);
  std::vector<std::string> zadd = {"ZADD", "z"};
  for (int i = 0; i < 100; ++i) {
    zadd.push_back(std::to_string(i) + ".5");
    zadd.push_back("m" + std::to_string(i));
  }
  src.Raw(zadd);
  src.Raw({"HSET", "h", "f", "v", "g", "w"});
  src.Raw({"SADD", "set", "a", "b", "1"});
  src.Raw({"SELECT", "5"});
  src.Raw({"SET", "in5", "x"});
  src.Raw({"SELECT", "0"});
  src.AdvanceMs(20);  // "gone" expires

  std::string aof;
  ASSERT_TRUE(
      RewriteKeyspaceAsCommands(src.service().keyspace(), src.now_ms(), [&aof](std::string_view d) {
        aof.append(d);
        return true;
      }));
  ServiceHarness dst(src.now_ms());
  AofReplayer r(&dst.service(), "base.aof");
  size_t used = 0;
  while (used < aof.size()) {
    size_t n = 0;
    ASSERT_TRUE(r.Feed(std::string_view(aof).substr(used), 1024, &n).ok());
    ASSERT_GT(n, 0u);
    used += n;
  }
  EXPECT_FALSE(r.Finish(0).truncated);
  EXPECT_EQ(dst.Raw({"DBSIZE"}), Int(7));
  EXPECT_EQ(dst.Raw({"GET", "s"}), Bulk("hello"));
  EXPECT_EQ(dst.Raw({"PTTL", "t"}), src.Raw({"PTTL", "t"}));
  EXPECT_EQ(dst.Raw({"EXISTS", "gone"}), Int(0));
  EXPECT_EQ(dst.Raw({"LRANGE", "l", "0", "-1"}), src.Raw({"LRANGE", "l", "0", "-1"}));
  EXPECT_EQ(dst.Raw({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            src.Raw({"ZRANGE", "z", "0", "-1", "WITHSCORES"}));
  EXPECT_EQ(dst.Raw({"HGET", "h", "g"}), Bulk("w"));
  EXPECT_EQ(dst.Raw({"SCARD", "set"}), Int(3));
  dst.Raw({"SELECT", "5"});
  EXPECT_EQ(dst.Raw({"GET", "in5"}), Bulk("x"));
}

TEST(AofRewriteTest, SinkFailureAborts) {
  ServiceHarness src;
  src.Raw({"SET", "a", "1"});
  EXPECT_FALSE(RewriteKeyspaceAsCommands(src.service().keyspace(), src.now_ms(),
                                         [](std::string_view) { return false; }));
}

}  // namespace
}  // namespace vigil::datanode
