#include "sentinel/core/hello_protocol.h"

#include <string>
#include <vector>

#include "common/wire/sentinel_hello.h"
#include "sentinel/core/instance_registry.h"

namespace vigil::sentinel {

bool SendHello(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  Link& link = state.LinkOf(ri);
  if (!link.CommandUp()) return false;
  SentinelHello hello;
  hello.sentinel.host =
      state.globals.announce_ip.empty() ? link.local_ip : state.globals.announce_ip;
  if (hello.sentinel.host.empty()) return false;
  hello.sentinel.port =
      state.globals.announce_port != 0 ? state.globals.announce_port : state.options.port;
  hello.runid = state.myid;
  hello.current_epoch = state.current_epoch;
  hello.master_name = master.instance.name;
  hello.master = master.CurrentAddress();
  hello.master_config_epoch = master.config_epoch;
  if (!state.Send(master, ri, PublishHelloCommand{EncodeSentinelHello(hello)},
                  RequestKind::kHello)) {
    return false;
  }
  ri.hello_pending = true;
  ri.last_hello_sent = state.now;
  return true;
}

void SendPromptHello(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (!state.options.event_driven) return;
  if (ri.last_hello_sent && state.now - *ri.last_hello_sent < kPromptHelloGap) return;
  SendHello(state, master, ri);
}

void ForceHellos(CoreState& state, MasterRecord& master) {
  auto force = [&](InstanceRecord& ri) {
    if (state.options.event_driven) {
      SendHello(state, master, ri);
    } else {
      ri.last_pub_time.reset();
    }
  };
  force(master.instance);
  for (auto& [name, replica] : master.replicas) force(replica);
  for (auto& [name, sentinel] : master.sentinels) force(sentinel);
}

namespace {

// sentinelUpdateSentinelAddressInAllMasters: the sentinel moved; make every other master's entry
// for it use the new address and the same link. Returns how many entries changed.
int UpdateSentinelAddressInAllMasters(CoreState& state, const MasterRecord& owner,
                                      const InstanceRecord& si) {
  int updated = 0;
  for (auto& [name, master] : state.masters) {
    if (&master == &owner) continue;
    auto it = master.sentinels.find(si.runid);
    if (it == master.sentinels.end() || SameAddress(it->second.addr, si.addr)) continue;
    state.ReleaseLink(it->second.link);
    it->second.link = si.link;
    ++state.LinkOf(si).refcount;
    it->second.addr = si.addr;
    state.Wake(master);
    ++updated;
  }
  return updated;
}

// Step 2 of receiving (docs/sentinel-behaviour.md, "Hello protocol"): a sender we do not know
// under this address and runid.
InstanceRecord* AddUnknownSentinel(CoreState& state, MasterRecord& master, const SentinelHello& h) {
  int removed = RemoveSentinelsByRunId(state, master, h.runid);
  if (removed > 0) {
    state.EmitFor(
        EventLevel::kNotice, "+sentinel-address-switch", master, master.instance,
        "ip " + h.sentinel.host + " port " + std::to_string(h.sentinel.port) + " for " + h.runid);
  } else {
    for (auto& [runid, other] : master.sentinels) {
      if (!SameAddress(other.addr, h.sentinel)) continue;
      // Same address, new identity: the old one is gone for good, everywhere.
      state.EmitFor(EventLevel::kNotice, "+sentinel-invalid-addr", master, other);
      std::string obsolete = other.runid;
      for (auto& [name, m] : state.masters) RemoveSentinelsByRunId(state, m, obsolete);
      break;
    }
  }
  InstanceRecord* si = CreateSentinel(state, master, h.sentinel, h.runid);
  if (si == nullptr) return nullptr;
  if (removed == 0) {
    state.EmitFor(EventLevel::kNotice, "+sentinel", master, *si);
  } else {
    int n = UpdateSentinelAddressInAllMasters(state, master, *si);
    if (n > 0) {
      state.EmitFor(EventLevel::kNotice, "+sentinel-address-update", master, *si,
                    std::to_string(n) + " additional matching instances");
    }
  }
  state.MarkDiscovered();
  return si;
}

void SwitchFromHello(CoreState& state, MasterRecord& master, const InstanceRecord& sender,
                     const SentinelHello& h) {
  state.EmitFor(EventLevel::kWarning, "+config-update-from", master, sender);
  HostPort old_addr = master.CurrentAddress();
  state.Emit(EventLevel::kWarning, "+switch-master", &master,
             master.instance.name + " " + old_addr.host + " " + std::to_string(old_addr.port) +
                 " " + h.master.host + " " + std::to_string(h.master.port));
  ResetMasterAndChangeAddress(state, master, h.master);
  if (!master.config.client_reconfig_script.empty()) {
    state.actions.push_back(
        RunScript{{master.config.client_reconfig_script, master.instance.name, "observer", "start",
                   old_addr.host, std::to_string(old_addr.port), h.master.host,
                   std::to_string(h.master.port)}});
  }
}

}  // namespace

namespace {

// The data node whose pub/sub connection is `conn`.
void PromptHelloThrough(CoreState& state, ConnId conn) {
  Channel channel;
  const Link* link = state.links.FindByConn(conn, &channel);
  if (link == nullptr || !link->owner) return;
  MasterRecord* master = state.FindMaster(link->owner->master);
  if (master == nullptr) return;
  InstanceRecord* ri =
      link->owner->instance.empty()
          ? &master->instance
          : state.FindInstance(*master, InstanceKind::kReplica, link->owner->instance);
  if (ri != nullptr && ri->link == link->id) SendPromptHello(state, *master, *ri);
}

}  // namespace

void ProcessHello(CoreState& state, std::string_view payload, ConnId pubsub_conn) {
  bool via_pubsub = pubsub_conn != 0;
  if (via_pubsub && payload.find(state.myid) != std::string_view::npos) return;
  std::optional<SentinelHello> hello = DecodeSentinelHello(payload);
  if (!hello) return;
  MasterRecord* master = state.FindMaster(hello->master_name);
  if (master == nullptr) return;
  if (hello->runid == state.myid) return;  // a mirrored copy of our own hello

  InstanceRecord* si = nullptr;
  auto it = master->sentinels.find(hello->runid);
  if (it != master->sentinels.end() && SameAddress(it->second.addr, hello->sentinel)) {
    si = &it->second;
  } else {
    si = AddUnknownSentinel(state, *master, *hello);
    if (si != nullptr && via_pubsub) PromptHelloThrough(state, pubsub_conn);
  }

  if (hello->current_epoch > state.current_epoch) {
    state.current_epoch = hello->current_epoch;
    state.MarkDirty();
    state.Emit(EventLevel::kWarning, "+new-epoch", master, std::to_string(state.current_epoch));
  }

  if (si != nullptr && master->config_epoch < hello->master_config_epoch) {
    master->config_epoch = hello->master_config_epoch;
    state.MarkDirty();
    // Compare with the address we hand out, not the record's: while our own failover is in
    // reconf_slaves they differ, and Redis's comparison with the old address lets a superseded
    // promotion finish later under the newer epoch, so sentinels disagree for good (found by
    // vigil-sim, seed 100).
    if (!SameAddress(hello->master, master->CurrentAddress())) {
      InstanceRecord sender = *si;  // the reset below may not touch sentinels, but be safe
      SwitchFromHello(state, *master, sender, *hello);
    }
  }
  // The switch keeps sentinels, so the sender's entry is still valid.
  auto again = master->sentinels.find(hello->runid);
  if (again != master->sentinels.end()) again->second.last_hello_time = state.now;
}

}  // namespace vigil::sentinel
