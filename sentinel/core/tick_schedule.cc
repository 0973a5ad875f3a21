#include "sentinel/core/tick_schedule.h"

#include <algorithm>

#include "sentinel/core/instance_monitor.h"

namespace vigil::sentinel {

namespace {

// The earliest of the deadlines seen so far; `now` as soon as one is already due.
class Earliest {
 public:
  explicit Earliest(MonoTime now) : now_(now) {}
  // Work happens once `now - from > period` (strictly): first at from + period + 1 ms.
  void After(MonoTime from, Millis period) { At(from + period + Millis(1)); }
  void At(MonoTime t) { best_ = std::min(best_, std::max(t, now_)); }
  void Now() { best_ = now_; }
  MonoTime value() const { return best_; }

 private:
  MonoTime now_;
  MonoTime best_{INT64_MAX};
};

void InstanceWork(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri,
                  Earliest& next) {
  const TimerOptions& t = state.timers();
  if (ri.addr.port == 0) return next.Now();
  const Link& link = *state.links.Find(ri.link);

  // ReconnectInstance.
  if (link.Disconnected()) {
    // A missing connection is dialled a PING period after its last attempt; one still
    // connecting reports its outcome as an input, which wakes the master.
    auto redial = [&](ConnState conn_state, const std::optional<MonoTime>& last) {
      if (conn_state != ConnState::kNone) return;
      if (!last) return next.Now();
      next.At(*last + t.ping_period);
    };
    redial(link.cmd.state, link.last_cmd_dial);
    if (!link.to_sentinel) redial(link.pubsub.state, link.last_pubsub_dial);
    if (next.value() == state.now) return;
  }

  // SendPeriodicCommands.
  if (link.CommandUp()) {
    if (link.pending_commands >= kPendingCommandsPerRef * link.refcount) return next.Now();
    if (ri.kind != InstanceKind::kSentinel && !ri.info_pending) {
      if (!ri.info_refresh) return next.Now();
      next.After(*ri.info_refresh, InfoPeriodFor(state, master, ri));
    }
    next.At(PingDue(state, master, ri));
    if (!ri.hello_pending) next.At(HelloDue(state, ri));
  }

  // CheckSubjectivelyDown: stuck connections, then the SDOWN deadlines. Once SDOWN, only an
  // input can end it: a valid PING reply, which wakes every master using the link
  // (Link::sdown_seen), or INFO and link events, which wake the master.
  Millis half = master.config.down_after / 2;
  if (link.cmd.state == ConnState::kUp && link.health.act_ping_time) {
    next.At(std::max({link.cmd.since + t.min_link_reconnect_period,
                      *link.health.act_ping_time + half, link.health.last_pong_time + half}) +
            Millis(1));
  }
  if (link.pubsub.state == ConnState::kUp) {
    next.At(std::max(link.pubsub.since + t.min_link_reconnect_period,
                     link.pc_last_activity + t.publish_period * 3) +
            Millis(1));
  }
  if (!ri.s_down) {
    Millis down_after = master.config.down_after;
    if (std::optional<MonoTime> down = link.health.DownAt(!link.CommandUp(), down_after,
                                                          FastPingPeriodFor(state, master, ri))) {
      next.At(*down);
    }
    if (ri.kind == InstanceKind::kMaster && ri.role_reported == ReportedRole::kSlave) {
      next.After(ri.role_reported_time, down_after + t.info_period * 2);
    }
    if (ri.kind == InstanceKind::kMaster && ri.reboot) {
      next.After(ri.reboot_since, master.config.master_reboot_down_after);
    }
  }
}

}  // namespace

MonoTime PingDue(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri) {
  const LinkHealth& health = state.links.Find(ri.link)->health;
  Millis period = PingPeriodFor(state, master, ri);
  MonoTime due = health.last_pong_time + period + Millis(1);
  if (health.last_ping_time) due = std::max(due, *health.last_ping_time + period / 2 + Millis(1));
  return due;
}

MonoTime HelloDue(const CoreState& state, const InstanceRecord& ri) {
  if (!ri.last_pub_time) return state.now;
  return *ri.last_pub_time + state.timers().publish_period + Millis(1);
}

MonoTime NextTickWork(const CoreState& state, const MasterRecord& master) {
  Earliest next(state.now);
  // ODOWN, failover start and steps, and asks all need SDOWN, ODOWN or a failover.
  if (state.tilt.active() || master.instance.s_down || master.instance.o_down ||
      master.failover.in_progress()) {
    return state.now;
  }
  InstanceWork(state, master, master.instance, next);
  for (const auto& [name, replica] : master.replicas) InstanceWork(state, master, replica, next);
  for (const auto& [runid, si] : master.sentinels) {
    InstanceWork(state, master, si, next);
    // AskOtherSentinels expires a peer's answer after 5 ask periods even while all is well.
    if (si.master_down || !si.leader.empty()) {
      next.After(si.last_master_down_reply_time, state.timers().ask_period * 5);
    }
  }
  return next.value();
}

}  // namespace vigil::sentinel
