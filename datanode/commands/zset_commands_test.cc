#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datanode/store/entry.h"
#include "datanode/store/zset_value.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Arr;
using testing::Bulk;
using testing::BulkArr;
using testing::Int;
using testing::ServiceHarness;

constexpr const char* kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr const char* kNull = "$-1\r\n";

using testing::RecordingPropagator;

Encoding EncodingOf(ServiceHarness& h, const std::string& key) {
  return h.service().keyspace().db(0).Find(key)->encoding();
}
bool Exists(ServiceHarness& h, const std::string& key) {
  return h.service().keyspace().db(0).Find(key) != nullptr;
}
void PutString(ServiceHarness& h, const std::string& key) {
  h.service().keyspace().db(0).Add(Entry::NewString(key, "v"));
}

TEST(ZSetCommands, ZaddAddsAndZrangeOrdersByScoreThenMember) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"ZADD", "z", "2", "b", "1", "c", "1", "a"}), Int(3));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "-1"}), BulkArr({"a", "c", "b"}));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            BulkArr({"a", "1", "c", "1", "b", "2"}));
  EXPECT_EQ(h.Raw({"ZADD", "z", "5", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"ZADD", "z", "CH", "6", "a", "1", "new"}), Int(2));
  EXPECT_EQ(h.Raw({"ZCARD", "z"}), Int(4));
  EXPECT_EQ(h.Raw({"ZCARD", "nokey"}), Int(0));
}

TEST(ZSetCommands, ZaddOptionErrors) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"ZADD", "z", "XX", "NX", "1", "a"}),
            "-ERR XX and NX options at the same time are not compatible\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "GT", "LT", "1", "a"}),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "GT", "NX", "1", "a"}),
            "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            "-ERR INCR option supports a single increment-element pair\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "INCR", "1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "1", "a", "2"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "nan", "a"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "z", "1", "a", "x", "b"}), "-ERR value is not a valid float\r\n");
  EXPECT_FALSE(Exists(h, "z"));  // nothing happens when any score is bad
}

TEST(ZSetCommands, ZaddGtOnlyRaisesScoresAndLtOnlyLowers) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "5", "a"});
  EXPECT_EQ(h.Raw({"ZADD", "z", "GT", "CH", "3", "a", "1", "b"}), Int(1));
  EXPECT_EQ(h.Raw({"ZSCORE", "z", "a"}), Bulk("5"));
  EXPECT_EQ(h.Raw({"ZADD", "z", "GT", "CH", "7", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"ZADD", "z", "LT", "CH", "9", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"ZADD", "z", "LT", "CH", "2", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"ZSCORE", "z", "a"}), Bulk("2"));
  EXPECT_EQ(h.Raw({"ZADD", "z", "XX", "1", "zz"}), Int(0));
  EXPECT_EQ(h.Raw({"ZADD", "z", "NX", "100", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"ZADD", "nokey", "XX", "1", "a"}), Int(0));
  EXPECT_FALSE(Exists(h, "nokey"));
}

TEST(ZSetCommands, ZaddIncrAndZincrby) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"ZADD", "z", "INCR", "1.5", "a"}), Bulk("1.5"));
  EXPECT_EQ(h.Raw({"ZINCRBY", "z", "1", "a"}), Bulk("2.5"));
  EXPECT_EQ(h.Raw({"ZADD", "z", "NX", "INCR", "1", "a"}), kNull);
  EXPECT_EQ(h.Raw({"ZADD", "z", "GT", "INCR", "-1", "a"}), kNull);
  EXPECT_EQ(h.Raw({"ZINCRBY", "z", "x", "a"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.Raw({"ZINCRBY", "z", "inf", "a"}), Bulk("inf"));
  EXPECT_EQ(h.Raw({"ZINCRBY", "z", "-inf", "a"}), "-ERR resulting score is not a number (NaN)\r\n");
  EXPECT_EQ(h.Raw({"ZADD", "nokey", "XX", "INCR", "1", "a"}), kNull);
}

TEST(ZSetCommands, ScoresUseSeventeenDigitsAndRespThreeDoubles) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1.1", "a", "2", "b"});
  EXPECT_EQ(h.Raw({"ZSCORE", "z", "a"}), Bulk("1.1000000000000001"));
  h.session().proto = 3;
  EXPECT_EQ(h.Raw({"ZSCORE", "z", "a"}), ",1.1000000000000001\r\n");
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            "*2\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(h.Raw({"ZSCORE", "z", "nope"}), "_\r\n");
  EXPECT_EQ(h.Raw({"ZMSCORE", "z", "b", "nope"}), "*2\r\n,2\r\n_\r\n");
}

