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

// A stream is rewritten as XADDs, XSETID (counters), XGROUP CREATE ... ENTRIESREAD, an XCLAIM
// per pending entry and XGROUP CREATECONSUMER for idle consumers; replaying it rebuilds the
// same entries, counters, groups and PEL (delivery times and counts included).
TEST(AofRewriteTest, StreamsWithGroupsReplayIdentically) {
  ServiceHarness src;
  for (int i = 1; i <= 30; ++i) src.Raw({"XADD", "st", std::to_string(i) + "-0", "f", "v"});
  src.Raw({"XDEL", "st", "30-0", "4-0"});
  src.Raw({"XGROUP", "CREATE", "st", "g", "0"});
  src.Raw({"XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "st", ">"});
  src.AdvanceMs(500);
  src.Raw({"XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "st", ">"});
  src.Raw({"XCLAIM", "st", "g", "bob", "0", "1-0", "RETRYCOUNT", "5"});
  src.Raw({"XGROUP", "CREATECONSUMER", "st", "g", "idle"});
  src.Raw({"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"});
  src.Raw({"XADD", "drained", "9-9", "a", "1"});
  src.Raw({"XDEL", "drained", "9-9"});
  std::string aof;
  ASSERT_TRUE(
      RewriteKeyspaceAsCommands(src.service().keyspace(), src.now_ms(), [&aof](std::string_view d) {
        aof.append(d);
        return true;
      }));
  ServiceHarness dst(src.now_ms() + 1000);
  AofReplayer r(&dst.service(), "base.aof");
  size_t used = 0;
  while (used < aof.size()) {
    size_t n = 0;
    ASSERT_TRUE(r.Feed(std::string_view(aof).substr(used), 1 << 20, &n).ok());
    ASSERT_GT(n, 0u);
    used += n;
  }
  for (const char* key : {"st", "empty", "drained"}) {
    EXPECT_EQ(dst.Raw({"XRANGE", key, "-", "+"}), src.Raw({"XRANGE", key, "-", "+"})) << key;
    EXPECT_EQ(dst.Raw({"XINFO", "GROUPS", key}), src.Raw({"XINFO", "GROUPS", key})) << key;
    EXPECT_EQ(dst.Raw({"XPENDING", key, "g"}), src.Raw({"XPENDING", key, "g"})) << key;
  }
  EXPECT_EQ(dst.Raw({"XINFO", "STREAM", "st"}), src.Raw({"XINFO", "STREAM", "st"}));
  EXPECT_EQ(dst.Raw({"XINFO", "STREAM", "drained"}), src.Raw({"XINFO", "STREAM", "drained"}));
  // Delivery times and counts survive (XCLAIM ... TIME ... RETRYCOUNT); idle is relative to
  // each side's clock, 1000 ms apart.
  resp::Value a = src.Run({"XPENDING", "st", "g", "-", "+", "100"});
  resp::Value b = dst.Run({"XPENDING", "st", "g", "-", "+", "100"});
  ASSERT_EQ(a.elements.size(), b.elements.size());
  for (size_t i = 0; i < a.elements.size(); ++i) {
    EXPECT_EQ(a.elements[i].elements[1].str, b.elements[i].elements[1].str);
    EXPECT_EQ(a.elements[i].elements[2].integer + 1000, b.elements[i].elements[2].integer);
    EXPECT_EQ(a.elements[i].elements[3].integer, b.elements[i].elements[3].integer);
  }
  EXPECT_EQ(dst.Raw({"XINFO", "CONSUMERS", "st", "g"}).find("idle"),
            src.Raw({"XINFO", "CONSUMERS", "st", "g"}).find("idle"));
}

TEST(AofRewriteTest, SinkFailureAborts) {
  ServiceHarness src;
  src.Raw({"SET", "a", "1"});
  EXPECT_FALSE(RewriteKeyspaceAsCommands(src.service().keyspace(), src.now_ms(),
                                         [](std::string_view) { return false; }));
}

}  // namespace
}  // namespace vigil::datanode
