// Round trips through the RDB writer and loader: every type and encoding, small and large
// forms, expiries, all 16 databases, binary data; plus the loader's refusal of damaged input.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/stream_value.h"
#include "datanode/store/zset_value.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;
using namespace std::string_literals;

// A canonical text rendering of a keyspace: every key with type, encoding, TTL and value.
std::string Describe(Keyspace& ks) {
  std::ostringstream out;
  for (int d = 0; d < ks.database_count(); ++d) {
    Database& db = ks.db(d);
    std::map<std::string, std::string> keys;
    db.keys().ForEach([&](Entry* e) {
      std::ostringstream v;
      v << TypeName(e->type()) << "/" << EncodingName(e->encoding()) << " ttl=" << db.GetExpire(e)
        << " ";
      switch (e->type()) {
        case ObjType::kString:
          v << e->StringCopy();
          break;
        case ObjType::kList:
          for (const auto& item : *e->list()) v << item << ",";
          break;
        case ObjType::kSet: {
          auto m = e->set()->Members();
          std::sort(m.begin(), m.end());
          for (const auto& s : m) v << s << ",";
          break;
        }
        case ObjType::kZSet:
          for (auto* n = e->zset()->first(); n != nullptr; n = n->next()) {
            v << n->member() << "=" << n->score() << ",";
          }
          break;
        case ObjType::kHash: {
          auto pairs = e->hash()->Pairs();
          std::sort(pairs.begin(), pairs.end());
          for (const auto& [f, val] : pairs) v << f << ":" << val << ",";
          break;
        }
        case ObjType::kStream: {
          const StreamValue& st = *e->stream();
          v << "len=" << st.length() << " last=" << st.last_id().ToString()
            << " first=" << st.first_id().ToString() << " maxdel=" << st.max_deleted_id().ToString()
            << " added=" << st.entries_added() << " nodes=" << st.nodes().size() << " [";
          st.ForEachInRange(StreamId{}, StreamId::Max(), false, [&](const StreamRecord& r) {
            v << r.id.ToString() << ":";
            for (const auto& x : r.fields_values) v << x << ",";
            return true;
          });
          v << "]";
          for (const auto& [name, g] : st.groups()) {
            v << " group " << name << " last=" << g.last_id.ToString()
              << " read=" << g.entries_read;
            for (const auto& [id, p] : g.pel)
              v << " pel " << id.ToString() << "/" << p.consumer << "/" << p.delivery_time << "/"
                << p.delivery_count;
            for (const auto& [cn, c] : g.consumers)
              v << " consumer " << cn << "@" << c.seen_time << "#" << c.pel.size();
          }
          break;
        }
      }
      keys[std::string(e->key())] = v.str();
    });
    for (const auto& [k, v] : keys) out << "db" << d << " " << k << " -> " << v << "\n";
  }
  return out.str();
}

