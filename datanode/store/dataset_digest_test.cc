// The expected digests were printed by redis-server 7.0.15 for the same commands, so these
// tests pin Vigil's DEBUG DIGEST to Redis's algorithm, not just to itself.
#include "datanode/store/dataset_digest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datanode/store/keyspace.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

void Load(ServiceHarness& h) {
  const std::vector<std::vector<std::string>> cmds = {
      {"SET", "s", "hello"},
      {"SET", "n", "12345"},
      {"SET", "big", std::string(58, 'x')},
      {"RPUSH", "l", "a", "b", "c", "1", "2"},
      {"SADD", "set1", "x", "y", "z"},
      {"SADD", "iset", "1", "2", "3"},
      {"ZADD", "z", "1", "a", "2.5", "b", "-0", "c", "inf", "d", "0.1", "e"},
      {"HSET", "h", "f1", "v1", "f2", "v2"},
      {"XADD", "st", "1-1", "a", "1", "b", "2"},
      {"XADD", "st", "2-0", "a", "3", "b", "4"},
      {"XADD", "st", "3-0", "c", "5"},
      {"XDEL", "st", "2-0"},
      {"SET", "e", "v", "EX", "1000"},
  };
  for (const auto& c : cmds) ASSERT_NE(h.Run(c).type, resp::Value::Type::kError) << c[0];
}

std::string ValueHex(ServiceHarness& h, const std::string& key) {
  Database& db = h.service().keyspace().db(0);
  Entry* e = db.Find(key);
  DigestBytes d{};
  if (e != nullptr) DigestValue(*e, e->has_expire(), &d);
  return DigestHex(d);
}

TEST(DatasetDigest, EmptyDatasetIsFortyZeros) {
  ServiceHarness h;
  EXPECT_EQ(DigestHex(DigestDataset(h.service().keyspace())), std::string(40, '0'));
}

TEST(DatasetDigest, OneStringKeyMatchesRedis) {
  ServiceHarness h;
  h.Run({"SET", "s", "hello"});
  EXPECT_EQ(DigestHex(DigestDataset(h.service().keyspace())),
            "a500c6b54937da22f2ac1167da1da852479c7339");
}

TEST(DatasetDigest, EveryTypeAndExpireMatchRedisValueDigests) {
  ServiceHarness h;
  Load(h);
  EXPECT_EQ(ValueHex(h, "s"), "36b23a1456b2dce2c3ed252c456761301dba8060");
  EXPECT_EQ(ValueHex(h, "n"), "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83");
  EXPECT_EQ(ValueHex(h, "big"), "4f41dd5e6e42c8ca733520d3572d3a426e9aec30");
  EXPECT_EQ(ValueHex(h, "l"), "f48a1249517530ff1906fc79ddbf9b687f71f06f");
  EXPECT_EQ(ValueHex(h, "set1"), "0fd9977d57e46b1b9b87439f5ac5b338416ccc24");
  EXPECT_EQ(ValueHex(h, "iset"), "2a462a3f51a1db89738ebbeef0c47ce1bbc85246");
  EXPECT_EQ(ValueHex(h, "z"), "9a96ecfbe3568ab8b868fe98687cfb53955ece76");
  EXPECT_EQ(ValueHex(h, "h"), "047cc60ea73a34cde6d08a2721a4a26d19ee6570");
  EXPECT_EQ(ValueHex(h, "st"), "bcd79fa04bacbe835450175a27c6f63c1d367693");
  EXPECT_EQ(ValueHex(h, "e"), "311b17018163335616e089f6b951c82c477335ac");
  EXPECT_EQ(ValueHex(h, "missing"), std::string(40, '0'));
  EXPECT_EQ(DigestHex(DigestDataset(h.service().keyspace())),
            "e7f6f4af956d374a9a84eab3537a6fbea726f4f5");
}

TEST(DatasetDigest, DatabaseNumberIsPartOfTheDigest) {
  ServiceHarness h;
  Load(h);
  h.Run({"SELECT", "1"});
  h.Run({"SET", "s", "hello"});
  EXPECT_EQ(DigestHex(DigestDataset(h.service().keyspace())),
            "38ab96901cf2062da2b874b2027c601842f4d39d");
}

TEST(DatasetDigest, EncodingDoesNotChangeTheDigest) {
  ServiceHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  h.Run({"HSET", "h", "f", "v"});
  h.Run({"SADD", "s", "1", "2"});
  const std::string before = DigestHex(DigestDataset(h.service().keyspace()));
  // Grow past the listpack/intset limits and shrink back: the encodings change, the data not.
  const std::string big(100, 'q');
  h.Run({"ZADD", "z", "3", big});
  h.Run({"ZREM", "z", big});
  h.Run({"HSET", "h", big, "v"});
  h.Run({"HDEL", "h", big});
  h.Run({"SADD", "s", big});
  h.Run({"SREM", "s", big});
  ASSERT_EQ(h.Run({"OBJECT", "ENCODING", "z"}).str, "skiplist");
  ASSERT_EQ(h.Run({"OBJECT", "ENCODING", "s"}).str, "hashtable");
  EXPECT_EQ(DigestHex(DigestDataset(h.service().keyspace())), before);
}

TEST(DatasetDigest, ListOrderMattersSetOrderDoesNot) {
  ServiceHarness a, b;
  a.Run({"RPUSH", "l", "x", "y"});
  b.Run({"RPUSH", "l", "y", "x"});
  EXPECT_NE(DigestHex(DigestDataset(a.service().keyspace())),
            DigestHex(DigestDataset(b.service().keyspace())));
  ServiceHarness c, d;
  c.Run({"SADD", "s", "x", "y", "zz"});
  d.Run({"SADD", "s", "zz", "y", "x"});
  EXPECT_EQ(DigestHex(DigestDataset(c.service().keyspace())),
            DigestHex(DigestDataset(d.service().keyspace())));
}

}  // namespace
}  // namespace vigil::datanode
