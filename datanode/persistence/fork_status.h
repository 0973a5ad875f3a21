#pragma once
// ForkStatus: what INFO persistence reports about the fork child (Redis 7.0's current_cow_*,
// current_save_keys_*, *_last_cow_size). The shell's ChildProcessSlot keeps it current from the
// reports the child sends through a pipe; commands only read it.
#include <cstdint>

namespace vigil::datanode {

struct ForkStatus {
  // An RDB child (BGSAVE or replication snapshot) runs: Redis's rdb_bgsave_in_progress.
  bool rdb_child_active = false;
  int64_t child_start_unix_ms = 0;
  // While a child runs (all zero when none does, as Redis resets them when the child exits).
  int64_t current_cow_peak = 0;
  int64_t current_cow_bytes = 0;
  int64_t current_cow_updated_ms = 0;  // unix ms of the child's last measurement; 0 = none yet
  int64_t current_save_keys_processed = 0;
  int64_t current_save_keys_total = 0;
  // The copy-on-write size the last finished child of each kind measured just before exiting.
  int64_t rdb_last_cow_bytes = 0;  // BGSAVE, save points and replication snapshots
  int64_t aof_last_cow_bytes = 0;  // AOF rewrites
};

}  // namespace vigil::datanode
