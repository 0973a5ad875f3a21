#pragma once
// ScriptRunner: notification-script and client-reconfig-script jobs the way Redis 7.0 runs them
// (docs/sentinel-behaviour.md, "Scripts"): a queue of at most 256 jobs (the oldest one not running
// is dropped beyond that), at most 16 running at once, fork + execve with no descriptor of ours
// leaking into the child, SIGKILL after the max runtime (-script-timeout), retries after exit code
// 1 or a signal with delay retry_delay × 2^(n-1) up to 10 runs, and -script-error for exit codes
// ≥ 2.
#include <sys/types.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "common/time/mono_time.h"
#include "sentinel/core/events.h"

namespace vigil::sentinel {

class ScriptRunner {
 public:
  static constexpr size_t kMaxQueue = 256;
  static constexpr int kMaxRunning = 16;
  static constexpr int kMaxRetry = 10;

  struct Job {
    std::vector<std::string> argv;
    pid_t pid = 0;           // 0: scheduled
    int retry_num = 0;       // runs so far
    MonoTime start_time{0};  // running: when it started; scheduled: earliest start
  };

  using EventSink = std::function<void(Event)>;

  explicit ScriptRunner(EventSink emit) : emit_(std::move(emit)) {}
  ~ScriptRunner();

  void Enqueue(std::vector<std::string> argv, MonoTime now);
  // Reaps finished children, kills overdue ones, starts due jobs. Call every tick.
  void Run(MonoTime now, Millis max_runtime, Millis retry_delay);

  const std::deque<Job>& jobs() const { return jobs_; }
  int running() const { return running_; }
  size_t queue_length() const { return jobs_.size(); }

 private:
  void Start(Job& job, MonoTime now);
  void Reap(MonoTime now, Millis retry_delay);

  EventSink emit_;
  std::deque<Job> jobs_;
  int running_ = 0;
};

}  // namespace vigil::sentinel
