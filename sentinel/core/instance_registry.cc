#include "sentinel/core/instance_registry.h"

#include <vector>

#include "common/base/check.h"

namespace vigil::sentinel {

namespace {

InstanceRecord NewInstance(InstanceKind kind, std::string name, const HostPort& addr,
                           MonoTime now) {
  InstanceRecord ri;
  ri.kind = kind;
  ri.name = std::move(name);
  ri.addr = addr;
  ri.created = now;
  ri.role_reported = kind == InstanceKind::kReplica ? ReportedRole::kSlave : ReportedRole::kMaster;
  ri.role_reported_time = now;
  ri.slave_conf_change_time = now;
  ri.last_master_down_reply_time = now;
  return ri;
}

void ReleaseAll(CoreState& state, std::map<std::string, InstanceRecord>& table) {
  for (auto& [name, ri] : table) state.ReleaseLink(ri.link);
  table.clear();
}

}  // namespace

MasterRecord& CreateMaster(CoreState& state, const MasterConfig& config) {
  VIGIL_CHECK(state.masters.count(config.name) == 0);
  MasterRecord& master = state.masters[config.name];
  ++state.masters_version;
  master.config = config;
  master.instance = NewInstance(InstanceKind::kMaster, config.name, config.addr, state.now);
  master.instance.link = state.links.Create(config.addr, false, state.now);
  state.links.Find(master.instance.link)->owner = Link::OwnerHint{config.name, ""};
  return master;
}

void DestroyMaster(CoreState& state, const std::string& name) {
  MasterRecord* master = state.FindMaster(name);
  if (master == nullptr) return;
  ReleaseAll(state, master->replicas);
  ReleaseAll(state, master->sentinels);
  state.ReleaseLink(master->instance.link);
  state.masters.erase(name);
  ++state.masters_version;
}

InstanceRecord* CreateReplica(CoreState& state, MasterRecord& master, const HostPort& addr) {
  std::string name = FormatHostPort(addr);
  if (master.replicas.count(name) > 0) return nullptr;
  if (master.replicas.size() >= state.options.max_replicas_per_master) return nullptr;
  InstanceRecord& ri = master.replicas[name] =
      NewInstance(InstanceKind::kReplica, name, addr, state.now);
  ri.link = state.links.Create(addr, false, state.now);
  state.links.Find(ri.link)->owner = Link::OwnerHint{master.instance.name, name};
  state.Wake(master);
  return &ri;
}

namespace {

// sentinelTryConnectionSharing: reuse the link of the same sentinel known under another master.
LinkId FindSharableLink(CoreState& state, const MasterRecord& master, const HostPort& addr,
                        const std::string& runid) {
  for (auto& [name, other] : state.masters) {
    if (&other == &master) continue;
    auto it = other.sentinels.find(runid);
    if (it != other.sentinels.end() && SameAddress(it->second.addr, addr)) return it->second.link;
  }
  return 0;
}

}  // namespace

InstanceRecord* CreateSentinel(CoreState& state, MasterRecord& master, const HostPort& addr,
                               const std::string& runid) {
  if (master.sentinels.count(runid) > 0) return nullptr;
  if (master.sentinels.size() >= state.options.max_sentinels_per_master) return nullptr;
  InstanceRecord& ri = master.sentinels[runid] =
      NewInstance(InstanceKind::kSentinel, runid, addr, state.now);
  ri.runid = runid;
  LinkId shared = FindSharableLink(state, master, addr, runid);
  if (shared != 0) {
    ri.link = shared;
    ++state.links.Find(shared)->refcount;
  } else {
    ri.link = state.links.Create(addr, true, state.now);
  }
  state.Wake(master);
  return &ri;
}

void RemoveSentinel(CoreState& state, MasterRecord& master, const std::string& runid) {
  auto it = master.sentinels.find(runid);
  if (it == master.sentinels.end()) return;
  state.ReleaseLink(it->second.link);
  master.sentinels.erase(it);
}

int RemoveSentinelsByRunId(CoreState& state, MasterRecord& master, const std::string& runid) {
  if (master.sentinels.count(runid) == 0) return 0;
  RemoveSentinel(state, master, runid);
  return 1;
}

void ResetMaster(CoreState& state, MasterRecord& master, bool keep_sentinels) {
  state.Wake(master);
  ReleaseAll(state, master.replicas);
  if (!keep_sentinels) ReleaseAll(state, master.sentinels);
  // Peers' "down" answers were about the old address; they must not count for the new one
  // (Redis keeps them for up to 5 s, which can fake an ODOWN right after a switch).
  for (auto& [runid, si] : master.sentinels) si.master_down = false;
  Link& link = state.LinkOf(master.instance);
  state.CloseChannel(link, Channel::kCommand);
  state.CloseChannel(link, Channel::kPubSub);
  InstanceRecord& ri = master.instance;
  ri.s_down = false;
  ri.o_down = false;
  ri.script_kill_sent = false;
  ri.reboot = false;
  master.leader.clear();
  master.failover = FailoverProgress{};
  ri.runid.clear();
  ri.slave_master_host.clear();
  link.health = LinkHealth::Fresh(state.now);
  ri.role_reported_time = state.now;
  ri.role_reported = ReportedRole::kMaster;
}

void ResetMasterAndChangeAddress(CoreState& state, MasterRecord& master, const HostPort& addr) {
  std::vector<HostPort> replicas;
  for (const auto& [name, replica] : master.replicas) {
    if (!SameAddress(replica.addr, addr)) replicas.push_back(replica.addr);
  }
  HostPort old_addr = master.instance.addr;
  bool moved = !SameAddress(addr, old_addr);
  // Vigil: until the new master's own INFO arrives, assume it fences like the replica it was
  // (or like the old master, whose record is reused): a slower PING could raise its fence.
  Millis fence_timeout = master.instance.fence_timeout;
  if (auto it = master.replicas.find(FormatHostPort(addr)); it != master.replicas.end()) {
    fence_timeout = it->second.fence_timeout;
  }
  if (moved) replicas.push_back(old_addr);

  ResetMaster(state, master, /*keep_sentinels=*/true);
  // The master's link follows the address: a fresh link to the new node.
  state.ReleaseLink(master.instance.link);
  master.instance.link = state.links.Create(addr, false, state.now);
  state.links.Find(master.instance.link)->owner = Link::OwnerHint{master.instance.name, ""};
  master.instance.addr = addr;
  master.config.addr = addr;
  master.instance.s_down_since.reset();
  master.instance.o_down_since.reset();
  // Vigil: "looks sane" must be judged on the new node's own INFO, not the old one's.
  master.instance.info_refresh.reset();
  master.instance.info_text.clear();
  master.instance.fence_timeout = fence_timeout;
  if (moved) master.stale_master = StaleMaster{old_addr, master.config_epoch};

  for (const HostPort& replica_addr : replicas) {
    if (InstanceRecord* replica = CreateReplica(state, master, replica_addr)) {
      state.EmitFor(EventLevel::kNotice, "+slave", master, *replica);
    }
  }
  state.MarkDirty();
}

}  // namespace vigil::sentinel
