// Unit tests of the HASH family against the in-process Service; expected bytes were checked
// against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/resp/value.h"
#include "datanode/store/hash_value.h"
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

Entry* Find(ServiceHarness& h, const std::string& key) {
  return h.service().keyspace().db(0).Find(key);
}

Encoding EncodingOf(ServiceHarness& h, const std::string& key) {
  return Find(h, key)->encoding();
}

// Extracts the bulk strings of a flat array reply.
std::vector<std::string> Strings(const resp::Value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.elements) out.push_back(e.str);
  return out;
}

TEST(HashCommands, SetGetAndInsertionOrder) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hset", "h", "b", "1", "a", "2"}), Int(2));
  EXPECT_EQ(h.Raw({"hset", "h", "b", "3", "c", "4"}), Int(1));
  EXPECT_EQ(h.Raw({"hget", "h", "b"}), Bulk("3"));
  EXPECT_EQ(h.Raw({"hget", "h", "zz"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"hget", "missing", "a"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"hgetall", "h"}), BulkArr({"b", "3", "a", "2", "c", "4"}));
  EXPECT_EQ(h.Raw({"hkeys", "h"}), BulkArr({"b", "a", "c"}));
  EXPECT_EQ(h.Raw({"hvals", "h"}), BulkArr({"3", "2", "4"}));
  EXPECT_EQ(h.Raw({"hlen", "h"}), Int(3));
  EXPECT_EQ(h.Raw({"hmset", "h", "d", "5"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"hmget", "h", "d", "nope", "a"}), Arr({Bulk("5"), "$-1\r\n", Bulk("2")}));
  EXPECT_EQ(h.Raw({"hmget", "missing", "a", "b"}), Arr({"$-1\r\n", "$-1\r\n"}));
}

TEST(HashCommands, MissingKeyReplies) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hgetall", "m"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"hkeys", "m"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"hlen", "m"}), Int(0));
  EXPECT_EQ(h.Raw({"hexists", "m", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"hstrlen", "m", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"hdel", "m", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"hscan", "m", "0"}), Arr({Bulk("0"), "*0\r\n"}));
  EXPECT_EQ(h.Raw({"hscan", "m", "0", "count", "0"}), Arr({Bulk("0"), "*0\r\n"}));
  EXPECT_EQ(h.Raw({"hrandfield", "m"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"hrandfield", "m", "3"}), "*0\r\n");
}

TEST(HashCommands, Resp3ShapesForMapsAndNulls) {
  ServiceHarness h;
  h.session().proto = 3;
  EXPECT_EQ(h.Raw({"hgetall", "m"}), "%0\r\n");
  EXPECT_EQ(h.Raw({"hmget", "m", "a"}), "*1\r\n_\r\n");
  h.Raw({"hset", "h", "a", "1", "b", "2"});
  EXPECT_EQ(h.Raw({"hgetall", "h"}), "%2\r\n" + Bulk("a") + Bulk("1") + Bulk("b") + Bulk("2"));
  EXPECT_EQ(h.Raw({"hscan", "h", "0"}), Arr({Bulk("0"), BulkArr({"a", "1", "b", "2"})}));
  EXPECT_EQ(h.Raw({"hrandfield", "h", "2", "withvalues"}),
            Arr({BulkArr({"a", "1"}), BulkArr({"b", "2"})}));
  EXPECT_EQ(h.Raw({"hget", "h", "zz"}), "_\r\n");
}

TEST(HashCommands, WrongTypeIsRejectedByEveryCommand) {
  ServiceHarness h;
  h.service().keyspace().db(0).Add(Entry::NewString("s", "v"));
  const std::vector<std::vector<std::string>> cmds = {{"hset", "s", "a", "1"},
                                                      {"hmset", "s", "a", "1"},
                                                      {"hsetnx", "s", "a", "1"},
                                                      {"hget", "s", "a"},
                                                      {"hmget", "s", "a"},
                                                      {"hdel", "s", "a"},
                                                      {"hlen", "s"},
                                                      {"hexists", "s", "a"},
                                                      {"hgetall", "s"},
                                                      {"hkeys", "s"},
                                                      {"hvals", "s"},
                                                      {"hincrby", "s", "a", "1"},
                                                      {"hincrbyfloat", "s", "a", "1"},
                                                      {"hstrlen", "s", "a"},
                                                      {"hscan", "s", "0"},
                                                      {"hrandfield", "s"},
                                                      {"hrandfield", "s", "2"},
                                                      {"hrandfield", "s", "0"}};
  for (const auto& c : cmds) EXPECT_EQ(h.Raw(c), kWrongType) << c[0];
}

