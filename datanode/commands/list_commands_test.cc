// Unit tests of the LIST family against the in-process Service; expected bytes were checked
// against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "datanode/store/list_value.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Arr;
using testing::Bulk;
using testing::BulkArr;
using testing::Int;
using testing::ServiceHarness;

const char* const kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const char* const kNotInt = "-ERR value is not an integer or out of range\r\n";

using testing::RecordingPropagator;

// A string key for WRONGTYPE checks, made without depending on the string family.
void MakeStringKey(ServiceHarness& h, const std::string& key) {
  h.service().keyspace().db(0).Add(Entry::NewString(key, "v"));
}

bool Exists(ServiceHarness& h, const std::string& key) {
  return h.service().keyspace().db(0).Find(key) != nullptr;
}

TEST(ListCommands, PushesReturnLengthAndKeepOrder) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"rpush", "l", "a", "b"}), Int(2));
  EXPECT_EQ(h.Raw({"lpush", "l", "x", "y"}), Int(4));
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"y", "x", "a", "b"}));
  EXPECT_EQ(h.Raw({"llen", "l"}), Int(4));
  EXPECT_EQ(h.Raw({"llen", "missing"}), Int(0));
}

TEST(ListCommands, PushxOnlyTouchesExistingLists) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"lpushx", "l", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"rpushx", "l", "a"}), Int(0));
  EXPECT_FALSE(Exists(h, "l"));
  h.Raw({"rpush", "l", "a"});
  EXPECT_EQ(h.Raw({"rpushx", "l", "b", "c"}), Int(3));
  EXPECT_EQ(h.Raw({"lpushx", "l", "z"}), Int(4));
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"z", "a", "b", "c"}));
}

TEST(ListCommands, WrongTypeIsRejectedByEveryCommand) {
  ServiceHarness h;
  MakeStringKey(h, "s");
  h.Raw({"rpush", "l", "a"});
  const std::vector<std::vector<std::string>> cmds = {{"lpush", "s", "a"},
                                                      {"rpushx", "s", "a"},
                                                      {"lpop", "s"},
                                                      {"rpop", "s", "2"},
                                                      {"lrange", "s", "0", "1"},
                                                      {"llen", "s"},
                                                      {"lindex", "s", "0"},
                                                      {"lset", "s", "0", "a"},
                                                      {"lrem", "s", "0", "a"},
                                                      {"ltrim", "s", "0", "1"},
                                                      {"linsert", "s", "before", "a", "b"},
                                                      {"lpos", "s", "a"},
                                                      {"lmove", "s", "l", "left", "left"},
                                                      {"lmove", "l", "s", "left", "left"},
                                                      {"rpoplpush", "s", "l"},
                                                      {"blpop", "s", "0"},
                                                      {"blmove", "s", "l", "left", "left", "0"},
                                                      {"lmpop", "1", "s", "left"},
                                                      {"blmpop", "0", "1", "s", "left"}};
  for (const auto& c : cmds) EXPECT_EQ(h.Raw(c), kWrongType) << c[0];
  EXPECT_EQ(h.Raw({"llen", "l"}), Int(1));  // the failed LMOVE into "s" popped nothing
}

