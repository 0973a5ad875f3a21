// Stream commands through the in-process Service: replies, WRONGTYPE, key operations, blocking
// reads, and propagation in the forms Redis 7.0 emits (checked against its AOF).
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::RecordingPropagator;
using testing::ServiceHarness;

const char* const kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

TEST(StreamCommands, TypeEncodingAndKeyOperations) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"xadd", "s", "1-1", "a", "1"}), "$3\r\n1-1\r\n");
  EXPECT_EQ(h.Raw({"type", "s"}), "+stream\r\n");
  EXPECT_EQ(h.Raw({"object", "encoding", "s"}), "$6\r\nstream\r\n");
  EXPECT_EQ(h.Raw({"scan", "0", "type", "stream"}), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n");
  EXPECT_EQ(h.Raw({"copy", "s", "c"}), ":1\r\n");
  EXPECT_EQ(h.Raw({"rename", "s", "r"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"xrange", "c", "-", "+"}), h.Raw({"xrange", "r", "-", "+"}));
  EXPECT_EQ(h.Raw({"lpush", "r", "x"}), kWrongType);
  EXPECT_EQ(h.Raw({"set", "str", "x"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"xadd", "str", "*", "a", "1"}), kWrongType);
  EXPECT_EQ(h.Raw({"xlen", "str"}), kWrongType);
  EXPECT_EQ(h.Raw({"expire", "r", "10"}), ":1\r\n");
  h.AdvanceMs(11000);
  EXPECT_EQ(h.Raw({"exists", "r"}), ":0\r\n");
  EXPECT_GT(h.service().keyspace().db(0).Find("c")->AllocatedBytes(), 40u);
}

TEST(StreamCommands, XaddIdRulesAndErrors) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"xadd", "s", "5-*", "a", "1"}), "$3\r\n5-0\r\n");
  EXPECT_EQ(h.Raw({"xadd", "s", "5-*", "a", "1"}), "$3\r\n5-1\r\n");
  EXPECT_EQ(h.Raw({"xadd", "s", "5-1", "a", "1"}),
            "-ERR The ID specified in XADD is equal or smaller than the target stream top "
            "item\r\n");
  EXPECT_EQ(h.Raw({"xadd", "s", "0-0", "a", "1"}),
            "-ERR The ID specified in XADD must be greater than 0-0\r\n");
  EXPECT_EQ(h.Raw({"xadd", "s", "*", "a"}),
            "-ERR wrong number of arguments for 'xadd' command\r\n");
  EXPECT_EQ(h.Raw({"xadd", "s", "maxlen", "5", "limit", "5", "*", "a", "1"}),
            "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n");
  EXPECT_EQ(h.Raw({"xadd", "n", "nomkstream", "*", "a", "1"}), "$-1\r\n");
  // "*" takes the clock (the harness's), never going backwards.
  EXPECT_EQ(h.Run({"xadd", "s", "*", "a", "1"}).str, std::to_string(h.now_ms()) + "-0");
}

TEST(StreamCommands, XaddPropagatesGeneratedIdAndExactTrim) {
  ServiceHarness h;
  h.config().stream_node_max_entries = 4;
  for (int i = 1; i <= 10; ++i) h.Raw({"xadd", "s", std::to_string(i) + "-1", "a", "1"});
  RecordingPropagator p;
  h.service().set_propagator(&p);
  std::string id = h.Run({"xadd", "s", "maxlen", "~", "5", "*", "a", "1"}).str;
  h.Raw({"xtrim", "s", "minid", "~", "10"});
  h.service().set_propagator(nullptr);
  ASSERT_EQ(p.log.size(), 2u);
  EXPECT_EQ(p.log[0], (std::vector<std::string>{"xadd", "s", "maxlen", "=", "7", id, "a", "1"}));
  EXPECT_EQ(p.log[1], (std::vector<std::string>{"xtrim", "s", "minid", "=", "9-1"}));
}

TEST(StreamCommands, XreadgroupPropagatesXclaimsInOneTransaction) {
  ServiceHarness h;
  for (int i = 1; i <= 3; ++i) h.Raw({"xadd", "s", std::to_string(i) + "-0", "a", "1"});
  h.Raw({"xgroup", "create", "s", "g", "0"});
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"xreadgroup", "group", "g", "c", "count", "2", "streams", "s", ">"});
  h.Raw({"xreadgroup", "group", "g", "n", "noack", "streams", "s", ">"});
  h.Raw({"xreadgroup", "group", "g", "c", "streams", "s", "0"});  // history: not propagated
  h.service().set_propagator(nullptr);
  const std::string t = std::to_string(h.now_ms());
  const std::vector<std::vector<std::string>> want = {
      {"MULTI"},
      {"XCLAIM", "s", "g", "c", "0", "1-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID",
       "LASTID", "1-0"},
      {"XCLAIM", "s", "g", "c", "0", "2-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID",
       "LASTID", "2-0"},
      {"EXEC"},
      {"MULTI"},
      {"XGROUP", "CREATECONSUMER", "s", "g", "n"},
      {"XGROUP", "SETID", "s", "g", "3-0", "ENTRIESREAD", "3"},
      {"EXEC"}};
  EXPECT_EQ(p.log, want);
}