TEST(HashCommands, OddFieldValueCountIsAnArityError) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hset", "h", "a", "1", "b"}),
            "-ERR wrong number of arguments for 'hset' command\r\n");
  EXPECT_EQ(h.Raw({"HMSET", "h", "a", "1", "b"}),
            "-ERR wrong number of arguments for 'hmset' command\r\n");
  EXPECT_EQ(h.Raw({"hset", "h", "a"}), "-ERR wrong number of arguments for 'hset' command\r\n");
  EXPECT_EQ(Find(h, "h"), nullptr);
}

TEST(HashCommands, SetnxExistsStrlenDel) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hsetnx", "h", "a", "hello"}), Int(1));
  EXPECT_EQ(h.Raw({"hsetnx", "h", "a", "other"}), Int(0));
  EXPECT_EQ(h.Raw({"hget", "h", "a"}), Bulk("hello"));
  EXPECT_EQ(h.Raw({"hexists", "h", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"hexists", "h", "b"}), Int(0));
  EXPECT_EQ(h.Raw({"hstrlen", "h", "a"}), Int(5));
  h.Raw({"hset", "h", "b", "1", "c", "2"});
  EXPECT_EQ(h.Raw({"hdel", "h", "a", "zz", "b"}), Int(2));
  EXPECT_EQ(h.Raw({"hkeys", "h"}), BulkArr({"c"}));
  EXPECT_EQ(h.Raw({"hdel", "h", "c", "c"}), Int(1));
  EXPECT_EQ(Find(h, "h"), nullptr);
}

TEST(HashCommands, HincrbyParsesStrictlyAndDetectsOverflow) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hincrby", "h", "n", "5"}), Int(5));
  EXPECT_EQ(h.Raw({"hincrby", "h", "n", "-7"}), Int(-2));
  EXPECT_EQ(h.Raw({"hincrby", "h", "n", "01"}), kNotInt);
  EXPECT_EQ(h.Raw({"hincrby", "h", "n", "x"}), kNotInt);
  EXPECT_EQ(h.Raw({"hincrby", "missing", "n", "x"}), kNotInt);
  EXPECT_EQ(Find(h, "missing"), nullptr);
  h.Raw({"hset", "h", "s", "abc", "sp", " 1", "big", "9223372036854775807"});
  EXPECT_EQ(h.Raw({"hincrby", "h", "s", "1"}), "-ERR hash value is not an integer\r\n");
  EXPECT_EQ(h.Raw({"hincrby", "h", "sp", "1"}), "-ERR hash value is not an integer\r\n");
  EXPECT_EQ(h.Raw({"hincrby", "h", "big", "1"}), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(h.Raw({"hincrby", "h", "big", "-9223372036854775807"}), Int(0));
}

TEST(HashCommands, HincrbyfloatFormatsLikeRedis) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "f", "1.10"}), Bulk("1.1"));
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "f", "5.0e3"}),
            Bulk("5001.10000000000000009"));  // as 7.0.15 prints it
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "f", "-5001.1"}), Bulk("0"));
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "g", "01"}), Bulk("1"));
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "f", "abc"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "f", "inf"}), "-ERR value is NaN or Infinity\r\n");
  h.Raw({"hset", "h", "s", "abc", "max", "1e4932"});
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "s", "1"}), "-ERR hash value is not a float\r\n");
  h.Raw({"hset", "h", "max", "1.1e4932"});
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "max", "1.1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
}

TEST(HashCommands, HincrbyfloatPropagatesAsHsetWithResult) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"hincrbyfloat", "h", "f", "0.5"});
  h.Raw({"hincrbyfloat", "h", "f", "x"});
  h.Raw({"hset", "h", "a", "1"});
  h.Raw({"hdel", "h", "nope"});
  const std::vector<std::vector<std::string>> want = {{"HSET", "h", "f", "0.5"},
                                                      {"hset", "h", "a", "1"}};
  EXPECT_EQ(p.log, want);
  h.service().set_propagator(nullptr);
}

