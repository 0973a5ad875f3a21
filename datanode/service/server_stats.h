#pragma once
// Counters behind INFO stats / commandstats / errorstats, and process facts the shell supplies.
#include <cstdint>
#include <map>
#include <string>

#include "datanode/service/latency_histogram.h"

namespace vigil::datanode {

struct CommandStat {
  int64_t calls = 0;
  int64_t usec = 0;
  int64_t rejected_calls = 0;
  int64_t failed_calls = 0;
  LatencyHistogram latency;  // latency-tracking: INFO latencystats, LATENCY HISTOGRAM
};

struct ServerStats {
  int64_t start_ms = 0;
  int64_t total_connections_received = 0;
  int64_t total_commands_processed = 0;
  int64_t rejected_connections = 0;
  int64_t total_error_replies = 0;
  int64_t unexpected_error_replies = 0;
  int64_t total_net_input_bytes = 0;
  int64_t total_net_output_bytes = 0;
  int64_t total_reads_processed = 0;
  int64_t total_writes_processed = 0;
  int64_t client_recent_max_input_buffer = 0;
  int64_t client_recent_max_output_buffer = 0;
  int64_t latest_fork_usec = 0;  // set by the shell after each fork (BGSAVE, AOF rewrite)
  int64_t total_forks = 0;
  // Replication (kept by the replication shell).
  int64_t sync_full = 0;
  int64_t sync_partial_ok = 0;
  int64_t sync_partial_err = 0;
  int64_t total_net_repl_input_bytes = 0;
  int64_t total_net_repl_output_bytes = 0;
  std::map<std::string, int64_t> errorstats;  // by error code
  std::map<std::string, CommandStat> commandstats;
};

struct ProcessInfo {
  int64_t pid = 0;
  int64_t tcp_port = 0;
  int64_t uptime_seconds = 0;
  int64_t rss_bytes = 0;
  int64_t peak_used_memory = 0;
  int64_t startup_used_memory = 0;
  double cpu_sys = 0, cpu_user = 0, cpu_sys_children = 0, cpu_user_children = 0;
  std::string executable;
  std::string config_file;
  int64_t connected_clients = 0;
  int64_t total_system_memory = 0;
  int64_t shutdown_in_ms = -1;  // while a SHUTDOWN waits for its replicas (INFO server)
  int64_t migrate_cached_sockets = 0;
};

}  // namespace vigil::datanode
