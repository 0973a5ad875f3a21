#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "datanode/store/entry.h"
#include "datanode/store/set_value.h"
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
std::vector<std::string> Sorted(const resp::Value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SetCommands, SaddCountsOnlyNewMembersAndSmembersIsSortedForIntsets) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"SADD", "s", "3", "1", "2", "1"}), Int(3));
  EXPECT_EQ(h.Raw({"SADD", "s", "2", "4"}), Int(1));
  EXPECT_EQ(h.Raw({"SMEMBERS", "s"}), BulkArr({"1", "2", "3", "4"}));
  EXPECT_EQ(EncodingOf(h, "s"), Encoding::kIntset);
  EXPECT_EQ(h.Raw({"SCARD", "s"}), Int(4));
  EXPECT_EQ(h.Raw({"SCARD", "nokey"}), Int(0));
}

TEST(SetCommands, SmembersIsARespThreeSet) {
  ServiceHarness h;
  h.session().proto = 3;
  h.Raw({"SADD", "s", "2", "1"});
  EXPECT_EQ(h.Raw({"SMEMBERS", "s"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.Raw({"SMEMBERS", "nokey"}), "~0\r\n");
  EXPECT_EQ(h.Raw({"SPOP", "nokey", "3"}), "~0\r\n");
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "nokey", "3"}), "*0\r\n");
}

TEST(SetCommands, NonIntegerOrTooManyMembersConvertToHashtable) {
  ServiceHarness h;
  h.Raw({"SADD", "a", "1", "2"});
  h.Raw({"SADD", "a", "x"});
  EXPECT_EQ(EncodingOf(h, "a"), Encoding::kHashtable);
  h.Raw({"SADD", "b", "01"});  // not canonical
  EXPECT_EQ(EncodingOf(h, "b"), Encoding::kHashtable);
  h.config().set_max_intset_entries = 3;
  h.Raw({"SADD", "c", "1", "2", "3"});
  EXPECT_EQ(EncodingOf(h, "c"), Encoding::kIntset);
  h.Raw({"SADD", "c", "4"});
  EXPECT_EQ(EncodingOf(h, "c"), Encoding::kHashtable);
  h.Raw({"SREM", "c", "4", "3"});
  EXPECT_EQ(EncodingOf(h, "c"), Encoding::kHashtable);  // never converts back
}

TEST(SetCommands, WrongTypeIsReportedByEveryCommand) {
  ServiceHarness h;
  PutString(h, "str");
  h.Raw({"SADD", "s", "a"});
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"SADD", "str", "a"},
                                                               {"SREM", "str", "a"},
                                                               {"SMEMBERS", "str"},
                                                               {"SISMEMBER", "str", "a"},
                                                               {"SMISMEMBER", "str", "a"},
                                                               {"SCARD", "str"},
                                                               {"SPOP", "str"},
                                                               {"SPOP", "str", "2"},
                                                               {"SRANDMEMBER", "str"},
                                                               {"SRANDMEMBER", "str", "2"},
                                                               {"SMOVE", "s", "str", "a"},
                                                               {"SINTER", "nokey", "str"},
                                                               {"SUNION", "s", "str"},
                                                               {"SDIFF", "s", "str"},
                                                               {"SINTERSTORE", "d", "s", "str"},
                                                               {"SINTERCARD", "2", "nokey", "str"},
                                                               {"SSCAN", "str", "0"}}) {
    EXPECT_EQ(h.Raw(cmd), kWrongType) << cmd[0];
  }
  // A missing source answers 0 before the destination's type is looked at.
  EXPECT_EQ(h.Raw({"SMOVE", "nokey", "str", "a"}), Int(0));
}

TEST(SetCommands, SremDeletesTheKeyWhenEmpty) {
  ServiceHarness h;
  h.Raw({"SADD", "s", "a", "b"});
  EXPECT_EQ(h.Raw({"SREM", "s", "a", "zz"}), Int(1));
  EXPECT_EQ(h.Raw({"SREM", "s", "b"}), Int(1));
  EXPECT_FALSE(Exists(h, "s"));
  EXPECT_EQ(h.Raw({"SREM", "s", "b"}), Int(0));
}

TEST(SetCommands, SismemberAndSmismember) {
  ServiceHarness h;
  h.Raw({"SADD", "s", "a", "1"});
  EXPECT_EQ(h.Raw({"SISMEMBER", "s", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"SISMEMBER", "s", "b"}), Int(0));
  EXPECT_EQ(h.Raw({"SISMEMBER", "nokey", "b"}), Int(0));
  EXPECT_EQ(h.Raw({"SMISMEMBER", "s", "1", "b"}), Arr({Int(1), Int(0)}));
  EXPECT_EQ(h.Raw({"SMISMEMBER", "nokey", "1"}), Arr({Int(0)}));
}

TEST(SetCommands, SpopWithoutCountIsPropagatedAsSrem) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"SADD", "s", "7"});
  EXPECT_EQ(h.Raw({"SPOP", "s"}), Bulk("7"));
  EXPECT_FALSE(Exists(h, "s"));
  ASSERT_EQ(p.log.size(), 2u);
  EXPECT_EQ(p.log[1], (std::vector<std::string>{"SREM", "s", "7"}));
  EXPECT_EQ(h.Raw({"SPOP", "s"}), "$-1\r\n");
  EXPECT_EQ(p.log.size(), 2u);
}

