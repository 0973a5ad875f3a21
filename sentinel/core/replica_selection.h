#pragma once
// Replica selection (docs/sentinel-behaviour.md, "Replica selection"): which replicas may be
// promoted and in which order. The rules are pure functions over ReplicaView so they can be tested
// as a table; SelectReplica builds the views from the core's records.
#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

struct ReplicaView {
  std::string name;
  std::string runid;  // empty: unknown, sorts last
  bool down = false;  // SDOWN or ODOWN
  bool disconnected = false;
  Millis since_valid_reply{0};
  std::optional<Millis> info_age;  // nullopt: never got INFO
  int priority = kDefaultReplicaPriority;
  int64_t master_link_down_ms = 0;
  int64_t repl_offset = 0;
};

struct SelectionContext {
  bool master_sdown = false;
  Millis master_down_for{0};  // now - s_down_since while SDOWN
  Millis down_after{30000};
  Millis ping_period{1000};
  Millis info_period{10000};
};

// The filters. Priority 0 is never eligible.
bool IsEligible(const ReplicaView& replica, const SelectionContext& ctx);

// The order: lower priority, then higher offset, then run id (case-insensitive,
// missing last).
bool RanksBefore(const ReplicaView& a, const ReplicaView& b);

// The best eligible replica's name.
std::optional<std::string> PickReplica(const std::vector<ReplicaView>& replicas,
                                       const SelectionContext& ctx);

// sentinelSelectSlave over `master`'s replicas; nullptr when none qualifies.
InstanceRecord* SelectReplica(CoreState& state, MasterRecord& master);

}  // namespace vigil::sentinel
