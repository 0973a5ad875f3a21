#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::ServiceHarness;

using testing::RecordingPropagator;

TEST(StringCommands, SetGetAndOptions) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}), Bulk("v"));
  EXPECT_EQ(h.Raw({"SET", "k", "w", "NX"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"SET", "k", "w", "XX", "GET"}), Bulk("v"));
  EXPECT_EQ(h.Raw({"SET", "n", "x", "XX"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"SET", "k", "v", "NX", "XX"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"SET", "k", "v", "EX", "0"}), "-ERR invalid expire time in 'set' command\r\n");
  EXPECT_EQ(h.Raw({"SET", "k", "v", "EX", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"SET", "k", "v", "EX", "10", "KEEPTTL"}), "-ERR syntax error\r\n");
}

TEST(StringCommands, ExpiryIsLazyAndActive) {
  ServiceHarness h;
  h.Raw({"SET", "a", "1", "PX", "100"});
  h.Raw({"SET", "b", "1", "PX", "100"});
  EXPECT_EQ(h.Raw({"PTTL", "a"}), Int(100));
  h.AdvanceMs(101);  // runs the active cycle
  EXPECT_EQ(h.Raw({"DBSIZE"}), Int(0));
  h.Raw({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});  // refused: debug command disabled by default
  h.config().enable_debug_command = 1;
  h.Raw({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
  h.Raw({"SET", "c", "1", "PX", "10"});
  h.AdvanceMs(20);
  EXPECT_EQ(h.Raw({"DBSIZE"}), Int(1));  // still there: only lazy expiry now
  EXPECT_EQ(h.Raw({"GET", "c"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"DBSIZE"}), Int(0));
}

TEST(StringCommands, RelativeExpiryPropagatesAsAbsolute) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"SET", "k", "v", "EX", "100"});
  h.Raw({"EXPIRE", "k", "50"});
  h.Raw({"INCRBYFLOAT", "f", "1.5"});
  h.Raw({"GET", "k"});
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0], "0: SET k v PXAT " + std::to_string(h.now_ms() + 100000));
  EXPECT_EQ(p.lines[1], "0: PEXPIREAT k " + std::to_string(h.now_ms() + 50000));
  EXPECT_EQ(p.lines[2], "0: SET f 1.5 KEEPTTL");
}

TEST(StringCommands, CountersAndOverflow) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"INCR", "c"}), Int(1));
  EXPECT_EQ(h.Raw({"INCRBY", "c", "41"}), Int(42));
  EXPECT_EQ(h.Raw({"DECRBY", "c", "2"}), Int(40));
  h.Raw({"SET", "big", "9223372036854775807"});
  EXPECT_EQ(h.Raw({"INCR", "big"}), "-ERR increment or decrement would overflow\r\n");
  h.Raw({"SET", "s", "abc"});
  EXPECT_EQ(h.Raw({"INCR", "s"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"INCRBYFLOAT", "fl", "10.5"}), Bulk("10.5"));
  EXPECT_EQ(h.Raw({"INCRBYFLOAT", "fl", "-0.5"}), Bulk("10"));
  EXPECT_EQ(h.Raw({"OBJECT", "ENCODING", "c"}), Bulk("int"));
}

TEST(StringCommands, RangesAndAppend) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"APPEND", "s", "Hello"}), Int(5));
  EXPECT_EQ(h.Raw({"APPEND", "s", " World"}), Int(11));
  EXPECT_EQ(h.Raw({"GETRANGE", "s", "-5", "-1"}), Bulk("World"));
  EXPECT_EQ(h.Raw({"GETRANGE", "s", "5", "1"}), Bulk(""));
  EXPECT_EQ(h.Raw({"SETRANGE", "s", "6", "Redis"}), Int(11));
  EXPECT_EQ(h.Raw({"GET", "s"}), Bulk("Hello Redis"));
  EXPECT_EQ(h.Raw({"SETRANGE", "z", "3", "x"}), Int(4));
  EXPECT_EQ(h.Raw({"GET", "z"}), Bulk(std::string("\0\0\0x", 4)));
  EXPECT_EQ(h.Raw({"OBJECT", "ENCODING", "s"}), Bulk("raw"));
  EXPECT_EQ(h.Raw({"STRLEN", "s"}), Int(11));
}

TEST(StringCommands, WrongTypeAndArity) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(h.Raw({"MSET", "a"}), "-ERR wrong number of arguments for 'mset' command\r\n");
  EXPECT_EQ(h.Raw({"NOPE", "a", "b"}),
            "-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' \r\n");
}

TEST(StringCommands, MultiKeyForms) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"MSET", "a", "1", "b", "2"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"MGET", "a", "nope", "b"}), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.Raw({"MSETNX", "b", "9", "c", "3"}), Int(0));
  EXPECT_EQ(h.Raw({"EXISTS", "a", "b", "c"}), Int(2));
  EXPECT_EQ(h.Raw({"GETDEL", "a"}), Bulk("1"));
  EXPECT_EQ(h.Raw({"GETSET", "b", "x"}), Bulk("2"));
  EXPECT_EQ(h.Raw({"GETEX", "b", "PX", "500"}), Bulk("x"));
  EXPECT_EQ(h.Raw({"PTTL", "b"}), Int(500));
  EXPECT_EQ(h.Raw({"GETEX", "b", "PERSIST"}), Bulk("x"));
  EXPECT_EQ(h.Raw({"TTL", "b"}), Int(-1));
}

}  // namespace
}  // namespace vigil::datanode