std::string Save(Service& svc, RdbWriteOptions options = {}) {
  std::string out;
  StringSink sink(&out);
  RdbAuxInfo aux;
  aux.ctime_s = 1700000000;
  aux.used_mem = 123456;
  aux.repl_id = std::string(40, 'a');
  aux.repl_offset = 77;
  Status st = WriteRdb(svc.keyspace(), aux, options, &sink);
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

Status Load(std::string_view data, Keyspace* ks, RdbLoadResult* res, int64_t now_ms,
            bool drop_expired = true) {
  StringSource src(data);
  RdbLoadOptions o;
  o.now_ms = now_ms;
  o.drop_expired = drop_expired;
  return LoadRdb(&src, o, ks, res);
}

void Cmd(ServiceHarness& h, std::vector<std::string> argv) {
  resp::Value v = h.Run(argv);
  ASSERT_NE(v.type, resp::Value::Type::kError) << argv[0] << ": " << v.str;
}

// Builds a dataset that covers every encoding, in several databases.
void Populate(ServiceHarness& h) {
  Cmd(h, {"SET", "str:small", "hello"});
  Cmd(h, {"SET", "str:int", "12345"});
  Cmd(h, {"SET", "str:neg", "-7"});
  Cmd(h, {"SET", "str:bigint", "4294967296"});
  Cmd(h, {"SET", "str:int64", "-9223372036854775808"});
  Cmd(h, {"SET", "str:lead0", "007"});
  Cmd(h, {"SET", "str:raw", std::string(100, 'a')});
  Cmd(h, {"SET", "str:random", std::string("\0\r\n\xff binary", 11)});
  Cmd(h, {"SET", "str:empty", ""});
  std::string big;
  for (int i = 0; i < 300000; ++i) big += char('a' + i % 17);
  Cmd(h, {"SET", "str:huge", big});
  Cmd(h, {"SET", std::string("key\0with\nbinary", 15), "v"});
  Cmd(h, {"RPUSH", "list:small", "a", "b", "1", "2", "300", "-5"});
  std::vector<std::string> lpush = {"RPUSH", "list:big"};
  for (int i = 0; i < 3000; ++i) lpush.push_back("element-" + std::to_string(i));
  Cmd(h, lpush);
  Cmd(h, {"RPUSH", "list:bigelem", std::string(20000, 'x'), "y", std::string(9000, 'z')});
  Cmd(h, {"SADD", "set:int", "1", "2", "3", "70000", "-9223372036854775808"});
  Cmd(h, {"SADD", "set:str", "a", "b", "c"});
  std::vector<std::string> sadd = {"SADD", "set:bigint"};
  for (int i = 0; i < 600; ++i) sadd.push_back(std::to_string(i * 3));
  Cmd(h, sadd);
  Cmd(h, {"ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e"});
  std::vector<std::string> zadd = {"ZADD", "zset:big"};
  for (int i = 0; i < 200; ++i) {
    zadd.push_back(std::to_string(i * 1.5));
    zadd.push_back("m" + std::to_string(i));
  }
  Cmd(h, zadd);
  Cmd(h, {"ZADD", "zset:longmember", "1", std::string(100, 'q')});
  Cmd(h, {"HSET", "hash:small", "f1", "v1", "f2", "2", "f3", ""});
  std::vector<std::string> hset = {"HSET", "hash:big"};
  for (int i = 0; i < 600; ++i) {
    hset.push_back("field" + std::to_string(i));
    hset.push_back("value" + std::to_string(i));
  }
  Cmd(h, hset);
  Cmd(h, {"HSET", "hash:longvalue", "f", std::string(200, 'v')});
  Cmd(h, {"SET", "ttl:future", "x"});
  Cmd(h, {"PEXPIREAT", "ttl:future", std::to_string(h.now_ms() + 3600 * 1000)});
  Cmd(h, {"RPUSH", "ttl:list", "x"});
  Cmd(h, {"PEXPIRE", "ttl:list", "100000"});
  for (int db = 1; db < 16; ++db) {
    Cmd(h, {"SELECT", std::to_string(db)});
    Cmd(h, {"SET", "db" + std::to_string(db), std::to_string(db)});
    Cmd(h, {"HSET", "h" + std::to_string(db), "f", "v"});
  }
  Cmd(h, {"SELECT", "0"});
}

TEST(RdbRoundTripTest, EveryTypeAndEncodingSurvives) {
  ServiceHarness h;
  Populate(h);
  const std::string before = Describe(h.service().keyspace());
  // The dataset covers the encodings it claims to.
  for (const char* want :
       {"string/int", "string/embstr", "string/raw", "list/quicklist", "set/intset",
        "set/hashtable", "zset/listpack", "zset/skiplist", "hash/listpack", "hash/hashtable"}) {
    EXPECT_NE(before.find(want), std::string::npos) << want;
  }
  for (bool compression : {true, false}) {
    RdbWriteOptions wo;
    wo.compression = compression;
    std::string data = Save(h.service(), wo);
    ASSERT_EQ(data.substr(0, 9), "REDIS0010");
    Keyspace loaded(16, 1);
    RdbLoadResult res;
    Status st = Load(data, &loaded, &res, h.now_ms());
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(Describe(loaded), before);
    EXPECT_TRUE(res.checksum_verified);
    EXPECT_EQ(res.keys_loaded, int64_t(loaded.TotalKeys()));
    EXPECT_EQ(res.expires, 2);
    EXPECT_EQ(res.repl_id, std::string(40, 'a'));
    EXPECT_EQ(res.repl_offset, 77);
    EXPECT_EQ(res.aux["redis-ver"], "7.0.15");
    EXPECT_EQ(res.aux["redis-bits"], "64");
    EXPECT_EQ(res.aux["ctime"], "1700000000");
    EXPECT_EQ(res.aux["aof-base"], "0");
  }
}

TEST(RdbRoundTripTest, CompressionShrinksRepetitiveStrings) {
  ServiceHarness h;
  Populate(h);
  RdbWriteOptions off;
  off.compression = false;
  EXPECT_LT(Save(h.service()).size() + 100000, Save(h.service(), off).size());
}

TEST(RdbRoundTripTest, EmptyKeyspaceIsMagicAuxEofAndChecksum) {
  ServiceHarness h;
  std::string data = Save(h.service());
  EXPECT_EQ(static_cast<unsigned char>(data[data.size() - 9]), 0xFF);
  Keyspace loaded(16, 1);
  RdbLoadResult res;
  ASSERT_TRUE(Load(data, &loaded, &res, 0).ok());
  EXPECT_EQ(loaded.TotalKeys(), 0u);
}

TEST(RdbRoundTripTest, ExpiredKeysAreDroppedOnlyWhenAsked) {
  ServiceHarness h;
  Cmd(h, {"SET", "a", "1"});
  Cmd(h, {"PEXPIRE", "a", "1000"});
  Cmd(h, {"SET", "b", "2"});
  std::string data = Save(h.service());
  Keyspace master(16, 1), replica(16, 1);
  RdbLoadResult res;
  ASSERT_TRUE(Load(data, &master, &res, h.now_ms() + 5000).ok());
  EXPECT_EQ(master.TotalKeys(), 1u);
  EXPECT_EQ(res.keys_expired, 1);
  ASSERT_TRUE(Load(data, &replica, &res, h.now_ms() + 5000, /*drop_expired=*/false).ok());
  EXPECT_EQ(replica.TotalKeys(), 2u);
  EXPECT_EQ(replica.db(0).GetExpire(replica.db(0).Find("a")), h.now_ms() + 1000);
}

TEST(RdbRoundTripTest, ZeroChecksumIsAcceptedWithAWarning) {
  ServiceHarness h;
  Cmd(h, {"SET", "a", "1"});
  RdbWriteOptions wo;
  wo.checksum = false;
  std::string data = Save(h.service(), wo);
  EXPECT_EQ(data.substr(data.size() - 8), std::string(8, '\0'));
  Keyspace ks(16, 1);
  RdbLoadResult res;
  ASSERT_TRUE(Load(data, &ks, &res, 0).ok());
  EXPECT_FALSE(res.checksum_verified);
  ASSERT_FALSE(res.warnings.empty());
  EXPECT_NE(res.warnings.back().find("checksum disabled"), std::string::npos);
}

TEST(RdbLoaderTest, LoadsTheMinimalFormsWithoutAuxOrResizedb) {
  // Types 0, 1 (plain list), 2, 4, 5 and FC, the minimal file redis-server 7.0 also loads.
  std::string f = "REDIS0010"s;
  f += "\xfe\x00"s;
  f += "\x00\x01k\x01v"s;
  f += "\x01\x01l\x02\x01"s + "a\x01"s + "b"s;
  f += "\x02\x01s\x02\x01"s + "1\x01"s + "2"s;
  f += "\x04\x01h\x01\x01"s + "f\x01"s + "v"s;
  f += "\x05\x01z\x01\x01m"s + "\x00\x00\x00\x00\x00\x00\xf8\x3f"s;
  f += "\xfc\x00\x10\x00\x00\x00\x01\x00\x00"s + "\x00\x01t\x01x"s;
  f += "\xfe\x03"s + "\x00\x01k\x01w"s;
  f += "\xff"s + std::string(8, '\0');
  Keyspace ks(16, 1);
  RdbLoadResult res;
  Status st = Load(f, &ks, &res, 0);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ks.TotalKeys(), 7u);
  EXPECT_EQ(ks.db(0).Find("s")->encoding(), Encoding::kIntset);
  EXPECT_EQ(ks.db(0).Find("h")->encoding(), Encoding::kListpack);
  EXPECT_EQ(ks.db(0).Find("z")->encoding(), Encoding::kListpack);
  double score;
  ASSERT_TRUE(ks.db(0).Find("z")->zset()->Score("m", &score));
  EXPECT_EQ(score, 1.5);
  EXPECT_EQ(ks.db(3).Find("k")->StringCopy(), "w");
}

