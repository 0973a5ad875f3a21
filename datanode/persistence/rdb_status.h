#pragma once
// RdbStatus: the RDB snapshot facts INFO persistence reports. The shell (Snapshotter) keeps it
// current; commands only read it.
#include <cstdint>
#include <string>

namespace vigil::datanode {

struct RdbStatus {
  bool bgsave_in_progress = false;
  bool bgsave_scheduled = false;     // BGSAVE SCHEDULE waiting for another child to finish
  int64_t bgsave_start_unix_ms = 0;  // valid while bgsave_in_progress
  bool last_bgsave_ok = true;
  int64_t last_bgsave_time_sec = -1;
  int64_t saves = 0;  // successful SAVE/BGSAVE since start (rdb_saves)
  int64_t last_load_keys_loaded = 0;
  int64_t last_load_keys_expired = 0;
  // The replication history the startup RDB carried (repl-id / repl-offset AUX); empty id if
  // none. Replication uses it to PSYNC after a restart.
  std::string loaded_repl_id;
  int64_t loaded_repl_offset = -1;
};

}  // namespace vigil::datanode
