#include "sentinel/core/state_snapshot.h"

#include "sentinel/core/instance_registry.h"

namespace vigil::sentinel {

namespace {

PersistedMaster SnapshotMaster(const MasterRecord& master) {
  PersistedMaster pm;
  pm.config = master.config;
  const HostPort& current = master.CurrentAddress();
  pm.config.addr = current;
  pm.config_epoch = master.config_epoch;
  pm.leader_epoch = master.leader_epoch;
  pm.leader = master.leader;
  bool moved = !SameAddress(current, master.instance.addr);
  for (const auto& [name, replica] : master.replicas) {
    if (moved && SameAddress(replica.addr, current)) {
      pm.known_replicas.push_back(master.instance.addr);
    } else {
      pm.known_replicas.push_back(replica.addr);
    }
  }
  for (const auto& [runid, sentinel] : master.sentinels) {
    if (!sentinel.runid.empty()) pm.known_sentinels.push_back({sentinel.addr, sentinel.runid});
  }
  return pm;
}

}  // namespace

PersistentState BuildSnapshot(const CoreState& state) {
  PersistentState out;
  out.myid = state.myid;
  out.current_epoch = state.current_epoch;
  out.globals = state.globals;
  for (const auto& [name, master] : state.masters) out.masters.push_back(SnapshotMaster(master));
  return out;
}

void RestoreState(CoreState& state, const PersistentState& restored) {
  state.myid = restored.myid;
  if (state.myid.size() != 40) {
    state.myid = state.prng.HexId40();
    state.MarkDirty();
  }
  state.current_epoch = restored.current_epoch;
  state.globals = restored.globals;
  for (const PersistedMaster& pm : restored.masters) {
    if (state.masters.count(pm.config.name) > 0) continue;
    if (state.masters.size() >= state.options.max_masters) break;
    MasterRecord& master = CreateMaster(state, pm.config);
    master.config_epoch = pm.config_epoch;
    master.leader_epoch = pm.leader_epoch;
    master.leader = pm.leader;
    // config-epoch also raises current-epoch (spec §15.1).
    if (pm.config_epoch > state.current_epoch) state.current_epoch = pm.config_epoch;
    for (const HostPort& addr : pm.known_replicas) {
      if (!SameAddress(addr, pm.config.addr)) CreateReplica(state, master, addr);
    }
    for (const KnownSentinel& ks : pm.known_sentinels) {
      if (!ks.runid.empty() && ks.runid != state.myid) {
        CreateSentinel(state, master, ks.addr, ks.runid);
      }
    }
    state.EmitFor(EventLevel::kWarning, "+monitor", master, master.instance,
                  "quorum " + std::to_string(master.config.quorum));
  }
}

}  // namespace vigil::sentinel