TEST(ListCommands, PopWithoutAndWithCount) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a", "b", "c", "d"});
  EXPECT_EQ(h.Raw({"lpop", "l"}), Bulk("a"));
  EXPECT_EQ(h.Raw({"rpop", "l"}), Bulk("d"));
  EXPECT_EQ(h.Raw({"lpop", "l", "0"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"rpop", "l", "5"}), BulkArr({"c", "b"}));
  EXPECT_FALSE(Exists(h, "l"));
  EXPECT_EQ(h.Raw({"lpop", "l"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"lpop", "l", "2"}), "*-1\r\n");
  EXPECT_EQ(h.Raw({"lpop", "l", "0"}), "*-1\r\n");
  EXPECT_EQ(h.Raw({"lpop", "l", "-1"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(h.Raw({"lpop", "l", "x"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(h.Raw({"lpop", "l", "1", "2"}),
            "-ERR wrong number of arguments for 'lpop' command\r\n");
}

TEST(ListCommands, PopNullsInResp3) {
  ServiceHarness h;
  h.session().proto = 3;
  EXPECT_EQ(h.Raw({"lpop", "l"}), "_\r\n");
  EXPECT_EQ(h.Raw({"rpop", "l", "3"}), "_\r\n");
  EXPECT_EQ(h.Raw({"lindex", "l", "0"}), "_\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "1", "l", "left"}), "_\r\n");
}

TEST(ListCommands, LrangeNormalizesIndexes) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a", "b", "c"});
  EXPECT_EQ(h.Raw({"lrange", "l", "-2", "100"}), BulkArr({"b", "c"}));
  EXPECT_EQ(h.Raw({"lrange", "l", "-100", "0"}), BulkArr({"a"}));
  EXPECT_EQ(h.Raw({"lrange", "l", "2", "1"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"lrange", "l", "5", "10"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"lrange", "missing", "0", "-1"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"lrange", "l", "01", "2"}), kNotInt);
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "99999999999999999999"}), kNotInt);
}

TEST(ListCommands, LindexAndLset) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a", "b", "c"});
  EXPECT_EQ(h.Raw({"lindex", "l", "-1"}), Bulk("c"));
  EXPECT_EQ(h.Raw({"lindex", "l", "3"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"lindex", "l", "+1"}), kNotInt);
  EXPECT_EQ(h.Raw({"lindex", "missing", "x"}), "$-1\r\n");  // lookup first, as Redis
  EXPECT_EQ(h.Raw({"lset", "l", "1", "B"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"lset", "l", "-3", "A"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"A", "B", "c"}));
  EXPECT_EQ(h.Raw({"lset", "l", "3", "x"}), "-ERR index out of range\r\n");
  EXPECT_EQ(h.Raw({"lset", "missing", "0", "x"}), "-ERR no such key\r\n");
  EXPECT_EQ(h.Raw({"lset", "l", "x", "x"}), kNotInt);
}

TEST(ListCommands, LinsertBeforeAndAfterPivot) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a", "c"});
  EXPECT_EQ(h.Raw({"linsert", "l", "BEFORE", "c", "b"}), Int(3));
  EXPECT_EQ(h.Raw({"linsert", "l", "after", "c", "d"}), Int(4));
  EXPECT_EQ(h.Raw({"linsert", "l", "after", "zz", "d"}), Int(-1));
  EXPECT_EQ(h.Raw({"linsert", "missing", "after", "a", "b"}), Int(0));
  EXPECT_EQ(h.Raw({"linsert", "l", "middle", "a", "b"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"a", "b", "c", "d"}));
}

TEST(ListCommands, LremFromHeadTailAndAll) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "x", "a", "x", "b", "x", "c", "x"});
  EXPECT_EQ(h.Raw({"lrem", "l", "2", "x"}), Int(2));
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"a", "b", "x", "c", "x"}));
  EXPECT_EQ(h.Raw({"lrem", "l", "-1", "x"}), Int(1));
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"a", "b", "x", "c"}));
  EXPECT_EQ(h.Raw({"lrem", "l", "0", "x"}), Int(1));
  EXPECT_EQ(h.Raw({"lrem", "l", "0", "nothing"}), Int(0));
  EXPECT_EQ(h.Raw({"lrem", "l", "-9223372036854775808", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"lrem", "missing", "0", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"lrem", "l", "x", "a"}), kNotInt);
  h.Raw({"lrem", "l", "0", "b"});
  EXPECT_EQ(h.Raw({"lrem", "l", "0", "c"}), Int(1));
  EXPECT_FALSE(Exists(h, "l"));
}

TEST(ListCommands, LtrimKeepsRangeAndDeletesEmptyList) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a", "b", "c", "d", "e"});
  EXPECT_EQ(h.Raw({"ltrim", "l", "1", "-2"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"lrange", "l", "0", "-1"}), BulkArr({"b", "c", "d"}));
  EXPECT_EQ(h.Raw({"ltrim", "l", "-100", "100"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"llen", "l"}), Int(3));
  EXPECT_EQ(h.Raw({"ltrim", "missing", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"ltrim", "l", "2", "1"}), "+OK\r\n");
  EXPECT_FALSE(Exists(h, "l"));
}

