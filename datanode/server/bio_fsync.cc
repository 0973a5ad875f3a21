#include "datanode/server/bio_fsync.h"

#include <unistd.h>

#include <cerrno>

namespace vigil::datanode {

BackgroundFsync::BackgroundFsync() : thread_([this] { Run(); }) {}

BackgroundFsync::~BackgroundFsync() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void BackgroundFsync::SubmitFsync(int fd) {
  ++pending_fsyncs_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back({fd, false});
  }
  cv_.notify_one();
}

void BackgroundFsync::SubmitClose(int fd) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back({fd, true});
  }
  cv_.notify_one();
}

void BackgroundFsync::Run() {
  while (true) {
    Job job{};
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stop_ with nothing left
      job = jobs_.front();
      jobs_.pop_front();
    }
    int rc = ::fdatasync(job.fd);
    if (rc != 0 && errno != EBADF && errno != EINVAL) last_error_.store(errno);
    if (job.close) {
      ::close(job.fd);
    } else {
      --pending_fsyncs_;
    }
  }
}

}  // namespace vigil::datanode
