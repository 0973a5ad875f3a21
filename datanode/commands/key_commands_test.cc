#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::BulkArr;
using testing::Int;
using testing::ServiceHarness;

TEST(KeyCommands, ExpireFlagsFollowRedis70) {
  ServiceHarness h;
  h.Raw({"SET", "k", "v"});
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "100", "XX"}), Int(0));
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "100", "GT"}), Int(0));  // no TTL counts as infinite
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "100", "NX"}), Int(1));
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "50", "GT"}), Int(0));
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "50", "LT"}), Int(1));
  EXPECT_EQ(h.Raw({"TTL", "k"}), Int(50));
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "1", "NX", "XX"}),
            "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "1", "FOO"}), "-ERR Unsupported option FOO\r\n");
  EXPECT_EQ(h.Raw({"EXPIRETIME", "k"}), Int(h.now_ms() / 1000 + 50));
  EXPECT_EQ(h.Raw({"PERSIST", "k"}), Int(1));
  EXPECT_EQ(h.Raw({"TTL", "k"}), Int(-1));
  EXPECT_EQ(h.Raw({"TTL", "missing"}), Int(-2));
  EXPECT_EQ(h.Raw({"EXPIRE", "k", "-1"}), Int(1));  // a past deadline deletes now
  EXPECT_EQ(h.Raw({"EXISTS", "k"}), Int(0));
}

TEST(KeyCommands, RenameCopyMoveKeepValuesAndTtl) {
  ServiceHarness h;
  h.Raw({"SET", "a", "1", "EX", "100"});
  EXPECT_EQ(h.Raw({"RENAME", "a", "b"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"TTL", "b"}), Int(100));
  EXPECT_EQ(h.Raw({"RENAME", "nope", "x"}), "-ERR no such key\r\n");
  EXPECT_EQ(h.Raw({"COPY", "b", "c"}), Int(1));
  EXPECT_EQ(h.Raw({"COPY", "b", "c"}), Int(0));
  EXPECT_EQ(h.Raw({"COPY", "b", "c", "REPLACE"}), Int(1));
  EXPECT_EQ(h.Raw({"COPY", "b", "b"}), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(h.Raw({"MOVE", "c", "3"}), Int(1));
  EXPECT_EQ(h.Raw({"MOVE", "c", "16"}), "-ERR DB index is out of range\r\n");
  h.Raw({"SELECT", "3"});
  EXPECT_EQ(h.Raw({"GET", "c"}), Bulk("1"));
  EXPECT_EQ(h.Raw({"TTL", "c"}), Int(100));
  EXPECT_EQ(h.Raw({"SELECT", "16"}), "-ERR DB index is out of range\r\n");
}

TEST(KeyCommands, ScanVisitsEveryKeyOnceWithMatchAndType) {
  ServiceHarness h;
  for (int i = 0; i < 300; ++i) h.Raw({"SET", "key:" + std::to_string(i), "v"});
  h.Raw({"SET", "other", "v"});
  std::set<std::string> seen;
  std::string cursor = "0";
  int rounds = 0;
  do {
    resp::Value v = h.Run({"SCAN", cursor, "MATCH", "key:*", "COUNT", "20", "TYPE", "string"});
    ASSERT_EQ(v.elements.size(), 2u);
    cursor = v.elements[0].str;
    for (const auto& k : v.elements[1].elements) seen.insert(k.str);
  } while (cursor != "0" && ++rounds < 1000);
  EXPECT_EQ(seen.size(), 300u);
  EXPECT_FALSE(seen.count("other"));
  EXPECT_EQ(h.Raw({"SCAN", "abc"}), "-ERR invalid cursor\r\n");
  EXPECT_EQ(h.Raw({"SCAN", "0", "COUNT", "0"}), "-ERR syntax error\r\n");
}

TEST(KeyCommands, TypeKeysObjectAndFlush) {
  ServiceHarness h;
  h.Raw({"SET", "s", "x"});
  EXPECT_EQ(h.Raw({"TYPE", "s"}), "+string\r\n");
  EXPECT_EQ(h.Raw({"TYPE", "none"}), "+none\r\n");
  EXPECT_EQ(h.Raw({"KEYS", "s*"}), BulkArr({"s"}));
  EXPECT_EQ(h.Raw({"OBJECT", "ENCODING"}),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  EXPECT_EQ(h.Raw({"OBJECT", "NOPE", "s"}), "-ERR unknown subcommand 'NOPE'. Try OBJECT HELP.\r\n");
  EXPECT_EQ(h.Raw({"OBJECT", "IDLETIME", "s"}), Int(0));
  EXPECT_EQ(h.Raw({"OBJECT", "FREQ", "s"}).substr(0, 40),
            "-ERR An LFU maxmemory policy is not sele");
  EXPECT_EQ(h.Raw({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DBSIZE"}), Int(0));
  EXPECT_EQ(h.Raw({"RANDOMKEY"}), "$-1\r\n");
}

TEST(KeyCommands, KeysDoNotExpireWhileLoading) {
  ServiceHarness h;
  h.Raw({"SET", "n", "41", "PX", "10"});
  h.service().set_loading(true);
  h.AdvanceMs(50);
  auto& loader = h.NewSession();
  loader.is_master_link = true;  // the AOF loader's privileges
  EXPECT_EQ(h.Raw({"INCR", "n"}, &loader), Int(42));
  h.service().set_loading(false);
  EXPECT_EQ(h.Raw({"GET", "n"}), "$-1\r\n");  // and it expires once loading ends
}

TEST(KeyCommands, MaxmemoryEvictsOrRefusesWrites) {
  ServiceHarness h;
  int64_t used = 1000;
  h.service().set_used_memory_fn([&] { return used; });
  h.config().maxmemory = 500;
  EXPECT_EQ(h.Raw({"SET", "k", "v"}),
            "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}), "$-1\r\n");  // reads still work
  used = 100;
  h.Raw({"SET", "a", "1"});
  h.Raw({"SET", "b", "2"});
  ASSERT_EQ(h.Raw({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "+OK\r\n");
  used = 1000;
  // Each eviction "frees" memory in this fake; the first one is enough.
  h.service().set_used_memory_fn(
      [&] { return h.service().keyspace().db(0).size() >= 2 ? 1000 : 100; });
  EXPECT_EQ(h.Raw({"SET", "c", "3"}), "+OK\r\n");
  EXPECT_EQ(h.service().keyspace().evicted_keys, 1);
}

TEST(KeyCommands, RandomkeyDeletesTheExpiredKeysItDrawsAndPropagatesTheirDels) {
  ServiceHarness h;
  testing::RecordingPropagator feed;
  h.service().set_propagator(&feed);
  h.service().active_expire_enabled = false;
  h.Raw({"SET", "foo1", "bar", "PX", "1"});
  h.Raw({"SET", "foo2", "bar", "PX", "1"});
  h.AdvanceMs(5);
  feed.lines.clear();
  EXPECT_EQ(h.Raw({"RANDOMKEY"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"DBSIZE"}), ":0\r\n");
  ASSERT_EQ(feed.lines.size(), 2u);  // each DEL alone, not wrapped in MULTI/EXEC
  EXPECT_EQ(feed.lines[0].rfind("0: DEL foo", 0), 0u);
  EXPECT_EQ(feed.lines[1].rfind("0: DEL foo", 0), 0u);
  h.service().set_propagator(nullptr);
}

}  // namespace
}  // namespace vigil::datanode