// A collection stored with no elements (a corrupt file; Redis never writes one) is dropped with
// Redis's log line, and counted for the "empty keys skipped" of the load summary.
TEST(RdbLoaderTest, EmptyCollectionsAreSkippedAndCounted) {
  std::string f = "REDIS0010"s;
  f += "\xfe\x00"s;
  f += "\x02\x03set\x00"s;   // a set of 0 members
  f += "\x04\x04hash\x00"s;  // a hash of 0 fields
  f += "\x00\x01k\x01v"s;
  f += "\xff"s + std::string(8, '\0');
  Keyspace ks(16, 1);
  RdbLoadResult res;
  Status st = Load(f, &ks, &res, 0);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ks.TotalKeys(), 1u);
  EXPECT_EQ(res.empty_keys_skipped, 2);
  EXPECT_NE(
      std::find(res.warnings.begin(), res.warnings.end(), "rdbLoadObject skipping empty key: set"),
      res.warnings.end());
}

TEST(RdbLoaderTest, TruncationAtEveryOffsetIsAShortReadError) {
  ServiceHarness h;
  Cmd(h, {"SET", "k", "v"});
  Cmd(h, {"RPUSH", "l", "a", "b"});
  Cmd(h, {"HSET", "h", "f", "v"});
  std::string data = Save(h.service());
  for (size_t cut = 0; cut < data.size(); ++cut) {
    Keyspace ks(16, 1);
    RdbLoadResult res;
    Status st = Load(std::string_view(data).substr(0, cut), &ks, &res, 0);
    ASSERT_FALSE(st.ok()) << cut;
    EXPECT_NE(st.message().find("offset"), std::string::npos) << st.message();
  }
  Keyspace ks(16, 1);
  RdbLoadResult res;
  Status st = Load(std::string_view(data).substr(0, data.size() - 3), &ks, &res, 0);
  EXPECT_EQ(st.message(), "Short read at offset " + std::to_string(data.size() - 8) +
                              " while reading the RDB checksum");
}

