#pragma once
// Test knobs that DEBUG subcommands turn (Redis keeps them as server.* fields). They change
// timing or checks only, never data, and every one starts at Redis's default.
#include <cstdint>

namespace vigil::datanode {

struct DebugSettings {
  // DEBUG QUICKLIST-PACKED-THRESHOLD: elements this large or larger get a node of their own.
  int64_t quicklist_packed_threshold = 1LL << 30;
  // DEBUG SET-SKIP-CHECKSUM-VALIDATION: RDB loads do not verify the CRC64 trailer.
  bool skip_checksum_validation = false;
  // DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before each write of the AOF buffer.
  int64_t aof_flush_sleep_us = 0;
  // DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call no-script commands.
  bool disable_deny_scripts = false;
  // DEBUG PAUSE-CRON: the periodic server cron does nothing.
  bool pause_cron = false;
  // DEBUG REPLYBUFFER PEAK-RESET-TIME (ms, -1 never) and RESIZING.
  int64_t reply_buffer_peak_reset_time_ms = 5000;
  bool reply_buffer_resizing = true;
  // DEBUG DROP-CLUSTER-PACKET-FILTER (no cluster bus here; kept for CONFIG-like symmetry).
  int64_t cluster_drop_packet_filter = -1;
};

}  // namespace vigil::datanode
