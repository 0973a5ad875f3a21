#include "sentinel/core/state_snapshot.h"

#include "sentinel/core/instance_registry.h"

namespace vigil::sentinel {

namespace {

// Addresses are written as replies show them (Redis writes its rewrite with the announced
// address), so a hostname stays in the file only while announce-hostnames is on.
HostPort Announced(const CoreState& state, const HostPort& addr, LinkId link) {
  return {state.AnnouncedHost(addr, link), addr.port};
}

PersistedMaster SnapshotMaster(const CoreState& state, const MasterRecord& master) {
  PersistedMaster pm;
  pm.config = master.config;
  const HostPort& current = master.CurrentAddress();
  const InstanceRecord* promoted = master.promoted_replica();
  LinkId current_link = promoted != nullptr && SameAddress(promoted->addr, current)
                            ? promoted->link
                            : master.instance.link;
  pm.config.addr = Announced(state, current, current_link);
  pm.config_epoch = master.config_epoch;
  pm.leader_epoch = master.leader_epoch;
  pm.leader = master.leader;
  bool moved = !SameAddress(current, master.instance.addr);
  for (const auto& [name, replica] : master.replicas) {
    if (moved && SameAddress(replica.addr, current)) {
      pm.known_replicas.push_back(Announced(state, master.instance.addr, master.instance.link));
    } else {
      pm.known_replicas.push_back(Announced(state, replica.addr, replica.link));
    }
  }
  for (const auto& [runid, sentinel] : master.sentinels) {
    if (!sentinel.runid.empty()) {
      pm.known_sentinels.push_back(
          {Announced(state, sentinel.addr, sentinel.link), sentinel.runid});
    }
  }
  return pm;
}

}  // namespace

PersistentState BuildSnapshot(const CoreState& state) {
  PersistentState out;
  out.myid = state.myid;
  out.current_epoch = state.current_epoch;
  out.globals = state.globals;
  for (const auto& [name, master] : state.masters)
    out.masters.push_back(SnapshotMaster(state, master));
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
    // config-epoch also raises current-epoch, as when Redis loads its config file.
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