TEST(RdbLoaderTest, FlippedByteIsACheckSumError) {
  ServiceHarness h;
  Cmd(h, {"SET", "key", "value-value-value"});
  std::string data = Save(h.service());
  size_t at = data.find("value-value");
  data[at] = 'V';
  Keyspace ks(16, 1);
  RdbLoadResult res;
  Status st = Load(data, &ks, &res, 0);
  EXPECT_EQ(st.message().rfind("Wrong RDB checksum expected: ", 0), 0u) << st.message();
}

TEST(RdbLoaderTest, NamesUnknownTypesAndBadHeaders) {
  Keyspace ks(16, 1);
  RdbLoadResult res;
  EXPECT_EQ(Load("REDIS0010\x2a", &ks, &res, 0).message(), "Unknown RDB type 42 at offset 9");
  EXPECT_EQ(Load("REDIS0011", &ks, &res, 0).message(),
            "Can't handle RDB format version 11 at offset 5");
  EXPECT_NE(Load("RUBIS0010", &ks, &res, 0).message().find("Wrong signature"), std::string::npos);
  EXPECT_NE(Load("REDIS0010\xfe\x10", &ks, &res, 0).message().find("SELECTDB 16"),
            std::string::npos);
  EXPECT_EQ(Load("REDIS0010\x00\x01"s, &ks, &res, 0).message(),
            "Short read at offset 11 while reading a key");
}