TEST(SetCommands, SpopWithCountPropagatesTheRemovedMembers) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  resp::Value v = h.Run({"SPOP", "s", "2"});
  ASSERT_EQ(v.elements.size(), 2u);
  ASSERT_EQ(p.log.size(), 2u);
  EXPECT_EQ(p.log[1].size(), 4u);
  EXPECT_EQ(p.log[1][0], "SREM");
  std::vector<std::string> propagated(p.log[1].begin() + 2, p.log[1].end());
  std::sort(propagated.begin(), propagated.end());
  EXPECT_EQ(Sorted(v), propagated);
  EXPECT_EQ(h.Raw({"SCARD", "s"}), Int(8));
  // Most of the set: the remaining members move to a fresh set.
  v = h.Run({"SPOP", "s", "7"});
  EXPECT_EQ(v.elements.size(), 7u);
  EXPECT_EQ(p.log.back().size(), 9u);
  EXPECT_EQ(h.Raw({"SCARD", "s"}), Int(1));
  // All of it: a DEL.
  v = h.Run({"SPOP", "s", "5"});
  EXPECT_EQ(v.elements.size(), 1u);
  EXPECT_EQ(p.log.back(), (std::vector<std::string>{"DEL", "s"}));
  EXPECT_FALSE(Exists(h, "s"));
}

TEST(SetCommands, SpopThatKeepsFewIntegersTurnsBackIntoAnIntset) {
  ServiceHarness h;
  // Pop until only integers can be left: pop 11 of 12 (remaining 1 member).
  for (int attempt = 0; attempt < 20; ++attempt) {
    h.service().keyspace().db(0).Delete("s");
    h.Raw({"SADD", "s", "a", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"});
    h.Raw({"SPOP", "s", "11"});
    if (h.Raw({"SISMEMBER", "s", "a"}) == Int(0)) {
      EXPECT_EQ(EncodingOf(h, "s"), Encoding::kIntset);
      return;
    }
    EXPECT_EQ(EncodingOf(h, "s"), Encoding::kHashtable);
  }
}

TEST(SetCommands, SpopAndSrandmemberArgumentErrors) {
  ServiceHarness h;
  h.Raw({"SADD", "s", "a"});
  EXPECT_EQ(h.Raw({"SPOP", "s", "-1"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(h.Raw({"SPOP", "s", "x"}), "-ERR value is out of range, must be positive\r\n");
  EXPECT_EQ(h.Raw({"SPOP", "s", "1", "2"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"SPOP", "s", "0"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "s", "x"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "s", "-9223372036854775808"}),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807\r\n");
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "s", "1", "2"}), "-ERR syntax error\r\n");
}

TEST(SetCommands, SrandmemberCounts) {
  ServiceHarness h;
  h.Raw({"SADD", "s", "1", "2", "3"});
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "s", "10"}), BulkArr({"1", "2", "3"}));
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "s", "0"}), "*0\r\n");
  resp::Value v = h.Run({"SRANDMEMBER", "s", "2"});
  ASSERT_EQ(v.elements.size(), 2u);
  EXPECT_NE(v.elements[0].str, v.elements[1].str);
  v = h.Run({"SRANDMEMBER", "s", "-7"});
  EXPECT_EQ(v.elements.size(), 7u);
  EXPECT_EQ(h.Raw({"SRANDMEMBER", "nokey"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"SCARD", "s"}), Int(3));
}

TEST(SetCommands, SmoveMovesAndCreatesTheDestination) {
  ServiceHarness h;
  h.Raw({"SADD", "src", "a", "b"});
  EXPECT_EQ(h.Raw({"SMOVE", "src", "dst", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"SMOVE", "src", "dst", "zz"}), Int(0));
  EXPECT_EQ(h.Raw({"SMOVE", "src", "src", "b"}), Int(1));
  EXPECT_EQ(h.Raw({"SMOVE", "src", "dst", "b"}), Int(1));
  EXPECT_FALSE(Exists(h, "src"));
  EXPECT_EQ(Sorted(h.Run({"SMEMBERS", "dst"})), (std::vector<std::string>{"a", "b"}));
}

TEST(SetCommands, InterUnionDiff) {
  ServiceHarness h;
  h.Raw({"SADD", "a", "1", "2", "3", "4"});
  h.Raw({"SADD", "b", "3", "4", "5"});
  h.Raw({"SADD", "c", "x", "4"});
  EXPECT_EQ(h.Raw({"SINTER", "a", "b"}), BulkArr({"3", "4"}));
  EXPECT_EQ(h.Raw({"SINTER", "a", "nokey"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"SUNION", "a", "b"}), BulkArr({"1", "2", "3", "4", "5"}));
  EXPECT_EQ(h.Raw({"SDIFF", "a", "b"}), BulkArr({"1", "2"}));
  EXPECT_EQ(h.Raw({"SDIFF", "a", "a"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"SDIFF", "nokey", "a"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"SINTER", "a", "b", "c"}), BulkArr({"4"}));
  EXPECT_EQ(Sorted(h.Run({"SUNION", "c", "b"})), (std::vector<std::string>{"3", "4", "5", "x"}));
}