TEST(ListCommands, LposRankCountMaxlen) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(h.Raw({"lpos", "l", "c"}), Int(2));
  EXPECT_EQ(h.Raw({"lpos", "l", "c", "rank", "2"}), Int(6));
  EXPECT_EQ(h.Raw({"lpos", "l", "c", "rank", "-1"}), Int(7));
  EXPECT_EQ(h.Raw({"lpos", "l", "c", "count", "0"}), Arr({Int(2), Int(6), Int(7)}));
  EXPECT_EQ(h.Raw({"lpos", "l", "c", "count", "2", "rank", "-1"}), Arr({Int(7), Int(6)}));
  EXPECT_EQ(h.Raw({"lpos", "l", "c", "count", "0", "maxlen", "3"}), Arr({Int(2)}));
  EXPECT_EQ(h.Raw({"lpos", "l", "zz"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "zz", "count", "1"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"lpos", "missing", "a"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"lpos", "missing", "a", "count", "0"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "c", "rank", "-9223372036854775808"}), Int(7));
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "rank", "0"}),
            "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "count", "-1"}), "-ERR COUNT can't be negative\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "count", "x"}), "-ERR COUNT can't be negative\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "maxlen", "-1"}), "-ERR MAXLEN can't be negative\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "rank", "x"}), kNotInt);
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "rank"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"lpos", "l", "a", "foo", "1"}), "-ERR syntax error\r\n");
}

TEST(ListCommands, LmoveAndRpoplpush) {
  ServiceHarness h;
  h.Raw({"rpush", "src", "a", "b", "c"});
  EXPECT_EQ(h.Raw({"lmove", "src", "dst", "left", "RIGHT"}), Bulk("a"));
  EXPECT_EQ(h.Raw({"lmove", "src", "dst", "right", "left"}), Bulk("c"));
  EXPECT_EQ(h.Raw({"lrange", "dst", "0", "-1"}), BulkArr({"c", "a"}));
  EXPECT_EQ(h.Raw({"rpoplpush", "src", "dst"}), Bulk("b"));
  EXPECT_FALSE(Exists(h, "src"));
  EXPECT_EQ(h.Raw({"rpoplpush", "src", "dst"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"lmove", "src", "dst", "up", "left"}), "-ERR syntax error\r\n");
  // Rotating a one-element list onto itself keeps the key.
  h.Raw({"rpush", "one", "x"});
  EXPECT_EQ(h.Raw({"lmove", "one", "one", "left", "right"}), Bulk("x"));
  EXPECT_EQ(h.Raw({"lrange", "one", "0", "-1"}), BulkArr({"x"}));
  EXPECT_EQ(h.Raw({"rpoplpush", "dst", "dst"}), Bulk("a"));
  EXPECT_EQ(h.Raw({"lrange", "dst", "0", "-1"}), BulkArr({"a", "b", "c"}));
}

TEST(ListCommands, LmpopPicksFirstNonEmptyKey) {
  ServiceHarness h;
  h.Raw({"rpush", "b", "1", "2", "3"});
  EXPECT_EQ(h.Raw({"lmpop", "2", "a", "b", "right", "count", "2"}),
            Arr({Bulk("b"), BulkArr({"3", "2"})}));
  EXPECT_EQ(h.Raw({"lmpop", "2", "a", "b", "LEFT"}), Arr({Bulk("b"), BulkArr({"1"})}));
  EXPECT_EQ(h.Raw({"lmpop", "2", "a", "b", "left"}), "*-1\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "0", "a", "left"}), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "x", "a", "left"}), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "2", "a", "left"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "1", "a", "up"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "1", "a", "left", "count", "0"}),
            "-ERR count should be greater than 0\r\n");
  EXPECT_EQ(h.Raw({"lmpop", "1", "a", "left", "count", "1", "count", "1"}),
            "-ERR syntax error\r\n");
}