TEST(RdbLoaderTest, DuplicateKeysAreRefused) {
  std::string f = "REDIS0010\x00\x01k\x01v\x00\x01k\x01w\xff"s + std::string(8, '\0');
  Keyspace ks(16, 1);
  RdbLoadResult res;
  EXPECT_NE(Load(f, &ks, &res, 0).message().find("Duplicated key 'k'"), std::string::npos);
}

TEST(RdbLoaderTest, EmptyStreamWithoutNodesLoads) {
  // Type 19: no nodes, length 0, ids 0-0, no groups (XGROUP CREATE ... MKSTREAM, then nothing).
  std::string f = "REDIS0010\x13\x01s"s + std::string(10, '\0') + "\xff"s + std::string(8, '\0');
  Keyspace ks(16, 1);
  RdbLoadResult res;
  Status st = Load(f, &ks, &res, 0);
  ASSERT_TRUE(st.ok()) << st.message();
  Entry* e = ks.db(0).Find("s");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type(), ObjType::kStream);
  EXPECT_EQ(e->stream()->length(), 0u);
}

// Streams of every shape survive a save and a load: small and multi-node, tombstones from XDEL
// and exact trims, groups with pending entries, consumers with and without them.
TEST(RdbRoundTrip, StreamsWithGroupsPendingAndTombstones) {
  ServiceHarness h;
  Cmd(h, {"XADD", "s:small", "1-1", "f", "v"});
  for (int i = 1; i <= 350; ++i) {
    Cmd(h, {"XADD", "s:big", std::to_string(i) + "-0", i % 3 ? "a" : "b", std::to_string(i), "n",
            std::string(size_t(i % 7), 'x')});
  }
  Cmd(h, {"XDEL", "s:big", "5-0", "150-0", "201-0"});
  Cmd(h, {"XTRIM", "s:big", "MAXLEN", "=", "330"});
  Cmd(h, {"XGROUP", "CREATE", "s:big", "g1", "0"});
  Cmd(h, {"XGROUP", "CREATE", "s:big", "g2", "$"});
  Cmd(h, {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "4", "STREAMS", "s:big", ">"});
  h.AdvanceMs(1000);
  Cmd(h, {"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "s:big", ">"});
  Cmd(h, {"XGROUP", "CREATECONSUMER", "s:big", "g1", "idle"});
  Cmd(h, {"XACK", "s:big", "g1", "22-0"});
  Cmd(h, {"XGROUP", "CREATE", "s:empty", "g", "$", "MKSTREAM"});
  Cmd(h, {"XADD", "s:gone", "7-7", "a", "1"});
  Cmd(h, {"XDEL", "s:gone", "7-7"});
  std::string data = Save(h.service());
  Keyspace ks(16, 1);
  RdbLoadResult res;
  Status st = Load(data, &ks, &res, h.now_ms());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Describe(ks), Describe(h.service().keyspace()));
  EXPECT_NE(Describe(ks).find("consumer idle@"), std::string::npos);
  // The loaded nodes keep Redis's boundaries, so the same approximate trim removes the same.
  EXPECT_EQ(ks.db(0).Find("s:big")->stream()->nodes().size(),
            h.service().keyspace().db(0).Find("s:big")->stream()->nodes().size());
}

TEST(RdbLoaderTest, CorruptStreamsAreRefusedWithOffset) {
  ServiceHarness h;
  for (int i = 1; i <= 20; ++i) Cmd(h, {"XADD", "s", std::to_string(i) + "-1", "f", "v"});
  Cmd(h, {"XGROUP", "CREATE", "s", "g", "0"});
  Cmd(h, {"XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "s", ">"});
  RdbWriteOptions plain;
  plain.compression = false;
  std::string data = Save(h.service(), plain);
  // The stream length sits right after the node; claim one entry more.
  Keyspace ks(16, 1);
  RdbLoadResult res;
  std::string m = data;
  const size_t len_at = m.find("\x14\x14\x01");  // length 20, last id 20-1
  ASSERT_NE(len_at, std::string::npos);
  m[len_at] = '\x15';
  StringSource src(m);
  RdbLoadOptions o;
  o.verify_checksum = false;
  Status st = LoadRdb(&src, o, &ks, &res);
  EXPECT_NE(st.message().find("Stream length inconsistent at offset"), std::string::npos)
      << st.message();
}

TEST(RdbLoaderTest, RandomMutationsNeverCrash) {
  ServiceHarness h;
  Populate(h);
  Cmd(h, {"DEL", "str:huge", "list:big", "hash:big"});
  std::string data = Save(h.service());
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 400; ++round) {
    std::string m = data;
    int flips = 1 + int(rng() % 4);
    for (int i = 0; i < flips; ++i) m[rng() % m.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) m.resize(rng() % m.size());
    Keyspace ks(16, 1);
    RdbLoadResult res;
    StringSource src(m);
    RdbLoadOptions o;
    o.verify_checksum = rng() % 2 == 0;  // without it, corrupt payloads reach the decoders
    (void)LoadRdb(&src, o, &ks, &res);
  }
}

// The stream seeds of the fuzz corpus, mutated: every variant loads or is refused, never
// crashes (the stream decoder validates counts, order and PEL ownership).
TEST(RdbLoaderTest, MutatedStreamSeedsNeverCrash) {
  for (const char* name : {"stream_redis70.rdb", "stream_vigil.rdb"}) {
    std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/tests/fuzz/corpus/rdb_loader/" + name,
                     std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(data.size(), 100u) << name;
    {
      Keyspace ks(16, 1);
      RdbLoadResult res;
      Status st = Load(data, &ks, &res, 0);
      ASSERT_TRUE(st.ok()) << name << ": " << st.message();
      ASSERT_EQ(ks.db(0).Find("s")->stream()->length(), 119u);
    }
    std::mt19937_64 rng(7);
    for (int round = 0; round < 1500; ++round) {
      std::string m = data;
      int flips = 1 + int(rng() % 3);
      for (int i = 0; i < flips; ++i) m[9 + rng() % (m.size() - 9)] = static_cast<char>(rng());
      Keyspace ks(16, 1);
      RdbLoadResult res;
      StringSource src(m);
      RdbLoadOptions o;
      o.verify_checksum = false;
      (void)LoadRdb(&src, o, &ks, &res);
    }
  }
}

TEST(RdbLoaderTest, ProgressIsReported) {
  ServiceHarness h;
  Populate(h);
  std::string data = Save(h.service());
  StringSource src(data);
  RdbLoadOptions o;
  o.progress_every_bytes = 1000;
  int calls = 0;
  o.progress = [&](uint64_t) { ++calls; };
  Keyspace ks(16, 1);
  RdbLoadResult res;
  ASSERT_TRUE(LoadRdb(&src, o, &ks, &res).ok());
  EXPECT_GT(calls, 3);
}

}  // namespace
}  // namespace vigil::datanode
