#pragma once
// What the sentinel does with an INFO reply (docs/sentinel-behaviour.md, "Reactions to INFO"):
// record the fields, discover replicas, notice reboots and role changes, and, outside TILT, act:
// confirm a promotion, convert a stray master to a replica, fix a replica following the wrong
// master, and track reconfiguration progress during a failover.
#include <string>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// Requires: `ri` belongs to `master` (the master itself or one of its replicas).
void ApplyInfo(CoreState& state, MasterRecord& master, InstanceRecord& ri, const std::string& text);

// Vigil's fast path: `ri` is the address our last switch moved away from, and nothing newer
// than that switch is known for this master, so its role:master claim is stale for sure.
bool IsKnownStaleMaster(const CoreState& state, const MasterRecord& master,
                        const InstanceRecord& ri);

}  // namespace vigil::sentinel
