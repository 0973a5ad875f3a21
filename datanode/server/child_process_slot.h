#pragma once
// ChildProcessSlot: the one fork child a data node runs at a time, as Redis allows only one
// (hasActiveChildProcess). BGSAVE and save points (Snapshotter), AOF rewrites (AofManager) and
// replication snapshots (MasterLinks) all fork through it: each owner asks `busy()` first and
// waits, schedules or refuses as Redis does when another kind of child runs; it reaps its own
// child with waitpid and then calls Release().
//
// The child reports through a pipe, as Redis's child-info pipe does: every second or so the
// number of keys written and its copy-on-write size (the Private_Dirty total of
// /proc/self/smaps_rollup: pages the parent modified since the fork that the child now holds a
// private copy of), and just before exiting its final copy-on-write size. The parent drains the
// pipe from cron into Service::fork, which INFO persistence reads.
//
// The owner's work in the child runs between Fork() returning 0 and its _exit; the progress
// callback from ChildProgressFn() also applies rdb-key-save-delay (a test knob Redis has too).
// Loop thread only.
#include <spdlog/logger.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>

#include "datanode/config/datanode_config.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

enum class ChildKind { kNone, kRdb, kAofRewrite, kReplicationRdb };

const char* ChildKindName(ChildKind kind);

class ChildProcessSlot {
 public:
  ChildProcessSlot(const DatanodeConfig* config, Service* service, spdlog::logger* log);
  ~ChildProcessSlot();
  ChildProcessSlot(const ChildProcessSlot&) = delete;
  ChildProcessSlot& operator=(const ChildProcessSlot&) = delete;

  bool busy() const { return pid_ > 0; }
  ChildKind kind() const { return kind_; }
  pid_t pid() const { return pid_; }
  // A child writing an RDB (BGSAVE or a replication snapshot): Redis's CHILD_TYPE_RDB.
  bool rdb_child() const { return kind_ == ChildKind::kRdb || kind_ == ChildKind::kReplicationRdb; }

  // fork(2) for `kind`. Returns 0 in the child, the pid in the parent, -1 (errno set) when the
  // fork failed. Must not be called while busy(). Records fork time and count for INFO stats.
  pid_t Fork(ChildKind kind);
  // Runs first in every child: the server closes its listening sockets there, so that a parent
  // that dies (or exits) frees its port even while a child still runs, as Redis's children do,
  // and names the child's process title after its `kind`.
  void set_in_child(std::function<void(ChildKind)> fn) { in_child_ = std::move(fn); }
  // The owner reaped its child: the last reports are read and the slot is free again.
  void Release();
  // Reads whatever the child reported so far (cron).
  void Poll();

  // --- in the child ---
  // Progress callback for the RDB writer: counts keys, sleeps rdb-key-save-delay per key and
  // reports about once a second. `every_keys` is how often the writer should call it.
  std::function<void(size_t keys)> ChildProgressFn();
  size_t ChildProgressEveryKeys() const;
  // Sends the final copy-on-write size; call just before _exit.
  void ChildFinished();

 private:
  struct Report;
  void Send(bool final_report, int64_t keys);
  void Apply(const Report& r);

  const DatanodeConfig* config_;
  Service* service_;
  spdlog::logger* log_;
  pid_t pid_ = -1;
  ChildKind kind_ = ChildKind::kNone;
  int read_fd_ = -1;   // parent
  int write_fd_ = -1;  // child
  // Child-side bookkeeping.
  int64_t child_keys_ = 0;
  int64_t child_last_report_ms_ = 0;
  int64_t child_last_cow_ms_ = 0;
  int64_t child_cow_cost_ms_ = 0;
  int64_t child_cow_bytes_ = 0;
  std::function<void(ChildKind)> in_child_;
};

// Sum of Private_Dirty over this process's mappings, in bytes (0 when /proc cannot say).
int64_t PrivateDirtyBytes();

}  // namespace vigil::datanode