TEST(HashCommands, ConvertsToHashtableOnTooManyEntriesAndNeverBack) {
  ServiceHarness h;
  h.config().hash_max_listpack_entries = 4;
  h.Raw({"hset", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
  EXPECT_EQ(EncodingOf(h, "h"), Encoding::kListpack);
  h.Raw({"hset", "h", "e", "5"});
  EXPECT_EQ(EncodingOf(h, "h"), Encoding::kHashtable);
  h.Raw({"hdel", "h", "a", "b", "c", "d"});
  EXPECT_EQ(EncodingOf(h, "h"), Encoding::kHashtable);
  EXPECT_EQ(h.Raw({"hgetall", "h"}), BulkArr({"e", "5"}));
}

TEST(HashCommands, ConvertsToHashtableOnLongFieldOrValue) {
  ServiceHarness h;
  const std::string v64(64, 'x'), v65(65, 'x');
  h.Raw({"hset", "a", "f", v64});
  EXPECT_EQ(EncodingOf(h, "a"), Encoding::kListpack);
  h.Raw({"hset", "a", "f", v65});
  EXPECT_EQ(EncodingOf(h, "a"), Encoding::kHashtable);
  h.Raw({"hsetnx", "b", v65, "1"});
  EXPECT_EQ(EncodingOf(h, "b"), Encoding::kHashtable);
  h.Raw({"hincrby", "c", v65, "1"});
  EXPECT_EQ(EncodingOf(h, "c"), Encoding::kHashtable);
  // A float result longer than 64 bytes converts too (1e300 prints without an exponent).
  h.Raw({"hincrbyfloat", "d", "f", "1e300"});
  EXPECT_EQ(EncodingOf(h, "d"), Encoding::kHashtable);
  EXPECT_EQ(h.Raw({"hstrlen", "d", "f"}), Int(301));
}

TEST(HashCommands, HscanListpackReturnsEverythingWithCursorZero) {
  ServiceHarness h;
  h.Raw({"hset", "h", "k1", "a", "x", "b", "k2", "c"});
  EXPECT_EQ(h.Raw({"hscan", "h", "0", "count", "1"}),
            Arr({Bulk("0"), BulkArr({"k1", "a", "x", "b", "k2", "c"})}));
  EXPECT_EQ(h.Raw({"hscan", "h", "0", "MATCH", "k*"}),
            Arr({Bulk("0"), BulkArr({"k1", "a", "k2", "c"})}));
  EXPECT_EQ(h.Raw({"hscan", "h", "abc"}), "-ERR invalid cursor\r\n");
  EXPECT_EQ(h.Raw({"hscan", "h", "0", "count", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"hscan", "h", "0", "count", "x"}), kNotInt);
  EXPECT_EQ(h.Raw({"hscan", "h", "0", "match"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"hscan", "h", "0", "type", "string"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"hscan", "h", "-1"}).substr(0, 11), "*2\r\n$1\r\n0\r\n");
}

TEST(HashCommands, HscanHashtableVisitsEveryFieldAcrossResizes) {
  ServiceHarness h;
  h.config().hash_max_listpack_entries = 8;
  for (int i = 0; i < 200; ++i) h.Raw({"hset", "h", "f" + std::to_string(i), "v"});
  ASSERT_EQ(EncodingOf(h, "h"), Encoding::kHashtable);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0, added = 200;
  do {
    resp::Value v = h.Run({"hscan", "h", cursor, "count", "7"});
    ASSERT_EQ(v.elements.size(), 2u);
    cursor = v.elements[0].str;
    auto items = Strings(v.elements[1]);
    for (size_t i = 0; i < items.size(); i += 2) seen.insert(items[i]);
    // Grow (and later shrink) the table mid-scan; fields present throughout must still show.
    if (calls == 2) {
      for (int i = 0; i < 300; ++i) h.Raw({"hset", "h", "n" + std::to_string(added++), "v"});
    }
    if (calls == 6) {
      for (int i = 200; i < added; ++i) h.Raw({"hdel", "h", "n" + std::to_string(i)});
    }
    ++calls;
  } while (cursor != "0" && calls < 10000);
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(seen.count("f" + std::to_string(i))) << i;
  resp::Value m = h.Run({"hscan", "h", "0", "match", "f1?", "count", "1000"});
  EXPECT_EQ(m.elements[1].elements.size(), 20u);
}

TEST(HashCommands, HrandfieldShapesAndCounts) {
  ServiceHarness h;
  h.Raw({"hset", "h", "a", "1", "b", "2", "c", "3"});
  resp::Value one = h.Run({"hrandfield", "h"});
  EXPECT_TRUE(one.str == "a" || one.str == "b" || one.str == "c");
  EXPECT_EQ(h.Raw({"hrandfield", "h", "0"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"hrandfield", "h", "5", "withvalues"}), BulkArr({"a", "1", "b", "2", "c", "3"}));
  EXPECT_EQ(h.Run({"hrandfield", "h", "-7"}).elements.size(), 7u);
  EXPECT_EQ(h.Run({"hrandfield", "h", "-4", "WITHVALUES"}).elements.size(), 8u);
  std::vector<std::string> two = Strings(h.Run({"hrandfield", "h", "2"}));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(two[0], two[1]);
  EXPECT_LT(two[0], two[1]);  // listpack picks keep insertion order
  h.session().proto = 3;
  resp::Value pairs = h.Run({"hrandfield", "h", "-2", "withvalues"});
  ASSERT_EQ(pairs.elements.size(), 2u);
  EXPECT_EQ(pairs.elements[0].elements.size(), 2u);
}

TEST(HashCommands, HrandfieldArgumentErrors) {
  ServiceHarness h;
  h.Raw({"hset", "h", "a", "1"});
  EXPECT_EQ(h.Raw({"hrandfield", "h", "x"}), kNotInt);
  EXPECT_EQ(h.Raw({"hrandfield", "h", "-9223372036854775808"}),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807\r\n");
  EXPECT_EQ(h.Raw({"hrandfield", "h", "4611686018427387904", "withvalues"}),
            "-ERR value is out of range\r\n");
  EXPECT_EQ(h.Raw({"hrandfield", "h", "3", "withvalue"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"hrandfield", "h", "3", "withvalues", "x"}), "-ERR syntax error\r\n");
}

TEST(HashCommands, HrandfieldUniqueOnHashtable) {
  ServiceHarness h;
  h.config().hash_max_listpack_entries = 4;
  for (int i = 0; i < 50; ++i) h.Raw({"hset", "h", "f" + std::to_string(i), "v"});
  for (const char* count : {"5", "30", "49"}) {
    std::vector<std::string> got = Strings(h.Run({"hrandfield", "h", count}));
    EXPECT_EQ(got.size(), size_t(std::stoi(count)));
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), got.size());
  }
  EXPECT_EQ(h.Run({"hrandfield", "h", "60"}).elements.size(), 50u);
}

TEST(HashValue, CopiesAreDeepInBothEncodings) {
  HashValue small;
  small.Set("a", "1", 512, 64);
  HashValue big = small;
  big.Set("long", std::string(100, 'x'), 512, 64);
  EXPECT_TRUE(small.is_listpack());
  EXPECT_FALSE(big.is_listpack());
  HashValue big_copy = big;
  big_copy.Delete("a");
  std::string_view v;
  EXPECT_TRUE(big.Get("a", &v));
  EXPECT_EQ(v, "1");
  EXPECT_FALSE(big_copy.Contains("a"));
  EXPECT_EQ(big_copy.size(), 1u);
  EXPECT_GT(big.AllocatedBytes(), small.AllocatedBytes());
}

TEST(HashValue, ListpackUpdatesValueInPlace) {
  HashValue h;
  h.Set("a", "1", 512, 64);
  h.Set("b", "2", 512, 64);
  EXPECT_FALSE(h.Set("a", std::string(60, 'z'), 512, 64));
  auto pairs = h.Pairs();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].first, "a");
  EXPECT_EQ(pairs[0].second, std::string(60, 'z'));
  EXPECT_EQ(pairs[1].second, "2");
}