TEST(SetCommands, StoreCommandsOverwriteOrDeleteTheDestination) {
  ServiceHarness h;
  h.Raw({"SADD", "a", "1", "2", "3"});
  h.Raw({"SADD", "b", "3", "x"});
  PutString(h, "d");
  EXPECT_EQ(h.Raw({"SINTERSTORE", "d", "a", "b"}), Int(1));
  EXPECT_EQ(h.Raw({"SMEMBERS", "d"}), BulkArr({"3"}));
  EXPECT_EQ(EncodingOf(h, "d"), Encoding::kIntset);
  EXPECT_EQ(h.Raw({"SUNIONSTORE", "d", "a", "b"}), Int(4));
  EXPECT_EQ(EncodingOf(h, "d"), Encoding::kHashtable);
  EXPECT_EQ(h.Raw({"SDIFFSTORE", "d", "a", "b"}), Int(2));
  EXPECT_EQ(h.Raw({"SMEMBERS", "d"}), BulkArr({"1", "2"}));
  EXPECT_EQ(h.Raw({"SINTERSTORE", "d", "a", "nokey"}), Int(0));
  EXPECT_FALSE(Exists(h, "d"));
  EXPECT_EQ(h.Raw({"SDIFFSTORE", "d", "a", "a"}), Int(0));
}

TEST(SetCommands, SintercardLimitAndErrors) {
  ServiceHarness h;
  h.Raw({"SADD", "a", "1", "2", "3"});
  h.Raw({"SADD", "b", "1", "2", "3", "4"});
  EXPECT_EQ(h.Raw({"SINTERCARD", "2", "a", "b"}), Int(3));
  EXPECT_EQ(h.Raw({"SINTERCARD", "2", "a", "b", "LIMIT", "2"}), Int(2));
  EXPECT_EQ(h.Raw({"SINTERCARD", "2", "a", "b", "LIMIT", "0"}), Int(3));
  EXPECT_EQ(h.Raw({"SINTERCARD", "2", "a", "nokey"}), Int(0));
  EXPECT_EQ(h.Raw({"SINTERCARD", "0", "a"}), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(h.Raw({"SINTERCARD", "x", "a"}), "-ERR numkeys should be greater than 0\r\n");
  EXPECT_EQ(h.Raw({"SINTERCARD", "3", "a", "b"}),
            "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(h.Raw({"SINTERCARD", "1", "a", "LIMIT", "-1"}), "-ERR LIMIT can't be negative\r\n");
  EXPECT_EQ(h.Raw({"SINTERCARD", "1", "a", "LIMIT"}), "-ERR syntax error\r\n");
}

TEST(SetCommands, SscanReturnsWholeIntsetWithCursorZero) {
  ServiceHarness h;
  h.Raw({"SADD", "s", "3", "1", "2"});
  EXPECT_EQ(h.Raw({"SSCAN", "s", "0", "COUNT", "1"}), Arr({Bulk("0"), BulkArr({"1", "2", "3"})}));
  EXPECT_EQ(h.Raw({"SSCAN", "s", "0", "MATCH", "2*"}), Arr({Bulk("0"), BulkArr({"2"})}));
  EXPECT_EQ(h.Raw({"SSCAN", "nokey", "0"}), Arr({Bulk("0"), "*0\r\n"}));
  EXPECT_EQ(h.Raw({"SSCAN", "s", "abc"}), "-ERR invalid cursor\r\n");
  EXPECT_EQ(h.Raw({"SSCAN", "s", "0", "COUNT", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"SSCAN", "s", "0", "COUNT", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"SSCAN", "s", "0", "TYPE", "set"}), "-ERR syntax error\r\n");
}

TEST(SetCommands, SscanOverAHashtableVisitsEveryMemberOnce) {
  ServiceHarness h;
  std::vector<std::string> cmd = {"SADD", "s"};
  for (int i = 0; i < 100; ++i) cmd.push_back("m" + std::to_string(i));
  h.Raw(cmd);
  std::vector<std::string> seen;
  std::string cursor = "0";
  int rounds = 0;
  do {
    resp::Value v = h.Run({"SSCAN", "s", cursor, "COUNT", "7"});
    cursor = v.elements[0].str;
    for (const auto& e : v.elements[1].elements) seen.push_back(e.str);
    ++rounds;
  } while (cursor != "0" && rounds < 1000);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST(SetCommands, CopyOfAHashtableSetIsIndependent) {
  SetValue a;
  a.Add("x", 512);
  a.Add("y", 512);
  SetValue b = a;
  b.Remove("x");
  EXPECT_TRUE(a.Contains("x"));
  EXPECT_FALSE(b.Contains("x"));
  EXPECT_EQ(b.MemberAt(0), "y");
}

}  // namespace
}  // namespace vigil::datanode
