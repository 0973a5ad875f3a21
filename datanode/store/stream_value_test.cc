// StreamValue: node boundaries and listpack sizes as Redis 7.0 keeps them, tombstones, trimming
// (exact and by whole nodes), and the entries-read estimate behind XINFO's lag.
#include "datanode/store/stream_value.h"

#include <gtest/gtest.h>

#include "datanode/persistence/rdb_stream_codec.h"

namespace vigil::datanode {
namespace {

std::vector<std::string> Fv(const std::string& f, const std::string& v) {
  return {f, v};
}

TEST(StreamValue, NodesSplitAtMaxEntriesAndSizesMatchTheEncodedListpack) {
  StreamValue s;
  for (uint64_t i = 1; i <= 250; ++i) {
    s.Append({i, 0}, i % 2 ? Fv("a", std::to_string(i)) : Fv("other", "x"), {});
  }
  ASSERT_EQ(s.nodes().size(), 3u);  // 100 + 100 + 50 (stream-node-max-entries)
  EXPECT_EQ(s.nodes().begin()->first, (StreamId{1, 0}));
  for (const auto& [master, node] : s.nodes()) {
    EXPECT_EQ(node.ListpackBytes(), EncodeStreamNode(master, node).size());
  }
  EXPECT_EQ(s.length(), 250u);
  EXPECT_EQ(s.first_id(), (StreamId{1, 0}));
  EXPECT_EQ(s.last_id(), (StreamId{250, 0}));
}

TEST(StreamValue, NodesSplitAtMaxBytes) {
  StreamValue s;
  StreamNodeLimits limits{.max_bytes = 200, .max_entries = 0};
  for (uint64_t i = 1; i <= 20; ++i) s.Append({i, 0}, Fv("f", std::string(50, 'x')), limits);
  EXPECT_GT(s.nodes().size(), 5u);
  for (const auto& [master, node] : s.nodes()) EXPECT_LT(node.ListpackBytes(), 200u + 60u);
}

TEST(StreamValue, DeleteLeavesTombstonesAndDropsEmptiedNodes) {
  StreamValue s;
  StreamNodeLimits limits{.max_bytes = 4096, .max_entries = 2};
  for (uint64_t i = 1; i <= 4; ++i) s.Append({i, 0}, Fv("f", "v"), limits);
  ASSERT_EQ(s.nodes().size(), 2u);
  EXPECT_TRUE(s.Delete({1, 0}));
  EXPECT_FALSE(s.Delete({1, 0}));
  EXPECT_EQ(s.nodes().begin()->second.deleted, 1u);
  EXPECT_EQ(s.first_id(), (StreamId{2, 0}));
  EXPECT_TRUE(s.Delete({2, 0}));
  EXPECT_EQ(s.nodes().size(), 1u);
  EXPECT_EQ(s.Find({2, 0}), nullptr);
  EXPECT_NE(s.Find({3, 0}), nullptr);
  EXPECT_EQ(s.length(), 2u);
}

TEST(StreamValue, ApproximateTrimRemovesWholeNodesOnly) {
  StreamValue s;
  for (uint64_t i = 1; i <= 250; ++i) s.Append({i, 0}, Fv("f", "v"), {});
  StreamTrimArgs approx{StreamTrimStrategy::kMaxLen, true, 10000, 120, {}};
  EXPECT_EQ(s.Trim(approx), 100);  // the second node would leave fewer than 120
  EXPECT_EQ(s.length(), 150u);
  StreamTrimArgs exact{StreamTrimStrategy::kMaxLen, false, 0, 120, {}};
  EXPECT_EQ(s.Trim(exact), 30);
  EXPECT_EQ(s.first_id(), (StreamId{131, 0}));
  StreamTrimArgs minid{StreamTrimStrategy::kMinId, false, 0, 0, {200, 0}};
  EXPECT_EQ(s.Trim(minid), 69);
  EXPECT_EQ(s.first_id(), (StreamId{200, 0}));
  StreamTrimArgs limited{StreamTrimStrategy::kMaxLen, true, 10, 0, {}};
  EXPECT_EQ(s.Trim(limited), 1);  // the node left with one live entry fits the LIMIT
  EXPECT_EQ(s.Trim(limited), 0);  // the next holds 50, more than LIMIT allows
}

TEST(StreamValue, EntriesReadEstimate) {
  StreamValue s;
  EXPECT_EQ(s.EstimateEntriesRead({5, 0}), 0);
  for (uint64_t i = 1; i <= 5; ++i) s.Append({i, 0}, Fv("f", "v"), {});
  EXPECT_EQ(s.EstimateEntriesRead({5, 0}), 5);
  EXPECT_EQ(s.EstimateEntriesRead({0, 0}), 0);
  EXPECT_EQ(s.EstimateEntriesRead({1, 0}), 1);
  EXPECT_EQ(s.EstimateEntriesRead({3, 0}), kInvalidEntriesRead);
  EXPECT_EQ(s.EstimateEntriesRead({9, 0}), kInvalidEntriesRead);
  ConsumerGroup g;
  g.entries_read = kInvalidEntriesRead;
  int64_t lag = -1;
  EXPECT_TRUE(s.Lag(g, &lag));
  EXPECT_EQ(lag, 5);
  g.last_id = {3, 0};
  EXPECT_FALSE(s.Lag(g, &lag));
}

TEST(StreamId, ParsesRedisGrammar) {
  StreamId id;
  bool seq_given = true;
  EXPECT_TRUE(ParseStreamId("5", 7, true, &id));
  EXPECT_EQ(id, (StreamId{5, 7}));
  EXPECT_TRUE(ParseStreamId("5-*", 0, true, &id, &seq_given));
  EXPECT_FALSE(seq_given);
  EXPECT_FALSE(ParseStreamId("5-*", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("-", 0, true, &id));
  EXPECT_TRUE(ParseStreamId("+", 0, false, &id));
  EXPECT_EQ(id, StreamId::Max());
  EXPECT_TRUE(ParseStreamId("18446744073709551615-1", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("18446744073709551616", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("-1", 0, true, &id));
  char raw[16];
  StreamId{0x0102030405060708ULL, 9}.Encode(raw);
  EXPECT_EQ(raw[0], 1);
  EXPECT_EQ(StreamId::Decode(raw), (StreamId{0x0102030405060708ULL, 9}));
}

}  // namespace
}  // namespace vigil::datanode