TEST(ZSetCommands, WrongTypeIsReportedByEveryCommand) {
  ServiceHarness h;
  PutString(h, "str");
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"ZADD", "str", "1", "a"},
                                                               {"ZINCRBY", "str", "1", "a"},
                                                               {"ZREM", "str", "a"},
                                                               {"ZSCORE", "str", "a"},
                                                               {"ZMSCORE", "str", "a"},
                                                               {"ZCARD", "str"},
                                                               {"ZCOUNT", "str", "0", "1"},
                                                               {"ZLEXCOUNT", "str", "-", "+"},
                                                               {"ZRANK", "str", "a"},
                                                               {"ZRANGE", "str", "0", "1"},
                                                               {"ZRANGEBYSCORE", "str", "0", "1"},
                                                               {"ZPOPMIN", "str"},
                                                               {"ZPOPMAX", "str", "2"},
                                                               {"ZREMRANGEBYRANK", "str", "0", "1"},
                                                               {"ZSCAN", "str", "0"},
                                                               {"ZRANDMEMBER", "str"},
                                                               {"ZUNIONSTORE", "d", "1", "str"},
                                                               {"ZINTER", "1", "str"},
                                                               {"BZPOPMIN", "str", "0"}}) {
    EXPECT_EQ(h.Raw(cmd), kWrongType) << cmd[0];
  }
}

TEST(ZSetCommands, ListpackConvertsToSkiplistBySizeOrMemberLength) {
  ServiceHarness h;
  h.config().zset_max_listpack_entries = 3;
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(EncodingOf(h, "z"), Encoding::kListpack);
  h.Raw({"ZADD", "z", "4", "d"});
  EXPECT_EQ(EncodingOf(h, "z"), Encoding::kSkiplist);
  h.Raw({"ZREM", "z", "d", "c"});
  EXPECT_EQ(EncodingOf(h, "z"), Encoding::kSkiplist);  // never converts back
  h.Raw({"ZADD", "long", "1", std::string(65, 'x')});
  EXPECT_EQ(EncodingOf(h, "long"), Encoding::kSkiplist);
  h.Raw({"ZADD", "ok", "1", std::string(64, 'x')});
  EXPECT_EQ(EncodingOf(h, "ok"), Encoding::kListpack);
}

TEST(ZSetCommands, NegativeZeroSurvivesOnlyInASkiplist) {
  ServiceHarness h;
  h.Raw({"ZADD", "l", "-0", "a"});
  EXPECT_EQ(h.Raw({"ZSCORE", "l", "a"}), Bulk("0"));
  h.Raw({"ZADD", "s", "-0", std::string(70, 'x')});
  EXPECT_EQ(h.Raw({"ZSCORE", "s", std::string(70, 'x')}), Bulk("-0"));
}

TEST(ZSetCommands, ZremDeletesTheKeyWhenEmpty) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(h.Raw({"ZREM", "z", "a", "nope"}), Int(1));
  EXPECT_EQ(h.Raw({"ZREM", "z", "b", "a"}), Int(1));
  EXPECT_FALSE(Exists(h, "z"));
  EXPECT_EQ(h.Raw({"ZREM", "z", "b"}), Int(0));
}