TEST(HashValue, ListpackHandlesMultiByteLengths) {
  HashValue h;
  const std::string v300(300, 'v'), v200(200, 'w');
  h.Set("a", v300, 512, 1000);
  h.Set(std::string(130, 'f'), "1", 512, 1000);
  h.Set("a", v200, 512, 1000);
  ASSERT_TRUE(h.is_listpack());
  std::string_view v;
  ASSERT_TRUE(h.Get("a", &v));
  EXPECT_EQ(v, v200);
  ASSERT_TRUE(h.Get(std::string(130, 'f'), &v));
  EXPECT_EQ(v, "1");
  EXPECT_TRUE(h.Delete("a"));
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.Pairs()[0].first, std::string(130, 'f'));
}

}  // namespace
}  // namespace vigil::datanode

namespace vigil::datanode {
namespace {

TEST(HashCommands, IncrByFloatRefusesAValueWithANulInTheMiddle) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"hset", "h", "f",
                   std::string("1\0"
                               "2",
                               3)}),
            Int(1));
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "f", "1"}), "-ERR hash value is not a float\r\n");
  EXPECT_EQ(h.Raw({"hincrbyfloat", "h", "g",
                   std::string("1\0"
                               "2",
                               3)}),
            "-ERR value is not a valid float\r\n");
}

}  // namespace
}  // namespace vigil::datanode
