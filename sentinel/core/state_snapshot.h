#pragma once
// Converting between the live CoreState and PersistentState: what is written on a flush
// (docs/sentinel-behaviour.md, "Config file") and how records are rebuilt from it after a restart.
#include "sentinel/core/core_state.h"
#include "sentinel/core/persistent_state.h"

namespace vigil::sentinel {

// The state to persist. Once a promotion is confirmed, the master address is the promoted one and
// the promoted replica is listed under the old master's address, as Redis's rewrite does.
PersistentState BuildSnapshot(const CoreState& state);

// Rebuilds masters, replicas and sentinels from `restored` at state.now. Draws a new myid when
// the restored one is empty (and marks the state dirty so it is persisted at once). Emits
// +monitor for every master.
void RestoreState(CoreState& state, const PersistentState& restored);

}  // namespace vigil::sentinel
