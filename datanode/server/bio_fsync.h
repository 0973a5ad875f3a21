#pragma once
// BackgroundFsync: one worker thread that runs fdatasync() and close() for the AOF, Redis's
// BIO_AOF_FSYNC / BIO_CLOSE_FILE jobs, so a slow disk never stalls the event loop. The loop
// thread submits jobs and polls pending(); jobs run in submission order.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace vigil::datanode {

class BackgroundFsync {
 public:
  BackgroundFsync();
  // Finishes the queued jobs, then joins the thread.
  ~BackgroundFsync();
  BackgroundFsync(const BackgroundFsync&) = delete;
  BackgroundFsync& operator=(const BackgroundFsync&) = delete;

  void SubmitFsync(int fd);
  // fdatasync, then close: for an AOF file replaced by a rewrite.
  void SubmitClose(int fd);
  // Fsync jobs queued or running (Redis's bioPendingJobsOfType(BIO_AOF_FSYNC)).
  int pending_fsyncs() const { return pending_fsyncs_.load(); }
  // Set by the worker when a background fdatasync failed; cleared by the reader.
  int TakeLastError() { return last_error_.exchange(0); }

 private:
  struct Job {
    int fd;
    bool close;
  };
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::atomic<int> pending_fsyncs_{0};
  std::atomic<int> last_error_{0};
  std::thread thread_;
};

}  // namespace vigil::datanode
