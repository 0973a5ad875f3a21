// LazyFreeThread: what it is handed is freed off the calling thread, the counters follow, and
// destroying it with jobs still queued frees them all.
#include "datanode/server/lazy_free_thread.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "datanode/store/list_value.h"

namespace vigil::datanode {
namespace {

Entry* BigList(const std::string& key, size_t elements) {
  auto l = std::make_unique<ListValue>();
  for (size_t i = 0; i < elements; ++i) l->PushBack(std::string(40, 'x'));
  return Entry::NewList(key, std::move(l));
}

bool WaitUntilIdle(const LazyFreeThread& t) {
  for (int i = 0; i < 5000 && t.pending() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return t.pending() == 0;
}

int64_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return int64_t(mi.uordblks + mi.hblkhd);
}

TEST(LazyFreeThread, FreesEntriesAndCountsThem) {
  LazyFreeThread t;
  for (int i = 0; i < 10; ++i) t.FreeEntry(BigList("k" + std::to_string(i), 100));
  ASSERT_TRUE(WaitUntilIdle(t));
  EXPECT_EQ(t.freed(), 10u);
  t.ResetFreedCount();
  EXPECT_EQ(t.freed(), 0u);
  t.FreeEntry(BigList("again", 100));
  ASSERT_TRUE(WaitUntilIdle(t));
  EXPECT_EQ(t.freed(), 1u);
}

TEST(LazyFreeThread, ADatabaseCountsAsItsKeys) {
  LazyFreeThread t;
  auto db = std::make_unique<Database>(7);
  for (int i = 0; i < 100; ++i) {
    Entry* e = Entry::NewString("k" + std::to_string(i), "v");
    db->Add(e);
    if (i % 2 == 0) db->SetExpire(e, 1000);
  }
  t.FreeDatabase(std::move(db));
  ASSERT_TRUE(WaitUntilIdle(t));
  EXPECT_EQ(t.freed(), 100u);
}

// Whatever the thread's progress, an object is either still pending or already freed: pending
// is read first, and freed only grows, so together they cover everything handed over.
TEST(LazyFreeThread, EveryObjectIsPendingOrFreed) {
  LazyFreeThread t;
  for (size_t i = 1; i <= 50; ++i) {
    t.FreeEntry(BigList("k" + std::to_string(i), 2000));
    const size_t pending = t.pending();
    EXPECT_LE(pending, i);
    EXPECT_GE(pending + t.freed(), i);
  }
  ASSERT_TRUE(WaitUntilIdle(t));
  EXPECT_EQ(t.freed(), 50u);
}

TEST(LazyFreeThread, WaitForProgressReturnsWhenIdle) {
  LazyFreeThread t;
  const auto start = std::chrono::steady_clock::now();
  t.WaitForProgress(std::chrono::microseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
// Sanitizers keep their own heap, which mallinfo2 does not describe.
TEST(LazyFreeThread, DestroyingItFreesWhatIsStillQueued) {
  const int64_t before = HeapInUse();
  std::vector<Entry*> entries;
  for (int i = 0; i < 40; ++i) entries.push_back(BigList("k" + std::to_string(i), 5000));
  auto db = std::make_unique<Database>(7);
  for (int i = 0; i < 20; ++i) db->Add(BigList("d" + std::to_string(i), 1000));
  ASSERT_GT(HeapInUse() - before, 10 << 20);  // ~14 MB to hand over
  {
    LazyFreeThread t;
    for (Entry* e : entries) t.FreeEntry(e);
    t.FreeDatabase(std::move(db));
    // Destroyed at once: most of it is still queued.
  }
  EXPECT_LT(HeapInUse() - before, 1 << 20);
}
#endif

}  // namespace
}  // namespace vigil::datanode