TEST(ListCommands, BlockingTimeoutArgumentErrors) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"blpop", "l", "x"}), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(h.Raw({"blpop", "l", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.Raw({"brpop", "l", "inf"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.Raw({"brpop", "l", "1e400"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.Raw({"brpoplpush", "a", "b", "x"}),
            "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(h.Raw({"blmove", "a", "b", "up", "left", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"blmpop", "x", "1", "l", "left"}),
            "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(h.Raw({"blmpop", "x", "0", "l", "left"}), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(h.service().waiters().blocked_count(), 0u);
}

TEST(ListCommands, BlpopServesImmediatelyWhenDataExists) {
  ServiceHarness h;
  h.Raw({"rpush", "b", "x", "y"});
  EXPECT_EQ(h.Raw({"blpop", "a", "b", "0"}), BulkArr({"b", "x"}));
  EXPECT_EQ(h.Raw({"brpop", "a", "b", "0"}), BulkArr({"b", "y"}));
  EXPECT_FALSE(Exists(h, "b"));
}

TEST(ListCommands, BlpopServesOldestWaiterFirst) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  auto& c2 = h.NewSession();
  EXPECT_EQ(h.Raw({"blpop", "q", "0"}, &c1), "");
  EXPECT_EQ(h.Raw({"blpop", "q", "0"}, &c2), "");
  EXPECT_EQ(h.Raw({"rpush", "q", "first"}), Int(1));
  EXPECT_EQ(h.TakeOutput(c1), BulkArr({"q", "first"}));
  EXPECT_EQ(h.TakeOutput(c2), "");
  EXPECT_EQ(h.Raw({"rpush", "q", "a", "b"}), Int(2));
  EXPECT_EQ(h.TakeOutput(c2), BulkArr({"q", "a"}));
  EXPECT_EQ(h.Raw({"lrange", "q", "0", "-1"}), BulkArr({"b"}));
  EXPECT_EQ(h.service().waiters().blocked_count(), 0u);
}

TEST(ListCommands, BlockedClientsAreUnblockedWithAnErrorWhenTheNodeBecomesAReplica) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  EXPECT_EQ(h.Raw({"blpop", "q", "0"}, &c1), "");
  h.service().DisconnectBlockedClients();
  EXPECT_EQ(h.TakeOutput(c1),
            "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> "
            "replica?)\r\n");
  EXPECT_TRUE(c1.close_after_reply);
  EXPECT_EQ(h.service().waiters().blocked_count(), 0u);
  // The master's stream then fills the list; nobody pops it on the replica.
  EXPECT_EQ(h.Raw({"rpush", "q", "a"}), Int(1));
  EXPECT_EQ(h.TakeOutput(c1), "");
}

TEST(ListCommands, ClientUnblockErrorCountsAsAFailedCallOfTheBlockedCommand) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  EXPECT_EQ(h.Raw({"blpop", "list1", "0"}, &c1), "");
  EXPECT_EQ(h.Raw({"client", "unblock", std::to_string(c1.id), "error"}), Int(1));
  EXPECT_EQ(h.TakeOutput(c1), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  const std::string info = h.Run({"info", "all"}).str;
  EXPECT_NE(info.find("errorstat_UNBLOCKED:count=1\r\n"), std::string::npos);
  EXPECT_NE(info.find("cmdstat_blpop:calls=1,"), std::string::npos);
  EXPECT_NE(info.find(",rejected_calls=0,failed_calls=1\r\n"), std::string::npos);
  EXPECT_NE(info.find("total_error_replies:1\r\n"), std::string::npos);
}

TEST(ListCommands, SwapdbWakesAClientBlockedOnAKeyItBringsInUnlessItExpired) {
  ServiceHarness h;
  testing::RecordingPropagator feed;
  h.service().set_propagator(&feed);
  auto& c1 = h.NewSession();
  h.Raw({"select", "1"});
  h.Raw({"rpush", "k", "hello"});
  h.Raw({"select", "9"}, &c1);
  EXPECT_EQ(h.Raw({"brpop", "k", "5"}, &c1), "");
  h.Raw({"swapdb", "1", "9"});
  EXPECT_EQ(h.TakeOutput(c1), BulkArr({"k", "hello"}));
  // The same with the key already past its TTL: deleted when the serve looks, client waits on.
  h.service().active_expire_enabled = false;
  h.Raw({"flushall"});
  h.Raw({"rpush", "k", "hello"});
  h.Raw({"pexpire", "k", "100"});
  EXPECT_EQ(h.Raw({"brpop", "k", "1"}, &c1), "");
  h.AdvanceMs(101);
  feed.lines.clear();
  h.Raw({"swapdb", "1", "9"});
  EXPECT_EQ(h.TakeOutput(c1), "");
  EXPECT_TRUE(c1.block.active);
  EXPECT_EQ(feed.lines, (std::vector<std::string>{"1: swapdb 1 9", "9: DEL k"}));
  h.service().set_propagator(nullptr);
}

TEST(ListCommands, AServedBlockedCommandCountsAsOneCall) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  EXPECT_EQ(h.Raw({"blpop", "q", "0"}, &c1), "");
  h.Raw({"rpush", "q", "a"});
  EXPECT_EQ(h.TakeOutput(c1), BulkArr({"q", "a"}));
  EXPECT_NE(h.Run({"info", "commandstats"}).str.find("cmdstat_blpop:calls=1,"), std::string::npos);
}

TEST(ListCommands, AKeyThatExpiredDuringExecIsNotServedToABlockedClient) {
  ServiceHarness h;
  h.config().enable_debug_command = 1;
  auto& c1 = h.NewSession();
  EXPECT_EQ(h.Raw({"debug", "set-active-expire", "0"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"brpop", "k", "0"}, &c1), "");
  h.Raw({"multi"});
  h.Raw({"rpush", "k", "hello"});
  h.Raw({"pexpire", "k", "100"});
  h.Raw({"debug", "sleep", "0.2"});
  EXPECT_EQ(h.Raw({"exec"}), "*3\r\n:1\r\n:1\r\n+OK\r\n");
  EXPECT_EQ(h.TakeOutput(c1), "");
  EXPECT_EQ(h.service().waiters().blocked_count(), 1u);
  EXPECT_EQ(h.Raw({"exists", "k"}), Int(0));
}

TEST(ListCommands, BlockedClientTimesOutWithNullArray) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  auto& c2 = h.NewSession();
  auto& c3 = h.NewSession();
  c3.proto = 3;
  h.Raw({"blpop", "q", "1.5"}, &c1);
  h.Raw({"blmove", "q", "d", "left", "left", "1"}, &c2);
  h.Raw({"brpoplpush", "q", "d", "0.001"}, &c3);
  h.AdvanceMs(1);
  EXPECT_EQ(h.TakeOutput(c3), "_\r\n");
  h.AdvanceMs(998);
  EXPECT_EQ(h.TakeOutput(c1), "");
  EXPECT_EQ(h.TakeOutput(c2), "");
  h.AdvanceMs(1);
  EXPECT_EQ(h.TakeOutput(c2), "*-1\r\n");  // 7.0 answers a null array even for BLMOVE
  h.AdvanceMs(499);
  EXPECT_EQ(h.TakeOutput(c1), "");
  h.AdvanceMs(1);
  EXPECT_EQ(h.TakeOutput(c1), "*-1\r\n");
}

TEST(ListCommands, ZeroTimeoutBlocksForever) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  h.Raw({"brpop", "q", "0"}, &c1);
  h.AdvanceMs(1000LL * 3600 * 24 * 365);
  EXPECT_EQ(h.TakeOutput(c1), "");
  h.Raw({"lpush", "q", "v"});
  EXPECT_EQ(h.TakeOutput(c1), BulkArr({"q", "v"}));
}

TEST(ListCommands, BlockingCommandsNeverBlockInsideExec) {
  ServiceHarness h;
  Session& s = h.session();
  auto run = [&](const std::vector<std::string>& argv) {
    s.out.clear();
    h.service().Call(s, *h.service().commands().Find(argv[0]), argv, argv.size(), true);
    return std::exchange(s.out, {});
  };
  EXPECT_EQ(run({"blpop", "q", "0"}), "*-1\r\n");
  EXPECT_EQ(run({"brpop", "q", "0"}), "*-1\r\n");
  EXPECT_EQ(run({"blmove", "q", "d", "left", "left", "0"}), "$-1\r\n");
  EXPECT_EQ(run({"brpoplpush", "q", "d", "0"}), "$-1\r\n");
  EXPECT_EQ(run({"blmpop", "0", "1", "q", "left"}), "*-1\r\n");
  EXPECT_EQ(h.service().waiters().blocked_count(), 0u);
}

TEST(ListCommands, BlmoveWakesClientBlockedOnDestination) {
  ServiceHarness h;
  auto& waiter = h.NewSession();
  h.Raw({"blpop", "dst", "0"}, &waiter);
  h.Raw({"rpush", "src", "v"});
  EXPECT_EQ(h.Raw({"blmove", "src", "dst", "left", "right", "0"}), Bulk("v"));
  EXPECT_EQ(h.TakeOutput(waiter), BulkArr({"dst", "v"}));
  EXPECT_FALSE(Exists(h, "dst"));
}

TEST(ListCommands, BlockedBlmoveChainsIntoBlockedPop) {
  ServiceHarness h;
  auto& mover = h.NewSession();
  auto& popper = h.NewSession();
  h.Raw({"blmove", "src", "dst", "right", "left", "0"}, &mover);
  h.Raw({"brpop", "dst", "0"}, &popper);
  EXPECT_EQ(h.Raw({"rpush", "src", "v"}), Int(1));
  EXPECT_EQ(h.TakeOutput(mover), Bulk("v"));
  EXPECT_EQ(h.TakeOutput(popper), BulkArr({"dst", "v"}));
  EXPECT_FALSE(Exists(h, "src"));
  EXPECT_FALSE(Exists(h, "dst"));
}

TEST(ListCommands, BlmpopBlocksAndPopsCountWhenServed) {
  ServiceHarness h;
  auto& c1 = h.NewSession();
  EXPECT_EQ(h.Raw({"blmpop", "0", "2", "a", "b", "right", "count", "2"}, &c1), "");
  h.Raw({"rpush", "b", "1", "2", "3"});
  EXPECT_EQ(h.TakeOutput(c1), Arr({Bulk("b"), BulkArr({"3", "2"})}));
}

TEST(ListCommands, PropagationRewritesBlockingAndMultiPops) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  auto& c1 = h.NewSession();
  h.Raw({"blpop", "q", "0"}, &c1);
  h.Raw({"rpush", "q", "a", "b", "c", "d", "e"});
  h.Raw({"brpop", "q", "0"});
  h.Raw({"blmove", "q", "d", "left", "Right", "0"});
  h.Raw({"brpoplpush", "q", "d", "0"});
  h.Raw({"lmpop", "1", "q", "left", "count", "10"});
  h.Raw({"rpush", "q", "x"});
  h.Raw({"blmpop", "0", "1", "q", "right", "count", "3"});
  h.Raw({"lpop", "nothing"});
  h.Raw({"ltrim", "d", "0", "-1"});  // removes nothing: not propagated
  const std::vector<std::vector<std::string>> want = {{"rpush", "q", "a", "b", "c", "d", "e"},
                                                      {"LPOP", "q"},
                                                      {"RPOP", "q"},
                                                      {"LMOVE", "q", "d", "left", "Right"},
                                                      {"RPOPLPUSH", "q", "d"},
                                                      {"LPOP", "q", "1"},
                                                      {"rpush", "q", "x"},
                                                      {"RPOP", "q", "1"}};
  EXPECT_EQ(p.log, want);
  h.service().set_propagator(nullptr);
}

