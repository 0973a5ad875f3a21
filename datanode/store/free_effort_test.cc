// FreeEffort: Redis 7.0's lazyfreeGetFreeEffort rule, type by type.
#include "datanode/store/free_effort.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/stream_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

struct Freed {
  void operator()(Entry* e) const { Entry::Free(e); }
};
using EntryPtr = std::unique_ptr<Entry, Freed>;

TEST(FreeEffort, StringsAreOneAllocation) {
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewInt("k", 7))), 1u);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewString("k", "short"))), 1u);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewRaw("k", std::string(100000, 'x')))), 1u);
}

TEST(FreeEffort, ListsCountTheirElements) {
  auto l = std::make_unique<ListValue>();
  for (int i = 0; i < 100; ++i) l->PushBack(std::to_string(i));
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewList("k", std::move(l)))), 100u);
}

TEST(FreeEffort, IntsetIsOneAndHashtableCountsMembers) {
  auto small = std::make_unique<SetValue>();
  for (int i = 0; i < 300; ++i) small->Add(std::to_string(i), 512);
  ASSERT_EQ(small->encoding(), Encoding::kIntset);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewSet("k", std::move(small)))), 1u);
  auto big = std::make_unique<SetValue>();
  for (int i = 0; i < 300; ++i) big->Add("m" + std::to_string(i), 512);
  ASSERT_EQ(big->encoding(), Encoding::kHashtable);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewSet("k", std::move(big)))), 300u);
}

TEST(FreeEffort, ListpackHashIsOneAndHashtableCountsFields) {
  auto small = std::make_unique<HashValue>();
  for (int i = 0; i < 100; ++i) small->Set("f" + std::to_string(i), "v", 512, 64);
  ASSERT_EQ(small->encoding(), Encoding::kListpack);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewHash("k", std::move(small)))), 1u);
  auto big = std::make_unique<HashValue>();
  for (int i = 0; i < 100; ++i) big->Set("f" + std::to_string(i), "v", 10, 64);
  ASSERT_EQ(big->encoding(), Encoding::kHashtable);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewHash("k", std::move(big)))), 100u);
}

TEST(FreeEffort, ListpackZsetIsOneAndSkiplistCountsMembers) {
  auto small = std::make_unique<ZSetValue>();
  for (int i = 0; i < 100; ++i) small->Set("m" + std::to_string(i), i, 128, 64);
  ASSERT_EQ(small->encoding(), Encoding::kListpack);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewZSet("k", std::move(small)))), 1u);
  auto big = std::make_unique<ZSetValue>();
  for (int i = 0; i < 100; ++i) big->Set("m" + std::to_string(i), i, 10, 64);
  ASSERT_EQ(big->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewZSet("k", std::move(big)))), 100u);
}

TEST(FreeEffort, StreamCountsNodesAndGroupsTimesTheFirstGroupsPel) {
  auto s = std::make_unique<StreamValue>();
  StreamNodeLimits limits{.max_bytes = 0, .max_entries = 5};
  for (uint64_t i = 1; i <= 50; ++i) s->Append({i, 0}, {"f", "v"}, limits);
  ASSERT_EQ(s->nodes().size(), 10u);
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewStream("k", std::make_unique<StreamValue>(*s)))), 10u);
  // Groups in name order: "a" comes first and has 3 pending entries, "b" none.
  ConsumerGroup& a = s->groups()["a"];
  for (uint64_t i = 1; i <= 3; ++i) a.Deliver({i, 0}, "alice", 0);
  s->groups()["b"];
  EXPECT_EQ(FreeEffort(*EntryPtr(Entry::NewStream("k", std::move(s)))), 10u + 2 * (1 + 3));
}

TEST(FreeEffort, StreamWithADestroyedGroupStaysUnderTheThreshold) {
  auto s = std::make_unique<StreamValue>();
  s->Append({1, 0}, {"a", "b"}, {});
  s->groups()["bla"];
  s->groups().erase("bla");
  EXPECT_LE(FreeEffort(*EntryPtr(Entry::NewStream("k", std::move(s)))), kLazyFreeThreshold);
}

}  // namespace
}  // namespace vigil::datanode
