#include "datanode/server/child_process_slot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "datanode/store/chained_table.h"

namespace vigil::datanode {
namespace {

// Measuring copy-on-write walks the page tables; Redis spends at most 1% of the child's time on
// it (CHILD_COW_DUTY_CYCLE) and we do the same.
constexpr int64_t kCowDutyCycle = 100;
constexpr int64_t kReportEveryMs = 1000;

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SumPrivateDirty(const char* path) {
  std::FILE* f = std::fopen(path, "re");
  if (f == nullptr) return -1;
  char line[256];
  int64_t kb = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, "Private_Dirty:", 14) == 0) kb += std::strtoll(line + 14, nullptr, 10);
  }
  std::fclose(f);
  return kb * 1024;
}

}  // namespace

struct ChildProcessSlot::Report {
  int32_t final_report = 0;
  int64_t keys = 0;
  int64_t cow_bytes = 0;
  int64_t cow_measured_ms = 0;
};

const char* ChildKindName(ChildKind kind) {
  switch (kind) {
    case ChildKind::kRdb:
      return "RDB";
    case ChildKind::kAofRewrite:
      return "AOF rewrite";
    case ChildKind::kReplicationRdb:
      return "RDB for replication";
    case ChildKind::kNone:
      break;
  }
  return "none";
}

int64_t PrivateDirtyBytes() {
  // smaps_rollup (Linux 4.14+) is the kernel's own sum; smaps is the per-mapping fallback.
  int64_t bytes = SumPrivateDirty("/proc/self/smaps_rollup");
  if (bytes < 0) bytes = SumPrivateDirty("/proc/self/smaps");
  return bytes < 0 ? 0 : bytes;
}

ChildProcessSlot::ChildProcessSlot(const DatanodeConfig* config, Service* service,
                                   spdlog::logger* log)
    : config_(config), service_(service), log_(log) {}

ChildProcessSlot::~ChildProcessSlot() {
  if (read_fd_ >= 0) ::close(read_fd_);
}

pid_t ChildProcessSlot::Fork(ChildKind kind) {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) fds[0] = fds[1] = -1;
  const int64_t keys_total = int64_t(service_->keyspace().TotalKeys());
  const auto before = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    SetTableResizePolicy(TableResizePolicy::kForbid);
    if (in_child_) in_child_(kind);
    if (fds[0] >= 0) ::close(fds[0]);
    write_fd_ = fds[1];
    read_fd_ = -1;
    kind_ = kind;
    child_keys_ = 0;
    child_last_report_ms_ = UnixMs();
    child_last_cow_ms_ = 0;
    child_cow_cost_ms_ = 0;
    return 0;
  }
  if (fds[1] >= 0) ::close(fds[1]);
  if (pid < 0) {
    const int err = errno;
    if (fds[0] >= 0) ::close(fds[0]);
    errno = err;
    return -1;
  }
  ServerStats& stats = service_->stats();
  stats.latest_fork_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - before)
                               .count();
  ++stats.total_forks;
  // Resizing a table now would copy the pages the child still shares with us.
  SetTableResizePolicy(TableResizePolicy::kAvoid);
  pid_ = pid;
  kind_ = kind;
  read_fd_ = fds[0];
  ForkStatus& fs = service_->fork;
  fs.current_cow_peak = fs.current_cow_bytes = fs.current_cow_updated_ms = 0;
  fs.current_save_keys_processed = 0;
  fs.current_save_keys_total = keys_total;
  fs.rdb_child_active = rdb_child();
  fs.child_start_unix_ms = UnixMs();
  return pid;
}

void ChildProcessSlot::Apply(const Report& r) {
  ForkStatus& fs = service_->fork;
  if (r.final_report != 0) {
    if (kind_ == ChildKind::kAofRewrite) {
      fs.aof_last_cow_bytes = r.cow_bytes;
    } else {
      fs.rdb_last_cow_bytes = r.cow_bytes;
    }
    log_->info("Fork CoW for {}: current {} MB, peak {} MB", ChildKindName(kind_),
               r.cow_bytes >> 20, std::max(fs.current_cow_peak, r.cow_bytes) >> 20);
    return;
  }
  fs.current_save_keys_processed = r.keys;
  if (r.cow_measured_ms > 0) {
    fs.current_cow_bytes = r.cow_bytes;
    fs.current_cow_updated_ms = r.cow_measured_ms;
    fs.current_cow_peak = std::max(fs.current_cow_peak, r.cow_bytes);
  }
}

void ChildProcessSlot::Poll() {
  if (read_fd_ < 0) return;
  Report r;
  for (;;) {
    ssize_t n = ::read(read_fd_, &r, sizeof(r));
    if (n < 0 && errno == EINTR) continue;
    // Reports are far smaller than PIPE_BUF, so each write arrives whole.
    if (n != ssize_t(sizeof(r))) return;
    Apply(r);
  }
}

void ChildProcessSlot::Release() {
  Poll();
  if (read_fd_ >= 0) ::close(read_fd_);
  read_fd_ = -1;
  pid_ = -1;
  kind_ = ChildKind::kNone;
  SetTableResizePolicy(TableResizePolicy::kEnable);
  ForkStatus& fs = service_->fork;
  fs.current_cow_peak = fs.current_cow_bytes = fs.current_cow_updated_ms = 0;
  fs.current_save_keys_processed = fs.current_save_keys_total = 0;
  fs.rdb_child_active = false;
}

void ChildProcessSlot::Send(bool final_report, int64_t keys) {
  if (write_fd_ < 0) return;
  Report r;
  r.final_report = final_report ? 1 : 0;
  r.keys = keys;
  const int64_t now = UnixMs();
  if (final_report || child_last_cow_ms_ == 0 ||
      now - child_last_cow_ms_ >= child_cow_cost_ms_ * kCowDutyCycle) {
    const auto start = std::chrono::steady_clock::now();
    child_cow_bytes_ = PrivateDirtyBytes();
    child_cow_cost_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    child_last_cow_ms_ = now;
  }
  r.cow_bytes = child_cow_bytes_;
  r.cow_measured_ms = child_last_cow_ms_;
  // A full pipe drops the report: the parent only misses an intermediate figure. A closed one
  // means the parent is gone (killed by the OOM killer, say): nobody will use what this child
  // writes, so it stops now rather than finish a snapshot for no one, as Redis's children do.
  if (::write(write_fd_, &r, sizeof(r)) < 0 && errno == EPIPE) {
    log_->warn("Child failed reporting info to parent, exiting. {}", std::strerror(errno));
    log_->flush();
    ::_exit(1);
  }
}

size_t ChildProcessSlot::ChildProgressEveryKeys() const {
  return config_->rdb_key_save_delay != 0 ? 1 : 1024;
}

std::function<void(size_t keys)> ChildProcessSlot::ChildProgressFn() {
  return [this](size_t keys) {
    const int64_t delay = config_->rdb_key_save_delay;
    if (delay > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay));
    } else if (delay < 0 && keys % size_t(-delay) == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(1));  // Redis: 1 µs, now and then
    }
    child_keys_ = int64_t(keys);
    const int64_t now = UnixMs();
    if (now - child_last_report_ms_ >= kReportEveryMs) {
      child_last_report_ms_ = now;
      Send(false, child_keys_);
    }
  };
}

void ChildProcessSlot::ChildFinished() {
  Send(false, child_keys_);
  Send(true, child_keys_);
}

}  // namespace vigil::datanode