TEST(ListCommands, ArityErrorsComeFromTheTable) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"lpush", "l"}), "-ERR wrong number of arguments for 'lpush' command\r\n");
  EXPECT_EQ(h.Raw({"blpop", "l"}), "-ERR wrong number of arguments for 'blpop' command\r\n");
  EXPECT_EQ(h.Raw({"lmove", "a", "b", "left"}),
            "-ERR wrong number of arguments for 'lmove' command\r\n");
  EXPECT_EQ(h.Raw({"blmpop", "0", "1", "l"}),
            "-ERR wrong number of arguments for 'blmpop' command\r\n");
}

TEST(ListCommands, ListsReportQuicklistEncoding) {
  ServiceHarness h;
  h.Raw({"rpush", "l", "a"});
  EXPECT_EQ(h.service().keyspace().db(0).Find("l")->encoding(), Encoding::kQuicklist);
}

TEST(ListValue, CopyIsDeepAndBytesTrackLongElements) {
  ListValue l;
  l.PushBack("short");
  l.PushBack(std::string(100, 'x'));
  const size_t with_long = l.AllocatedBytes();
  ListValue copy = l;
  copy.PopBack();
  EXPECT_EQ(l.size(), 2u);
  EXPECT_LT(copy.AllocatedBytes(), with_long);
  l.TrimEnds(1, 1);
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.AllocatedBytes(), copy.AllocatedBytes() - sizeof(std::string));
}

}  // namespace
}  // namespace vigil::datanode

namespace vigil::datanode {
namespace {

TEST(ListCommands, BlockedClientIgnoresAKeySetToAnotherType) {
  testing::ServiceHarness h;
  auto& blocked = h.NewSession();
  EXPECT_EQ(h.Raw({"BLPOP", "k1", "k2", "0"}, &blocked), "");
  h.Raw({"SET", "k1", "s"});
  EXPECT_EQ(h.TakeOutput(blocked), "");  // still blocked, no WRONGTYPE
  h.Raw({"RPUSH", "k2", "x"});
  EXPECT_EQ(h.TakeOutput(blocked), "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n");
}

}  // namespace
}  // namespace vigil::datanode
