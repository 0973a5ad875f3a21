#pragma once
// AofStatus: the AOF facts INFO persistence reports. The shell (AofManager, AofWriter) keeps it
// current; the INFO command only reads it.
#include <cstdint>

namespace vigil::datanode {

struct AofStatus {
  bool rewrite_in_progress = false;
  bool rewrite_scheduled = false;
  int64_t last_rewrite_time_sec = -1;
  int64_t rewrite_start_unix_ms = 0;  // valid while a rewrite runs
  bool last_bgrewrite_ok = true;
  int64_t rewrites = 0;
  int64_t rewrites_consecutive_failures = 0;
  bool last_write_ok = true;
  int last_write_errno = 0;
  int64_t current_size = 0;  // base + incr files
  int64_t base_size = 0;     // current_size after the last rewrite or at startup
  int64_t buffer_length = 0;
  int64_t pending_bio_fsync = 0;
  int64_t delayed_fsync = 0;
};

}  // namespace vigil::datanode
