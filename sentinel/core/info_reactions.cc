#include "sentinel/core/info_reactions.h"

#include "common/base/ascii_case.h"
#include "sentinel/core/failover.h"
#include "sentinel/core/info_parser.h"
#include "sentinel/core/instance_registry.h"

namespace vigil::sentinel {

namespace {

void RecordRunId(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                 const InfoReport& report) {
  if (!report.run_id) return;
  if (ri.runid.empty()) {
    ri.runid = *report.run_id;
    return;
  }
  if (ri.runid == *report.run_id) return;
  state.EmitFor(EventLevel::kNotice, "+reboot", master, ri);
  if (ri.kind == InstanceKind::kMaster && master.config.master_reboot_down_after != Millis(0)) {
    ri.reboot = true;
    ri.reboot_since = state.now;
  }
  ri.runid = *report.run_id;
}

void DiscoverReplicas(CoreState& state, MasterRecord& master, const InfoReport& report) {
  for (const HostPort& addr : report.replicas) {
    if (InstanceRecord* replica = CreateReplica(state, master, addr)) {
      state.EmitFor(EventLevel::kNotice, "+slave", master, *replica);
      state.MarkDiscovered();
    }
  }
}

void RecordReplicaFields(CoreState& state, InstanceRecord& ri, const InfoReport& report) {
  ri.master_link_down_ms = report.master_link_down_ms;
  if (report.role != ReportedRole::kSlave) return;
  if (report.master_host && !EqualsIgnoreCase(*report.master_host, ri.slave_master_host)) {
    ri.slave_master_host = *report.master_host;
    ri.slave_conf_change_time = state.now;
  }
  if (report.master_port && *report.master_port != ri.slave_master_port) {
    ri.slave_master_port = *report.master_port;
    ri.slave_conf_change_time = state.now;
  }
  ri.slave_master_link_up = report.master_link_up;
  if (report.slave_priority) ri.slave_priority = *report.slave_priority;
  if (report.slave_repl_offset) ri.slave_repl_offset = *report.slave_repl_offset;
  if (report.replica_announced) ri.replica_announced = *report.replica_announced;
}

void RecordRoleChange(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                      ReportedRole role) {
  if (role == ReportedRole::kUnknown || role == ri.role_reported) return;
  ri.role_reported_time = state.now;
  ri.role_reported = role;
  if (role == ReportedRole::kSlave) ri.slave_conf_change_time = state.now;
  bool coherent = (ri.kind == InstanceKind::kMaster) == (role == ReportedRole::kMaster);
  state.EmitFor(
      EventLevel::kVerbose, coherent ? "+role-change" : "-role-change", master, ri,
      std::string("new reported role is ") + (role == ReportedRole::kMaster ? "master" : "slave"));
}

bool CorrectedRecently(const CoreState& state, const InstanceRecord& ri) {
  return ri.last_correction_time && state.now - *ri.last_correction_time < kInfoPeriodFast;
}

bool SendCorrection(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (CorrectedRecently(state, ri)) return false;
  if (!SendReconfigure(state, master, ri, master.instance.addr)) return false;
  ri.last_correction_time = state.now;
  return true;
}

bool FollowsAddress(const InstanceRecord& ri, const HostPort& addr) {
  return ri.slave_master_port == addr.port && EqualsIgnoreCase(ri.slave_master_host, addr.host);
}

// A replica entry reporting role:master.
void HandleReplicaClaimingMaster(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (ri.promoted && master.failover.state == FailoverState::kWaitPromotion) {
    ConfirmPromotion(state, master, ri);
    return;
  }
  if (ri.promoted || !master.LooksSane(state.now, state.timers().info_period)) return;
  Millis wait = state.timers().publish_period * 4;
  bool redis_wait_over = NoDownFor(ri, wait, state.now) && state.now - ri.role_reported_time > wait;
  if (!redis_wait_over && !IsKnownStaleMaster(state, master, ri)) return;
  if (SendCorrection(state, master, ri)) {
    state.EmitFor(EventLevel::kNotice, "+convert-to-slave", master, ri);
  }
}

void FixReplicaConfig(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (FollowsAddress(ri, master.instance.addr)) return;
  Millis wait = master.config.failover_timeout;
  if (!master.LooksSane(state.now, state.timers().info_period)) return;
  // Vigil: the old master restarting as a replica of some other node (its own config's
  // replicaof) is as surely stale as one reporting role:master; fix it now, not after Redis's
  // failover-timeout plus an INFO period.
  bool redis_wait_over =
      NoDownFor(ri, wait, state.now) && state.now - ri.slave_conf_change_time > wait;
  if (redis_wait_over || IsKnownStaleMaster(state, master, ri)) {
    if (SendCorrection(state, master, ri)) {
      state.EmitFor(EventLevel::kNotice, "+fix-slave-config", master, ri);
    }
  }
}

void PersistCoordinatedDemotion(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (!master.persist_demotion || !SameAddress(*master.persist_demotion, ri.addr) ||
      !FollowsAddress(ri, master.instance.addr)) {
    return;
  }
  if (SendReconfigure(state, master, ri, master.instance.addr)) {
    master.persist_demotion.reset();
    state.EmitFor(EventLevel::kNotice, "+persist-slave-config", master, ri);
  }
}

void PersistCoordinatedPromotion(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                                 ReportedRole role) {
  if (!master.persist_promotion || role != ReportedRole::kMaster) return;
  if (state.Send(master, ri, RewriteConfigCommand{}, RequestKind::kRewriteConfig)) {
    master.persist_promotion = false;
    state.EmitFor(EventLevel::kNotice, "+persist-master-config", master, ri);
  }
}

void TrackReconfiguration(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  const InstanceRecord* promoted = master.promoted_replica();
  if (promoted == nullptr || !(ri.reconf_sent || ri.reconf_inprog)) return;
  if (ri.reconf_sent && FollowsAddress(ri, promoted->addr)) {
    ri.reconf_sent = false;
    ri.reconf_inprog = true;
    state.EmitFor(EventLevel::kNotice, "+slave-reconf-inprog", master, ri);
  }
  if (ri.reconf_inprog && ri.slave_master_link_up) {
    ri.reconf_inprog = false;
    ri.reconf_done = true;
    state.EmitFor(EventLevel::kNotice, "+slave-reconf-done", master, ri);
  }
}

}  // namespace

bool IsKnownStaleMaster(const CoreState& state, const MasterRecord& master,
                        const InstanceRecord& ri) {
  if (!state.options.event_driven || !master.stale_master) return false;
  const StaleMaster& stale = *master.stale_master;
  return SameAddress(stale.addr, ri.addr) && !master.failover.in_progress() &&
         master.config_epoch == stale.config_epoch &&
         master.NewestKnownEpoch() <= stale.config_epoch;
}

void ApplyInfo(CoreState& state, MasterRecord& master, InstanceRecord& ri,
               const std::string& text) {
  ri.info_refresh = state.now;
  // A fresh exact-size copy: assigning into the old string doubles its capacity whenever the
  // report grows by a byte (uptime, counters), leaving ~10 KiB per instance instead of ~5.
  ri.info_text = std::string(text);
  InfoReport report = ParseInfo(text);
  RecordRunId(state, master, ri, report);
  ri.fence_timeout = Millis(report.fence_timeout_ms.value_or(0));
  if (ri.kind == InstanceKind::kMaster) DiscoverReplicas(state, master, report);
  RecordReplicaFields(state, ri, report);
  RecordRoleChange(state, master, ri, report.role);

  if (state.tilt.active()) return;
  if (ri.kind == InstanceKind::kMaster) PersistCoordinatedPromotion(state, master, ri, report.role);
  if (ri.kind != InstanceKind::kReplica) return;
  if (report.role == ReportedRole::kMaster) {
    HandleReplicaClaimingMaster(state, master, ri);
    return;
  }
  if (report.role != ReportedRole::kSlave) return;
  if (master.stale_master && SameAddress(master.stale_master->addr, ri.addr) &&
      FollowsAddress(ri, master.instance.addr)) {
    master.stale_master.reset();  // the old master follows us now; back to Redis's rules
  }
  FixReplicaConfig(state, master, ri);
  PersistCoordinatedDemotion(state, master, ri);
  TrackReconfiguration(state, master, ri);
}

}  // namespace vigil::sentinel