TEST(StreamCommands, BlockedXreadWakesOnXaddAndTimesOut) {
  ServiceHarness h;
  datanode::Session& reader = h.NewSession();
  h.Raw({"xadd", "s", "1-0", "a", "1"});
  EXPECT_EQ(h.Raw({"xread", "block", "1000", "streams", "s", "$"}, &reader), "");
  h.Raw({"xdel", "s", "1-0"});  // touches the key, adds nothing: still blocked
  EXPECT_EQ(h.TakeOutput(reader), "");
  h.Raw({"xadd", "s", "2-0", "b", "2"});
  EXPECT_EQ(h.TakeOutput(reader),
            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.Raw({"xread", "block", "500", "streams", "s", "$"}, &reader), "");
  h.AdvanceMs(600);
  EXPECT_EQ(h.TakeOutput(reader), "*-1\r\n");
}

TEST(StreamCommands, XclaimAndXautoclaimMoveOwnership) {
  ServiceHarness h;
  for (int i = 1; i <= 3; ++i) h.Raw({"xadd", "s", std::to_string(i) + "-0", "a", "1"});
  h.Raw({"xgroup", "create", "s", "g", "0"});
  h.Raw({"xreadgroup", "group", "g", "alice", "streams", "s", ">"});
  h.AdvanceMs(5000);
  EXPECT_EQ(h.Raw({"xclaim", "s", "g", "bob", "4000", "1-0", "justid"}), "*1\r\n$3\r\n1-0\r\n");
  EXPECT_EQ(h.Raw({"xclaim", "s", "g", "bob", "4000", "1-0", "justid"}), "*0\r\n");
  h.Raw({"xdel", "s", "3-0"});
  EXPECT_EQ(h.Raw({"xautoclaim", "s", "g", "carol", "1000", "0", "justid"}),
            "*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n2-0\r\n*1\r\n$3\r\n3-0\r\n");
  resp::Value summary = h.Run({"xpending", "s", "g"});
  EXPECT_EQ(summary.elements[0].integer, 2);
}

TEST(StreamCommands, BlockingXreadWaitsWhenOnlyDeletedEntriesFollowTheId) {
  ServiceHarness h;
  h.Raw({"XADD", "s1", "666", "f", "v"});
  h.Raw({"XADD", "s1", "667", "f2", "v2"});
  h.Raw({"XDEL", "s1", "667"});
  auto& c = h.NewSession();
  // last_id is 667, but nothing after 666 exists: block, not an empty answer.
  EXPECT_EQ(h.Raw({"XREAD", "BLOCK", "10", "STREAMS", "s1", "666"}, &c), "");
  EXPECT_TRUE(c.block.active);
  h.AdvanceMs(20);
  h.service().Cron();
  EXPECT_EQ(h.TakeOutput(c), "*-1\r\n");
}

TEST(StreamCommands, AnXreadgroupWaiterIsToldWhenItsStreamGoes) {
  constexpr const char* kGone = "-UNBLOCKED the stream key no longer exists\r\n";
  for (const std::vector<std::string>& remove : {std::vector<std::string>{"DEL", "mystream"},
                                                 {"SET", "mystream", "val1"},
                                                 {"FLUSHALL"},
                                                 {"SWAPDB", "4", "0"}}) {
    ServiceHarness h;
    h.Raw({"XADD", "mystream", "666", "f", "v"});
    h.Raw({"XGROUP", "CREATE", "mystream", "mygroup", "$"});
    auto& c = h.NewSession();
    EXPECT_EQ(
        h.Raw({"XREADGROUP", "GROUP", "mygroup", "Alice", "BLOCK", "0", "STREAMS", "mystream", ">"},
              &c),
        "");
    h.Raw(remove);
    EXPECT_EQ(h.TakeOutput(c), kGone) << remove[0];
    EXPECT_FALSE(c.block.active);
  }
}

}  // namespace
}  // namespace vigil::datanode
