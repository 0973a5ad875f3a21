// Which removals the store hands to a LazyFreer (Redis's dbAsyncDelete, dbDelete and
// emptyDbAsync decisions), seen through a freer that only records what it is given.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "datanode/store/keyspace.h"
#include "datanode/store/lazy_freer.h"
#include "datanode/store/list_value.h"

namespace vigil::datanode {
namespace {

class RecordingFreer final : public LazyFreer {
 public:
  ~RecordingFreer() override {
    for (Entry* e : entries) Entry::Free(e);
  }
  void FreeEntry(Entry* e) override { entries.push_back(e); }
  void FreeDatabase(std::unique_ptr<Database> db) override { database_keys.push_back(db->size()); }
  size_t pending() const override { return 0; }
  size_t freed() const override { return 0; }
  void ResetFreedCount() override {}
  void WaitForProgress(std::chrono::microseconds) override {}

  std::vector<Entry*> entries;
  std::vector<size_t> database_keys;
};

Entry* BigList(const std::string& key) {
  auto l = std::make_unique<ListValue>();
  for (int i = 0; i < 65; ++i) l->PushBack("e");  // one above the threshold
  return Entry::NewList(key, std::move(l));
}

Entry* SmallList(const std::string& key) {
  auto l = std::make_unique<ListValue>();
  for (int i = 0; i < 64; ++i) l->PushBack("e");
  return Entry::NewList(key, std::move(l));
}

struct Fixture {
  Keyspace ks{2, 1};
  RecordingFreer freer;
  Fixture() { ks.lazy_free().freer = &freer; }
};

TEST(LazyFreePolicy, LazyDeleteHandsOverOnlyValuesAboveTheThreshold) {
  Fixture f;
  f.ks.db(0).Add(BigList("big"));
  f.ks.db(0).Add(SmallList("small"));
  EXPECT_TRUE(f.ks.db(0).Delete("big", FreeMode::kLazy));
  EXPECT_TRUE(f.ks.db(0).Delete("small", FreeMode::kLazy));
  ASSERT_EQ(f.freer.entries.size(), 1u);
  EXPECT_EQ(f.freer.entries[0]->key(), "big");
  EXPECT_EQ(f.ks.db(0).size(), 0u);
}

TEST(LazyFreePolicy, SyncDeleteNeverHandsOver) {
  Fixture f;
  f.ks.lazy_free().server_del = true;
  f.ks.db(0).Add(BigList("big"));
  EXPECT_TRUE(f.ks.db(0).Delete("big", FreeMode::kSync));
  EXPECT_TRUE(f.freer.entries.empty());
}

TEST(LazyFreePolicy, ServerDeletesAndOverwritesFollowLazyfreeLazyServerDel) {
  Fixture f;
  f.ks.db(0).Add(BigList("a"));
  f.ks.db(0).Add(BigList("b"));
  f.ks.db(0).Delete("a");
  f.ks.db(0).Overwrite(Entry::NewString("b", "x"), false);
  EXPECT_TRUE(f.freer.entries.empty());
  f.ks.lazy_free().server_del = true;
  f.ks.db(0).Add(BigList("a"));
  f.ks.db(0).Overwrite(BigList("b"), false);
  f.ks.db(0).Overwrite(Entry::NewString("b", "x"), false);
  f.ks.db(0).Delete("a");
  EXPECT_EQ(f.freer.entries.size(), 2u);
}

TEST(LazyFreePolicy, AnOverwrittenValueLeavesTheExpiryTableFirst) {
  Fixture f;
  f.ks.lazy_free().server_del = true;
  Entry* old = BigList("k");
  f.ks.db(0).Add(old);
  f.ks.db(0).SetExpire(old, 1000);
  Entry* repl = Entry::NewString("k", "v");
  f.ks.db(0).Overwrite(repl, /*keep_ttl=*/true);
  ASSERT_EQ(f.freer.entries.size(), 1u);
  EXPECT_EQ(f.ks.db(0).expires_size(), 1u);
  EXPECT_EQ(f.ks.db(0).GetExpire(repl), 1000);
}

TEST(LazyFreePolicy, ExpiryFollowsLazyfreeLazyExpire) {
  Fixture f;
  for (const char* k : {"a", "b"}) {
    Entry* e = BigList(k);
    f.ks.db(0).Add(e);
    f.ks.db(0).SetExpire(e, 100);
  }
  EXPECT_EQ(f.ks.Lookup(0, "a", 200), nullptr);
  EXPECT_TRUE(f.freer.entries.empty());
  f.ks.lazy_free().expire = true;
  EXPECT_EQ(f.ks.ActiveExpireCycle(200, 100), 1u);
  EXPECT_EQ(f.freer.entries.size(), 1u);
  EXPECT_EQ(f.ks.db(0).expires_size(), 0u);
}

TEST(LazyFreePolicy, EvictionFollowsLazyfreeLazyEviction) {
  Fixture f;
  f.ks.set_policy(EvictionPolicy::kAllKeysRandom);
  f.ks.lazy_free().eviction = true;
  f.ks.db(0).Add(BigList("a"));
  int64_t over = 1;
  // Nothing is measured as freed (the freer took it); with nothing left, eviction gives up.
  EXPECT_FALSE(f.ks.EvictUntil([&] { return over; }, [] { return int64_t(0); }, 0, 5));
  EXPECT_EQ(f.freer.entries.size(), 1u);
  EXPECT_EQ(f.ks.evicted_keys, 1);
}

TEST(LazyFreePolicy, WithoutAFreerEverythingIsFreedInPlace) {
  Keyspace ks{1, 1};
  ks.lazy_free().server_del = true;
  ks.db(0).Add(BigList("a"));
  EXPECT_TRUE(ks.db(0).Delete("a", FreeMode::kLazy));
  ks.db(0).Add(BigList("a"));
  ks.FlushAll(true);
  EXPECT_EQ(ks.TotalKeys(), 0u);
}

TEST(LazyFreePolicy, AsyncFlushHandsOverWholeDatabasesAndLeavesFreshOnes) {
  Fixture f;
  f.ks.db(0).Add(SmallList("a"));
  Entry* e = SmallList("b");
  f.ks.db(0).Add(e);
  f.ks.db(0).SetExpire(e, 100);
  f.ks.FlushDb(0, /*lazy=*/true);
  ASSERT_EQ(f.freer.database_keys, std::vector<size_t>{2});
  EXPECT_EQ(f.ks.db(0).size(), 0u);
  EXPECT_EQ(f.ks.db(0).expires_size(), 0u);
  // The fresh database is wired to the keyspace's policy.
  f.ks.db(0).Add(BigList("c"));
  f.ks.db(0).Delete("c", FreeMode::kLazy);
  EXPECT_EQ(f.freer.entries.size(), 1u);
  // Empty databases are not sent; a sync flush sends nothing.
  f.ks.db(1).Add(SmallList("d"));
  f.ks.FlushAll(/*lazy=*/false);
  f.ks.FlushAll(/*lazy=*/true);
  EXPECT_EQ(f.freer.database_keys.size(), 1u);
}

TEST(LazyFreePolicy, DatabasesSwappedInFollowTheirNewKeyspacesPolicy) {
  Fixture f;
  Keyspace loaded{2, 2};
  loaded.db(0).Add(BigList("k"));
  f.ks.SwapDatabases(loaded);
  f.ks.db(0).Delete("k", FreeMode::kLazy);
  EXPECT_EQ(f.freer.entries.size(), 1u);
}

}  // namespace
}  // namespace vigil::datanode