TEST(ZSetCommands, ZcountAndZlexcountWithExclusiveBoundsAndInfinities) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "-inf", "+inf"}), Int(4));
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "(1", "3"}), Int(2));
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "(1", "(3"}), Int(1));
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "(2", "(2"}), Int(0));
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "5", "1"}), Int(0));
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "x", "1"}), "-ERR min or max is not a float\r\n");
  EXPECT_EQ(h.Raw({"ZCOUNT", "nokey", "x", "1"}), "-ERR min or max is not a float\r\n");
  h.Raw({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"});
  EXPECT_EQ(h.Raw({"ZLEXCOUNT", "l", "-", "+"}), Int(4));
  EXPECT_EQ(h.Raw({"ZLEXCOUNT", "l", "[b", "(d"}), Int(2));
  EXPECT_EQ(h.Raw({"ZLEXCOUNT", "l", "(a", "[a"}), Int(0));
  EXPECT_EQ(h.Raw({"ZLEXCOUNT", "l", "-", "-"}), Int(0));
  EXPECT_EQ(h.Raw({"ZLEXCOUNT", "l", "a", "+"}), "-ERR min or max not valid string range item\r\n");
}

TEST(ZSetCommands, ZrangeByScoreLexRevAndLimit) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "(1", "3", "BYSCORE"}), BulkArr({"b", "c"}));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "3", "(1", "BYSCORE", "REV"}), BulkArr({"c", "b"}));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"}),
            BulkArr({"b", "c"}));
  EXPECT_EQ(h.Raw({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1"}),
            BulkArr({"b", "c", "d"}));
  EXPECT_EQ(h.Raw({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "9", "2"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"ZREVRANGEBYSCORE", "z", "+inf", "2", "WITHSCORES", "LIMIT", "0", "1"}),
            BulkArr({"d", "4"}));
  EXPECT_EQ(h.Raw({"ZREVRANGE", "z", "0", "1"}), BulkArr({"d", "c"}));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "-2", "100"}), BulkArr({"c", "d"}));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "3", "1"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "[b", "[c", "BYLEX"}), BulkArr({"b", "c"}));
  EXPECT_EQ(h.Raw({"ZRANGEBYLEX", "z", "-", "(c"}), BulkArr({"a", "b"}));
  EXPECT_EQ(h.Raw({"ZREVRANGEBYLEX", "z", "+", "(b", "LIMIT", "1", "5"}), BulkArr({"c"}));
  EXPECT_EQ(h.Raw({"ZRANGE", "nokey", "0", "-1"}), "*0\r\n");
}

TEST(ZSetCommands, ZrangeArgumentErrors) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a"});
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"}),
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX\r\n");
  EXPECT_EQ(h.Raw({"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"}),
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "-1", "REV", "REV"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZRANGEBYSCORE", "z", "0", "1", "REV"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "a", "1"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"ZRANGEBYSCORE", "z", "(", "x"}), "-ERR min or max is not a float\r\n");
  EXPECT_EQ(h.Raw({"ZRANGEBYLEX", "z", "a", "b"}),
            "-ERR min or max not valid string range item\r\n");
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "1", "LIMIT", "0"}), "-ERR syntax error\r\n");
}

TEST(ZSetCommands, ZrankAndZrevrank) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h.Raw({"ZRANK", "z", "c"}), Int(2));
  EXPECT_EQ(h.Raw({"ZREVRANK", "z", "c"}), Int(0));
  EXPECT_EQ(h.Raw({"ZRANK", "z", "x"}), kNull);
  EXPECT_EQ(h.Raw({"ZRANK", "nokey", "x"}), kNull);
}

