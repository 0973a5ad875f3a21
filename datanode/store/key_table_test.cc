#include "datanode/store/key_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "datanode/store/expire_table.h"

namespace vigil::datanode {
namespace {

TEST(KeyTable, InsertFindRemoveAcrossGrowthAndShrink) {
  KeyTable t(7);
  for (int i = 0; i < 10000; ++i) t.Insert(Entry::NewString("k" + std::to_string(i), "v"));
  EXPECT_EQ(t.size(), 10000u);
  for (int i = 0; i < 10000; i += 7) ASSERT_NE(t.Find("k" + std::to_string(i)), nullptr);
  for (int i = 0; i < 9990; ++i) Entry::Free(t.Remove("k" + std::to_string(i)));
  EXPECT_EQ(t.size(), 10u);
  for (int round = 0; round < 10; ++round) {  // as cron does: finish a rehash, start a shrink
    while (t.RehashStep(100)) {
    }
    t.MaybeShrink();
  }
  EXPECT_LT(t.bucket_count(), 1024u);
  EXPECT_NE(t.Find("k9995"), nullptr);
  EXPECT_EQ(t.Find("k5"), nullptr);
}

// Redis's SCAN guarantee: every key present for the whole scan is returned, even when the
// table grows or shrinks between calls.
TEST(KeyTable, ScanReturnsEveryStableKeyWhileTableResizes) {
  KeyTable t(11);
  for (int i = 0; i < 500; ++i) t.Insert(Entry::NewString("stable" + std::to_string(i), "v"));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = t.Scan(cursor, [&](Entry* e) { seen.insert(std::string(e->key())); });
    // Churn: grow for a while, then shrink, so scans cross rehashes in both directions.
    if (step < 40) {
      for (int j = 0; j < 100; ++j)
        t.Insert(Entry::NewString("tmp" + std::to_string(step * 100 + j), "v"));
    } else if (step < 80) {
      for (int j = 0; j < 100; ++j)
        Entry::Free(t.Remove("tmp" + std::to_string((step - 40) * 100 + j)));
    }
    ++step;
  } while (cursor != 0 && step < 100000);
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(seen.count("stable" + std::to_string(i))) << i;
}

// Upstream "Don't rehash if redis has child process": a full table does not grow while a fork
// child runs, and grows with the next insert once the child is gone.
TEST(KeyTable, DoesNotGrowWhileAForkChildRuns) {
  KeyTable t(5);
  for (int i = 0; i < 4096; ++i) t.Insert(Entry::NewString("k" + std::to_string(i), "v"));
  while (t.RehashStep(100)) {
  }
  ASSERT_EQ(t.bucket_count(), 4096u);
  SetTableResizePolicy(TableResizePolicy::kAvoid);
  t.Insert(Entry::NewString("a", "v"));
  t.Insert(Entry::NewString("b", "v"));
  EXPECT_FALSE(t.rehashing());
  SetTableResizePolicy(TableResizePolicy::kEnable);
  t.Insert(Entry::NewString("c", "v"));
  EXPECT_TRUE(t.rehashing());
  EXPECT_EQ(t.ChainLengths(1).size(), 8192u);
}

// Upstream "Don't rehash if used memory exceeds maxmemory after rehash": a full table does not
// double when the new bucket array would cross maxmemory, until it is 1.618x overfull.
TEST(KeyTable, DoesNotGrowPastMaxmemoryUntilOverfull) {
  KeyTable t(9);
  for (int i = 0; i < 1024; ++i) t.Insert(Entry::NewString("k" + std::to_string(i), "v"));
  while (t.RehashStep(100)) {
  }
  ASSERT_EQ(t.bucket_count(), 1024u);
  std::vector<size_t> asked;
  OverLimitAfterAlloc over = [&](size_t bytes) {
    asked.push_back(bytes);
    return true;
  };
  t.set_memory_check(&over);
  int n = 0;
  for (; n < 1000 && !t.rehashing(); ++n) t.Insert(Entry::NewString("x" + std::to_string(n), "v"));
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), 2048 * sizeof(void*));
  // Refused up to 1.618 keys a bucket (1656 keys), granted past it.
  EXPECT_EQ(1024 + n, 1658);
  EXPECT_EQ(t.ChainLengths(1).size(), 2048u);
}

TEST(KeyTable, RandomReturnsAnEntry) {
  KeyTable t(3);
  EXPECT_EQ(t.Random(1, 2), nullptr);
  t.Insert(Entry::NewString("only", "v"));
  for (uint64_t r = 0; r < 50; ++r) EXPECT_EQ(t.Random(r, r * 31)->key(), "only");
}

TEST(Entry, StringEncodingsFollowRedis) {
  Entry* i = Entry::NewString("k", "12345");
  Entry* emb = Entry::NewString("k", "012");
  Entry* raw = Entry::NewString("k", std::string(45, 'x'));
  EXPECT_EQ(i->encoding(), Encoding::kInt);
  EXPECT_EQ(emb->encoding(), Encoding::kEmbstr);
  EXPECT_EQ(raw->encoding(), Encoding::kRaw);
  emb->MutableRaw().append("3");
  EXPECT_EQ(emb->encoding(), Encoding::kRaw);
  EXPECT_EQ(emb->StringCopy(), "0123");
  Entry::Free(i);
  Entry::Free(emb);
  Entry::Free(raw);
}

TEST(ExpireTable, SetGetRemoveWithBackwardShift) {
  ExpireTable t;
  std::vector<Entry*> es;
  for (int i = 0; i < 1000; ++i) {
    es.push_back(Entry::NewString("k" + std::to_string(i), "v"));
    t.Set(es.back(), i);
  }
  for (int i = 0; i < 1000; i += 2) EXPECT_TRUE(t.Remove(es[size_t(i)]));
  for (int i = 1; i < 1000; i += 2) EXPECT_EQ(t.Get(es[size_t(i)]), i);
  for (int i = 0; i < 1000; i += 2) EXPECT_EQ(t.Get(es[size_t(i)]), -1);
  EXPECT_EQ(t.size(), 500u);
  for (Entry* e : es) Entry::Free(e);
}

}  // namespace
}  // namespace vigil::datanode
