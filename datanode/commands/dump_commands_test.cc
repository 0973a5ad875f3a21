#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::RecordingPropagator;
using testing::ServiceHarness;

std::string Dump(ServiceHarness& h, const std::string& key) {
  return h.Run({"DUMP", key}).str;
}

TEST(DumpCommands, StringPayloadIsRedisBytes) {
  ServiceHarness h;
  h.Raw({"SET", "k", "hello"});
  // Captured from redis-server 7.0.15: DUMP of "hello".
  const std::string expected(
      "\x00\x05hello\x0a\x00"
      "cr\xdf"
      "ve4 \x0a",
      17);
  EXPECT_EQ(Dump(h, "k"), expected);
  h.Raw({"SET", "n", "12345"});
  EXPECT_EQ(Dump(h, "n").substr(0, 4), std::string("\x00\xc1\x39\x30", 4));
  EXPECT_EQ(h.Raw({"DUMP", "missing"}), "$-1\r\n");
}

TEST(DumpCommands, RestoreRoundTripsEveryType) {
  ServiceHarness h;
  h.Raw({"RPUSH", "l", "a", "1", "b"});
  h.Raw({"SADD", "s", "1", "2", "3"});
  h.Raw({"SADD", "s2", "x", "y"});
  h.Raw({"HSET", "h", "f", "v", "g", "w"});
  h.Raw({"ZADD", "z", "1.5", "a", "2", "b"});
  h.Raw({"XADD", "x", "1-1", "f", "v"});
  for (const char* key : {"l", "s", "s2", "h", "z", "x"}) {
    const std::string payload = Dump(h, key);
    const std::string copy = std::string(key) + "_copy";
    EXPECT_EQ(h.Raw({"RESTORE", copy, "0", payload}), "+OK\r\n") << key;
    EXPECT_EQ(Dump(h, copy), payload) << key;
    EXPECT_EQ(h.Raw({"OBJECT", "ENCODING", copy}), h.Raw({"OBJECT", "ENCODING", key})) << key;
  }
}

TEST(DumpCommands, RestoreErrors) {
  ServiceHarness h;
  h.Raw({"SET", "k", "v"});
  const std::string payload = Dump(h, "k");
  EXPECT_EQ(h.Raw({"RESTORE", "k", "0", payload}), "-BUSYKEY Target key name already exists.\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "-1", payload}), "-ERR Invalid TTL value, must be >= 0\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "x", payload}),
            "-ERR value is not an integer or out of range\r\n");
  std::string bad = payload;
  bad[2] ^= 1;
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", bad}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", "short"}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", payload, "FOO"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", payload, "IDLETIME", "1", "FREQ", "2"}),
            "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", payload, "FREQ", "256"}),
            "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", payload, "IDLETIME", "-1"}),
            "-ERR Invalid IDLETIME value, must be >= 0\r\n");
  h.service().debug.skip_checksum_validation = true;  // DEBUG SET-SKIP-CHECKSUM-VALIDATION 1
  std::string garbage = std::string("\x63xx", 3) + payload.substr(payload.size() - 10);
  EXPECT_EQ(h.Raw({"RESTORE", "n", "0", garbage}), "-ERR Bad data format\r\n");
}

// Redis answers a corrupt payload with "Bad data format" alone and logs why at verbose level,
// naming the container that failed validation (Redis's own corrupt-dump tests look for it).
TEST(DumpCommands, CorruptContainerIsLoggedWithRedisPhrase) {
  struct Hooks : testing::StubServerHooks {
    std::vector<std::pair<int, std::string>> lines;
    void LogAtLevel(int level, const std::string& line) override {
      lines.emplace_back(level, line);
    }
  } hooks;
  ServiceHarness h;
  h.service().set_hooks(&hooks);
  // Captured from Redis's suite: a hash ziplist with a duplicate field ("a" twice).
  const std::string dup(
      "\x0D\x1B\x1B\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x02\x61"
      "\x00\x04\x02\x64\x00\xFF\x09\x00\xA1\x98\x36\x78\xCC\x8E\x93\x2E",
      39);
  EXPECT_EQ(h.Raw({"RESTORE", "k", "0", dup}), "-ERR Bad data format\r\n");
  ASSERT_EQ(hooks.lines.size(), 1u);
  EXPECT_EQ(hooks.lines[0].first, 1);  // verbose
  EXPECT_NE(hooks.lines[0].second.find("Hash ziplist integrity check failed"), std::string::npos)
      << hooks.lines[0].second;
  // An empty zipmap is refused as Redis's zipmap validation does.
  h.service().debug.skip_checksum_validation = true;
  const std::string empty_zipmap("\x09\x02\x00\xFF\x09\x00\xC0\xF1\xB8\x67\x4C\x16\xAC\xE3", 14);
  EXPECT_EQ(h.Raw({"RESTORE", "h", "0", empty_zipmap}), "-ERR Bad data format\r\n");
  ASSERT_EQ(hooks.lines.size(), 2u);
  EXPECT_NE(hooks.lines[1].second.find("Zipmap integrity check failed"), std::string::npos)
      << hooks.lines[1].second;
}

