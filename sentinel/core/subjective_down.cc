#include "sentinel/core/subjective_down.h"

#include "sentinel/core/instance_monitor.h"

namespace vigil::sentinel {

DownReason SubjectiveDownReason(const CoreState& state, const MasterRecord& master,
                                const InstanceRecord& ri, const Link& link) {
  Millis down_after = master.config.down_after;
  if (link.health.Unresponsive(!link.CommandUp(), state.now, FastPingPeriodFor(state, master, ri)) >
      down_after) {
    return DownReason::kNoValidReply;
  }
  if (ri.kind == InstanceKind::kMaster && ri.role_reported == ReportedRole::kSlave &&
      state.now - ri.role_reported_time > down_after + state.timers().info_period * 2) {
    return DownReason::kMasterReportsSlave;
  }
  if (ri.kind == InstanceKind::kMaster && ri.reboot &&
      state.now - ri.reboot_since > master.config.master_reboot_down_after) {
    return DownReason::kRebootedTooLong;
  }
  return DownReason::kNone;
}

namespace {

// A command connection with a PING stuck for down_after/2 and no reply at all for as long, or a
// silent pub/sub connection, is closed so the next tick reconnects it.
void CloseStuckConnections(CoreState& state, const MasterRecord& master, Link& link) {
  const TimerOptions& t = state.timers();
  Millis half = master.config.down_after / 2;
  if (link.cmd.state == ConnState::kUp &&
      state.now - link.cmd.since > t.min_link_reconnect_period && link.health.act_ping_time &&
      state.now - *link.health.act_ping_time > half &&
      state.now - link.health.last_pong_time > half) {
    state.CloseChannel(link, Channel::kCommand);
    link.health.OnCommandConnectionLost(state.now);
  }
  if (link.pubsub.state == ConnState::kUp &&
      state.now - link.pubsub.since > t.min_link_reconnect_period &&
      state.now - link.pc_last_activity > t.publish_period * 3) {
    state.CloseChannel(link, Channel::kPubSub);
  }
}

}  // namespace

bool CheckSubjectivelyDown(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  Link& link = state.LinkOf(ri);
  CloseStuckConnections(state, master, link);
  bool down = SubjectiveDownReason(state, master, ri, link) != DownReason::kNone;
  if (down && !ri.s_down) {
    link.sdown_seen = true;
    ri.s_down = true;
    ri.s_down_since = state.now;
    state.EmitFor(EventLevel::kWarning, "+sdown", master, ri);
    return true;
  }
  if (!down && ri.s_down) {
    ri.s_down = false;
    ri.script_kill_sent = false;
    state.EmitFor(EventLevel::kWarning, "-sdown", master, ri);
  }
  return false;
}

}  // namespace vigil::sentinel
