#pragma once
// Creating, removing and resetting the instances of a master (Redis's createSentinelRedisInstance,
// sentinelResetMaster, sentinelResetMasterAndChangeAddress). These functions emit the events that
// belong to the structure change itself (+slave after an address change) and mark state dirty
// where Redis flushes its config.
#include <string>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// A new master record from `config`, with a fresh link. Requires: no master of that name.
MasterRecord& CreateMaster(CoreState& state, const MasterConfig& config);

// Removes the master and releases every link it holds.
void DestroyMaster(CoreState& state, const std::string& name);

// A replica named "ip:port"; nullptr when it exists already or the per-master bound is reached.
InstanceRecord* CreateReplica(CoreState& state, MasterRecord& master, const HostPort& addr);

// A peer sentinel keyed by runid, sharing an existing link to the same runid and address under
// another master when there is one. nullptr when it exists or the bound is reached.
InstanceRecord* CreateSentinel(CoreState& state, MasterRecord& master, const HostPort& addr,
                               const std::string& runid);

void RemoveSentinel(CoreState& state, MasterRecord& master, const std::string& runid);

// Removes every sentinel with `runid` from `master`; returns how many were removed.
int RemoveSentinelsByRunId(CoreState& state, MasterRecord& master, const std::string& runid);

// sentinelResetMaster: forget replicas (and sentinels unless `keep_sentinels`), abort any
// failover, reset flags and timers, close the master's connections.
void ResetMaster(CoreState& state, MasterRecord& master, bool keep_sentinels);

// sentinelResetMasterAndChangeAddress: replicas are re-created (minus the new address, plus the
// old master's), sentinels kept, +slave for each, config flushed.
void ResetMasterAndChangeAddress(CoreState& state, MasterRecord& master, const HostPort& addr);

}  // namespace vigil::sentinel
