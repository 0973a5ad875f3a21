#include "datanode/server/lazy_free_thread.h"

namespace vigil::datanode {

LazyFreeThread::LazyFreeThread() : thread_([this] { Run(); }) {}

LazyFreeThread::~LazyFreeThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

void LazyFreeThread::FreeEntry(Entry* e) {
  Job job;
  job.entry.reset(e);
  job.objects = 1;
  Submit(std::move(job));
}

void LazyFreeThread::FreeDatabase(std::unique_ptr<Database> db) {
  Job job;
  job.objects = db->size();
  job.db = std::move(db);
  Submit(std::move(job));
}

void LazyFreeThread::Submit(Job job) {
  // Counted before the thread can see the job, so pending never goes below zero.
  pending_.fetch_add(job.objects, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

void LazyFreeThread::WaitForProgress(std::chrono::microseconds max) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t seen = jobs_done_;
  done_cv_.wait_for(lock, max, [&] { return jobs_done_ != seen; });
}

void LazyFreeThread::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_, and everything queued is freed
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    const size_t objects = job.objects;
    job.entry.reset();
    job.db.reset();
    // Release: a reader that sees the lower pending count also sees used_memory without it.
    freed_.fetch_add(objects, std::memory_order_relaxed);
    pending_.fetch_sub(objects, std::memory_order_release);
    lock.lock();
    ++jobs_done_;
    done_cv_.notify_all();
  }
}

}  // namespace vigil::datanode