TEST(DumpCommands, RestorePropagatesAnAbsoluteTtl) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"SET", "k", "v"});
  const std::string payload = Dump(h, "k");
  EXPECT_EQ(h.Raw({"RESTORE", "a", "5000", payload}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"PTTL", "a"}), Int(5000));
  ASSERT_EQ(p.log.size(), 2u);
  EXPECT_EQ(p.log[1], (std::vector<std::string>{"RESTORE", "a", std::to_string(h.now_ms() + 5000),
                                                payload, "ABSTTL"}));
  // A TTL already in the past creates nothing; with REPLACE the old key is deleted.
  EXPECT_EQ(h.Raw({"RESTORE", "a", "1", payload, "ABSTTL", "REPLACE"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"EXISTS", "a"}), Int(0));
  EXPECT_EQ(p.log.back(), (std::vector<std::string>{"DEL", "a"}));
  EXPECT_EQ(h.Raw({"RESTORE", "b", "0", payload}), "+OK\r\n");
  EXPECT_EQ(p.log.back(), (std::vector<std::string>{"RESTORE", "b", "0", payload}));
  EXPECT_EQ(h.Run({"GET", "b"}).str, "v");
}

TEST(SortCommand, SortsListsSetsAndZsets) {
  ServiceHarness h;
  h.Raw({"RPUSH", "l", "3", "1", "2"});
  EXPECT_EQ(h.Raw({"SORT", "l"}), testing::BulkArr({"1", "2", "3"}));
  EXPECT_EQ(h.Raw({"SORT", "l", "DESC", "LIMIT", "0", "2"}), testing::BulkArr({"3", "2"}));
  EXPECT_EQ(h.Raw({"SORT", "l", "BY", "nosort"}), testing::BulkArr({"3", "1", "2"}));
  EXPECT_EQ(h.Raw({"SORT", "l", "BY", "nosort", "DESC"}), testing::BulkArr({"2", "1", "3"}));
  h.Raw({"MSET", "w_1", "30", "w_2", "10", "w_3", "20"});
  h.Raw({"HSET", "o_1", "name", "one"});
  EXPECT_EQ(h.Raw({"SORT", "l", "BY", "w_*", "GET", "#", "GET", "o_*->name"}),
            "*6\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$1\r\n1\r\n$3\r\none\r\n");
  h.Raw({"ZADD", "z", "1", "c", "2", "a", "3", "b"});
  EXPECT_EQ(h.Raw({"SORT", "z", "BY", "nosort"}), testing::BulkArr({"c", "a", "b"}));
  EXPECT_EQ(h.Raw({"SORT", "z", "ALPHA"}), testing::BulkArr({"a", "b", "c"}));
  EXPECT_EQ(h.Raw({"SORT", "z"}), "-ERR One or more scores can't be converted into double\r\n");
  h.Raw({"SET", "str", "x"});
  EXPECT_EQ(h.Raw({"SORT", "str"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.Raw({"SORT", "missing"}), "*0\r\n");
}

TEST(SortCommand, StoreWritesAListAndDeletesOnEmpty) {
  ServiceHarness h;
  h.Raw({"SADD", "s", "b", "a", "c"});
  EXPECT_EQ(h.Raw({"SORT", "s", "BY", "nosort", "STORE", "d"}), Int(3));
  EXPECT_EQ(h.Raw({"LRANGE", "d", "0", "-1"}), testing::BulkArr({"a", "b", "c"}));
  EXPECT_EQ(h.Raw({"SORT", "missing", "STORE", "d"}), Int(0));
  EXPECT_EQ(h.Raw({"EXISTS", "d"}), Int(0));
  EXPECT_EQ(h.Raw({"SORT_RO", "s", "STORE", "d"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"SORT", "s", "ALPHA", "GET", "nothing", "STORE", "d"}), Int(3));
  EXPECT_EQ(h.Raw({"LRANGE", "d", "0", "-1"}), testing::BulkArr({"", "", ""}));
}

}  // namespace
}  // namespace vigil::datanode
