#pragma once
// InfoReport: the fields of a data node's INFO reply that Sentinel 7.0 reads
// (docs/sentinel-behaviour.md, "Reactions to INFO"), parsed with Redis's prefix rules. Pure text →
// struct; what the sentinel does with it is in info_reactions.cc.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/host_port.h"

namespace vigil::sentinel {

enum class ReportedRole { kUnknown, kMaster, kSlave };

struct InfoReport {
  std::optional<std::string> run_id;  // only from a run_id line of at least 47 characters
  ReportedRole role = ReportedRole::kUnknown;
  // Replicas listed by a master (slave<N>: lines, new and legacy formats).
  std::vector<HostPort> replicas;
  // master_link_down_since_seconds × 1000; 0 when the line is absent (Redis resets it).
  int64_t master_link_down_ms = 0;
  // The following are read only after role:slave was seen in the same reply.
  std::optional<std::string> master_host;
  std::optional<int> master_port;
  bool master_link_up = false;
  std::optional<int> slave_priority;
  std::optional<int64_t> slave_repl_offset;
  std::optional<bool> replica_announced;
  // Vigil: vigil-datanode's sentinel-fence-timeout (fence_timeout_ms, in any role, only while
  // the option is on). Absent from redis-server's INFO.
  std::optional<int64_t> fence_timeout_ms;
};

InfoReport ParseInfo(std::string_view text);

}  // namespace vigil::sentinel
