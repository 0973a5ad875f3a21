#include "sentinel/shell/script_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

extern char** environ;

namespace vigil::sentinel {

namespace {

// In the child: close every descriptor above stderr so no socket or file of ours leaks.
void CloseInheritedDescriptors() {
  if (::close_range(3, ~0U, 0) == 0) return;
  int maxfd = 1024;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) maxfd = int(rl.rlim_cur);
  for (int fd = 3; fd < maxfd; ++fd) ::close(fd);
}

}  // namespace

ScriptRunner::~ScriptRunner() {
  for (Job& j : jobs_) {
    if (j.pid > 0) ::kill(j.pid, SIGKILL);
  }
}

void ScriptRunner::Enqueue(std::vector<std::string> argv, MonoTime now) {
  Job job;
  job.argv = std::move(argv);
  job.start_time = now;
  jobs_.push_back(std::move(job));
  if (jobs_.size() > kMaxQueue) {
    // Drop the oldest job that is not running.
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [](const Job& j) { return j.pid == 0; });
    if (it != jobs_.end()) jobs_.erase(it);
  }
}

void ScriptRunner::Start(Job& job, MonoTime now) {
  std::vector<char*> argv;
  for (auto& a : job.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  ++job.retry_num;
  job.start_time = now;
  pid_t pid = ::fork();
  if (pid == -1) {
    emit_(Event{EventLevel::kWarning, "-script-error", job.argv[0] + " 99 0", ""});
    job.pid = -1;  // reaped below as a failed run
    return;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) ::signal(s, SIG_DFL);
    CloseInheritedDescriptors();
    ::execve(argv[0], argv.data(), environ);
    ::_exit(2);  // a failed execve is not retried
  }
  job.pid = pid;
  ++running_;
  emit_(Event{EventLevel::kDebug, "+script-child", std::to_string(pid), ""});
}

void ScriptRunner::Reap(MonoTime now, Millis retry_delay) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->pid == 0) {
      ++it;
      continue;
    }
    int status = 0;
    bool fork_failed = it->pid == -1;
    pid_t r = fork_failed ? it->pid : ::waitpid(it->pid, &status, WNOHANG);
    if (r == 0) {
      ++it;
      continue;
    }
    if (!fork_failed) {
      --running_;
      emit_(Event{EventLevel::kDebug, "-script-child", std::to_string(it->pid), ""});
    }
    int exitcode = fork_failed ? 99 : WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int bysignal = !fork_failed && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (!fork_failed && exitcode == 0 && bysignal == 0) {
      it = jobs_.erase(it);
      continue;
    }
    if (!fork_failed && (exitcode == 1 || bysignal != 0) && it->retry_num < kMaxRetry) {
      it->pid = 0;
      it->start_time = now + retry_delay * (int64_t(1) << (it->retry_num - 1));
      ++it;
      continue;
    }
    if (!fork_failed) {
      emit_(Event{EventLevel::kWarning, "-script-error",
                  it->argv[0] + " " + std::to_string(bysignal) + " " + std::to_string(exitcode),
                  ""});
    }
    it = jobs_.erase(it);
  }
}

void ScriptRunner::Run(MonoTime now, Millis max_runtime, Millis retry_delay) {
  Reap(now, retry_delay);
  for (Job& j : jobs_) {
    if (j.pid > 0 && now - j.start_time > max_runtime) {
      ::kill(j.pid, SIGKILL);
      emit_(Event{EventLevel::kWarning, "-script-timeout", j.argv[0] + " " + std::to_string(j.pid),
                  ""});
    }
  }
  for (Job& j : jobs_) {
    if (running_ >= kMaxRunning) break;
    if (j.pid == 0 && j.start_time <= now) Start(j, now);
  }
}

}  // namespace vigil::sentinel
