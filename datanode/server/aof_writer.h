#pragma once
// AofWriter: the AOF's Propagator. Every change the Service executes is rendered into an
// in-memory buffer (with SELECT when the database changes); the buffer reaches the current incr
// file in Flush(), which the server calls before any reply leaves (Redis's beforeSleep):
//   always   - write + fdatasync in the loop before replies; a failed fsync is fatal.
//   everysec - write in the loop, fdatasync on the background thread at most once a second;
//              while a background fsync is still running the write is postponed (not blocked)
//              for up to 2 s, then done anyway and counted in aof_delayed_fsync.
//   no       - write only.
// Loop thread only (the fsync thread is internal).
#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datanode/persistence/aof_record.h"
#include "datanode/persistence/aof_status.h"
#include "datanode/server/bio_fsync.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

enum class AppendFsync { kAlways = 0, kEverysec = 1, kNo = 2 };  // config order

class AofWriter final : public Propagator {
 public:
  AofWriter(AofStatus* status, spdlog::logger* log);
  ~AofWriter() override;

  // Takes ownership of `fd` (the incr file, opened for append) whose size is `size`.
  void Open(int fd, int64_t size);
  // Starts a new incr file: flushes the buffer to the old one, which is then fsynced and
  // closed in the background. The next record starts with a SELECT.
  void SwitchFile(int fd, int64_t size);
  // Writes the buffer (and fsyncs, per policy). `force` ignores everysec's postponement.
  // Returns false when a write failed.
  bool Flush(AppendFsync policy, int64_t now_ms, bool force);
  // Once a second or so: retries postponed writes and starts due background fsyncs.
  void Cron(AppendFsync policy, int64_t now_ms);
  // Shutdown: writes everything and fsyncs in the foreground.
  void CloseDurably();

  bool is_open() const { return fd_ >= 0; }
  bool has_pending() const { return !buf_.empty(); }
  int64_t file_size() const { return file_size_; }
  // aof-timestamp-enabled: the wall clock in seconds, or -1 when annotations are off. A
  // command written in a later second than the last annotation gets a #TS:<seconds> line
  // before it, as Redis writes them.
  void set_timestamp_source(std::function<int64_t()> source) {
    timestamp_source_ = std::move(source);
  }
  // The replication mark to end each written batch with (aof_repl_mark.h), or "" for none.
  void set_mark_source(std::function<std::string()> source) { mark_source_ = std::move(source); }

  // Propagator
  void Propagate(int db, const std::vector<std::string>& argv) override;
  int target() const override { return kReplAof; }

 private:
  bool WriteBuffer();
  // Ends the buffer with a replication mark when commands were buffered since the last one.
  void AppendMark();
  void Fsync(AppendFsync policy, int64_t now_ms);

  AofStatus* status_;
  spdlog::logger* log_;
  std::unique_ptr<BackgroundFsync> bio_;
  AofEncoder encoder_;
  std::string buf_;
  std::function<std::string()> mark_source_;
  std::function<int64_t()> timestamp_source_;
  int64_t last_timestamp_ = 0;
  bool data_since_mark_ = false;  // commands buffered since the last mark
  int fd_ = -1;
  int64_t file_size_ = 0;     // bytes written to the current incr file
  int64_t fsynced_size_ = 0;  // file_size_ at the last fsync (started)
  int64_t last_fsync_sec_ = 0;
  int64_t postponed_since_ms_ = 0;
};

}  // namespace vigil::datanode