TEST(ZSetCommands, ZrankStaysCorrectOnABigSkiplist) {
  ServiceHarness h;
  std::vector<std::string> cmd = {"ZADD", "z"};
  for (int i = 0; i < 2000; ++i) {
    cmd.push_back(std::to_string((i * 7919) % 2000));
    cmd.push_back("m" + std::to_string(i));
  }
  h.Raw(cmd);
  EXPECT_EQ(EncodingOf(h, "z"), Encoding::kSkiplist);
  for (int i = 0; i < 2000; i += 97) {
    int score = (i * 7919) % 2000;
    EXPECT_EQ(h.Raw({"ZRANK", "z", "m" + std::to_string(i)}), Int(score));
  }
  EXPECT_EQ(h.Raw({"ZREMRANGEBYRANK", "z", "0", "999"}), Int(1000));
  EXPECT_EQ(h.Raw({"ZRANGE", "z", "0", "0", "WITHSCORES"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(h.Raw({"ZCOUNT", "z", "1000", "1999"}), Int(1000));
}

TEST(ZSetCommands, ZpopminAndZpopmaxReplyShapes) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h.Raw({"ZPOPMIN", "z"}), BulkArr({"a", "1"}));
  EXPECT_EQ(p.log.back(), (std::vector<std::string>{"ZPOPMIN", "z"}));
  h.session().proto = 3;
  EXPECT_EQ(h.Raw({"ZPOPMAX", "z", "1"}), "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(h.Raw({"ZPOPMAX", "z", "5"}), "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_FALSE(Exists(h, "z"));
  EXPECT_EQ(h.Raw({"ZPOPMIN", "z"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"ZPOPMIN", "z", "-1"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(h.Raw({"ZPOPMIN", "z", "1", "2"}), "-ERR syntax error\r\n");
}

TEST(ZSetCommands, BzpopminServesAtOnceAndIsPropagatedAsZpopmin) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"ZADD", "z", "1", "a"});
  EXPECT_EQ(h.Raw({"BZPOPMIN", "nokey", "z", "0"}), BulkArr({"z", "a", "1"}));
  EXPECT_EQ(p.log.back(), (std::vector<std::string>{"ZPOPMIN", "z"}));
  EXPECT_EQ(h.Raw({"BZPOPMAX", "z", "x"}), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(h.Raw({"BZPOPMAX", "z", "-1"}), "-ERR timeout is negative\r\n");
}

TEST(ZSetCommands, BzpopmaxBlocksUntilAnAddAndTimesOutWithNullArray) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  datanode::Session& other = h.NewSession();
  EXPECT_EQ(h.Raw({"BZPOPMAX", "z", "0"}, &other), "");
  h.Raw({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(h.TakeOutput(other), BulkArr({"z", "b", "2"}));
  EXPECT_EQ(p.log.back(), (std::vector<std::string>{"ZPOPMAX", "z"}));
  EXPECT_EQ(h.Raw({"BZPOPMIN", "empty", "1"}, &other), "");
  h.AdvanceMs(1500);
  EXPECT_EQ(h.TakeOutput(other), "*-1\r\n");
}

TEST(ZSetCommands, ZremrangeByRankScoreLex) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(h.Raw({"ZREMRANGEBYRANK", "z", "-2", "-1"}), Int(2));
  EXPECT_EQ(h.Raw({"ZREMRANGEBYRANK", "z", "5", "10"}), Int(0));
  EXPECT_EQ(h.Raw({"ZREMRANGEBYSCORE", "z", "(1", "+inf"}), Int(2));
  EXPECT_EQ(h.Raw({"ZREMRANGEBYLEX", "z", "-", "+"}), Int(1));
  EXPECT_FALSE(Exists(h, "z"));
  EXPECT_EQ(h.Raw({"ZREMRANGEBYRANK", "z", "x", "1"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"ZREMRANGEBYSCORE", "z", "x", "1"}), "-ERR min or max is not a float\r\n");
  EXPECT_EQ(h.Raw({"ZREMRANGEBYLEX", "z", "x", "1"}),
            "-ERR min or max not valid string range item\r\n");
}

TEST(ZSetCommands, ZunionstoreAndZinterstoreWithWeightsAggregateAndSets) {
  ServiceHarness h;
  h.Raw({"ZADD", "a", "1", "x", "2", "y"});
  h.Raw({"ZADD", "b", "10", "y", "20", "z"});
  h.Raw({"SADD", "s", "y", "w"});
  EXPECT_EQ(h.Raw({"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "1"}), Int(3));
  EXPECT_EQ(h.Raw({"ZRANGE", "d", "0", "-1", "WITHSCORES"}),
            BulkArr({"x", "2", "y", "14", "z", "20"}));
  EXPECT_EQ(h.Raw({"ZINTERSTORE", "d", "3", "a", "b", "s", "AGGREGATE", "MAX"}), Int(1));
  EXPECT_EQ(h.Raw({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), BulkArr({"y", "10"}));
  EXPECT_EQ(h.Raw({"ZINTERSTORE", "d", "2", "a", "s", "AGGREGATE", "MIN"}), Int(1));
  EXPECT_EQ(h.Raw({"ZSCORE", "d", "y"}), Bulk("1"));
  EXPECT_EQ(h.Raw({"ZINTERSTORE", "d", "2", "a", "nokey"}), Int(0));
  EXPECT_FALSE(Exists(h, "d"));
  EXPECT_EQ(h.Raw({"ZUNIONSTORE", "d", "0", "a"}),
            "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
  EXPECT_EQ(h.Raw({"ZUNIONSTORE", "d", "3", "a"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZUNIONSTORE", "d", "1", "a", "WEIGHTS", "x"}),
            "-ERR weight value is not a float\r\n");
  EXPECT_EQ(h.Raw({"ZUNIONSTORE", "d", "1", "a", "AGGREGATE", "avg"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZUNIONSTORE", "d", "1", "a", "WITHSCORES"}), "-ERR syntax error\r\n");
}

TEST(ZSetCommands, StoreResultsChooseTheirEncodingBySize) {
  ServiceHarness h;
  h.config().zset_max_listpack_entries = 2;
  h.Raw({"ZADD", "big", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(EncodingOf(h, "big"), Encoding::kSkiplist);
  h.Raw({"ZINTERSTORE", "d", "1", "big", "WEIGHTS", "1"});
  EXPECT_EQ(EncodingOf(h, "d"), Encoding::kSkiplist);
  h.Raw({"ZRANGESTORE", "d", "big", "0", "1"});
  EXPECT_EQ(EncodingOf(h, "d"), Encoding::kListpack);
  h.Raw({"ZDIFFSTORE", "d", "1", "big"});
  EXPECT_EQ(EncodingOf(h, "d"), Encoding::kSkiplist);
}

TEST(ZSetCommands, ZunionZinterZdiffReplies) {
  ServiceHarness h;
  h.Raw({"ZADD", "a", "1", "x", "2", "y"});
  h.Raw({"ZADD", "b", "3", "y"});
  EXPECT_EQ(h.Raw({"ZUNION", "2", "a", "b", "WITHSCORES"}), BulkArr({"x", "1", "y", "5"}));
  EXPECT_EQ(h.Raw({"ZINTER", "2", "a", "b"}), BulkArr({"y"}));
  EXPECT_EQ(h.Raw({"ZDIFF", "2", "a", "b", "WITHSCORES"}), BulkArr({"x", "1"}));
  EXPECT_EQ(h.Raw({"ZDIFF", "1", "a", "WEIGHTS", "1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZINTERCARD", "2", "a", "b"}), Int(1));
  h.session().proto = 3;
  EXPECT_EQ(h.Raw({"ZINTER", "2", "a", "b", "WITHSCORES"}), "*1\r\n*2\r\n$1\r\ny\r\n,5\r\n");
}

TEST(ZSetCommands, ZrangestoreOverwritesAndDeletesTheDestination) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  PutString(h, "d");
  EXPECT_EQ(h.Raw({"ZRANGESTORE", "d", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"}), Int(1));
  EXPECT_EQ(h.Raw({"ZRANGE", "d", "0", "-1"}), BulkArr({"b"}));
  EXPECT_EQ(h.Raw({"ZRANGESTORE", "d", "z", "5", "6"}), Int(0));
  EXPECT_FALSE(Exists(h, "d"));
  EXPECT_EQ(h.Raw({"ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES"}), "-ERR syntax error\r\n");
}

TEST(ZSetCommands, ZscanReturnsMembersWithScoreText) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "0.1", "a", "1e20", "b"});
  EXPECT_EQ(h.Raw({"ZSCAN", "z", "0"}),
            Arr({Bulk("0"), BulkArr({"a", "0.10000000000000001", "b", "1e+20"})}));
  EXPECT_EQ(h.Raw({"ZSCAN", "z", "0", "MATCH", "b"}), Arr({Bulk("0"), BulkArr({"b", "1e+20"})}));
  EXPECT_EQ(h.Raw({"ZSCAN", "nokey", "0"}), Arr({Bulk("0"), "*0\r\n"}));
  EXPECT_EQ(h.Raw({"ZSCAN", "z", "x"}), "-ERR invalid cursor\r\n");
}

TEST(ZSetCommands, ZrandmemberCountsAndErrors) {
  ServiceHarness h;
  h.Raw({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(h.Raw({"ZRANDMEMBER", "z", "5", "WITHSCORES"}), BulkArr({"a", "1", "b", "2"}));
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "-5"}).elements.size(), 5u);
  EXPECT_EQ(h.Raw({"ZRANDMEMBER", "nokey", "5"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"ZRANDMEMBER", "nokey"}), kNull);
  EXPECT_EQ(h.Raw({"ZRANDMEMBER", "z", "1", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"}),
            "-ERR value is out of range\r\n");
}

TEST(ZSetCommands, CopyOfASortedSetIsIndependent) {
  ZSetValue a;
  a.Set("x", 1, 128, 64);
  a.Set("y", 2, 128, 64);
  ZSetValue b = a;
  b.Remove("x");
  double s = 0;
  EXPECT_TRUE(a.Score("x", &s));
  EXPECT_FALSE(b.Score("x", &s));
  EXPECT_EQ(b.Rank("y"), 0);
  EXPECT_EQ(a.Rank("y"), 1);
}

}  // namespace
}  // namespace vigil::datanode
