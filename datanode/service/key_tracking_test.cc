#include "datanode/service/key_tracking.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

TEST(KeyTracking, AChangedKeyIsReportedOnceToEveryReader) {
  KeyTracking t;
  t.Remember("k", 1);
  t.Remember("k", 2);
  t.Remember("k", 2);
  EXPECT_EQ(t.total_keys(), 1u);
  EXPECT_EQ(t.total_items(), 2u);
  EXPECT_EQ(t.Take("k"), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(t.Take("k").empty());  // read again to be told again
  EXPECT_EQ(t.total_items(), 0u);
}

TEST(KeyTracking, TrimmingOverTheLimitTakesMoreEffortEachRoundItFallsShort) {
  KeyTracking t;
  for (int i = 0; i < 350; ++i) t.Remember("key" + std::to_string(i), 1);
  EXPECT_TRUE(t.KeysOverLimit(0).empty());    // 0: no limit
  EXPECT_TRUE(t.KeysOverLimit(350).empty());  // at the limit
  std::vector<std::string> first = t.KeysOverLimit(1);
  EXPECT_EQ(first.size(), 100u);
  for (const auto& k : first) t.Take(k);
  t.EndTrim(t.total_keys() <= 1);
  std::vector<std::string> second = t.KeysOverLimit(1);
  EXPECT_EQ(second.size(), 200u);
  for (const auto& k : second) t.Take(k);
  t.EndTrim(t.total_keys() <= 1);
  // 50 keys over: the third round (effort 300) only needs those.
  EXPECT_EQ(t.KeysOverLimit(1).size(), 49u);
}

TEST(KeyTracking, OverlappingPrefixesAreRefusedWithRedisText) {
  EXPECT_EQ(KeyTracking::PrefixCollision({}, {"a:", "b:"}), "");
  EXPECT_EQ(KeyTracking::PrefixCollision({"BAR"}, {"BARB"}),
            "ERR Prefix 'BARB' overlaps with an existing prefix 'BAR'. Prefixes for a single "
            "client must not overlap.");
  EXPECT_EQ(KeyTracking::PrefixCollision({}, {"FOO", "FO"}),
            "ERR Prefix 'FOO' overlaps with another provided prefix 'FO'. Prefixes for a single "
            "client must not overlap.");
}

TEST(KeyTracking, BroadcastsGroupChangedKeysPerPrefixWithTheirLastModifier) {
  KeyTracking t;
  t.Subscribe("a:", 7);
  t.Subscribe("", 8);
  t.NoteChangedKey("a:1", 7);
  t.NoteChangedKey("b:1", 3);
  t.NoteChangedKey("a:1", 0);  // then expired: no client changed it last
  std::vector<KeyTracking::Broadcast> b = t.TakeBroadcasts();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].clients, std::set<uint64_t>{8});  // "" sorts first
  EXPECT_EQ(b[0].keys, (std::map<std::string, uint64_t>{{"a:1", 0}, {"b:1", 3}}));
  EXPECT_EQ(b[1].clients, std::set<uint64_t>{7});
  EXPECT_EQ(b[1].keys, (std::map<std::string, uint64_t>{{"a:1", 0}}));
  EXPECT_TRUE(t.TakeBroadcasts().empty());
  t.Unsubscribe({"a:"}, 7);
  EXPECT_EQ(t.total_prefixes(), 1u);
}

}  // namespace
}  // namespace vigil::datanode
