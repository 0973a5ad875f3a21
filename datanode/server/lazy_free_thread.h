#pragma once
// LazyFreeThread: Redis's BIO_LAZY_FREE worker. One thread, started with the server, frees the
// values and whole databases the keyspace hands it (UNLINK, FLUSH* ASYNC, lazyfree-lazy-*), so a
// large free never stalls the event loop. Jobs run in submission order.
//
// Counters are atomics read by INFO on the loop thread: pending rises when a job is queued and
// falls only once its memory is back with the allocator, so "pending == 0" means used_memory
// already reflects the frees (tests wait for that).
//
// A fork child must not use it (the thread does not exist there, and the queue's mutex may have
// been held at the fork): the server detaches it from the keyspace in every child.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "datanode/store/database.h"
#include "datanode/store/lazy_freer.h"

namespace vigil::datanode {

class LazyFreeThread final : public LazyFreer {
 public:
  LazyFreeThread();
  // Frees everything still queued, then joins the thread: nothing handed over leaks.
  ~LazyFreeThread() override;
  LazyFreeThread(const LazyFreeThread&) = delete;
  LazyFreeThread& operator=(const LazyFreeThread&) = delete;

  void FreeEntry(Entry* e) override;
  void FreeDatabase(std::unique_ptr<Database> db) override;
  size_t pending() const override { return pending_.load(std::memory_order_acquire); }
  size_t freed() const override { return freed_.load(std::memory_order_relaxed); }
  void ResetFreedCount() override { freed_.store(0, std::memory_order_relaxed); }
  void WaitForProgress(std::chrono::microseconds max) override;

 private:
  struct EntryFree {
    void operator()(Entry* e) const { Entry::Free(e); }
  };
  // One of the two is set; `objects` is what it adds to pending (keys, for a database).
  struct Job {
    std::unique_ptr<Entry, EntryFree> entry;
    std::unique_ptr<Database> db;
    size_t objects = 0;
  };
  void Submit(Job job);
  void Run();

  std::mutex mu_;
  std::condition_variable work_cv_;  // a job was queued, or stop
  std::condition_variable done_cv_;  // a job finished
  std::deque<Job> jobs_;
  bool stop_ = false;
  uint64_t jobs_done_ = 0;  // under mu_, for WaitForProgress
  std::atomic<size_t> pending_{0};
  std::atomic<size_t> freed_{0};
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace vigil::datanode
