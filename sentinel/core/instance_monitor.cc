#include "sentinel/core/instance_monitor.h"

#include <algorithm>

#include "sentinel/core/coordinated_switchover.h"
#include "sentinel/core/hello_protocol.h"
#include "sentinel/core/tick_schedule.h"

namespace vigil::sentinel {

void ReconnectInstance(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (ri.addr.port == 0) return;
  Link& link = state.LinkOf(ri);
  if (!link.Disconnected()) return;
  // Nothing to dial while both connections are still connecting. Redis counts a connecting link
  // as connected here; counting it as an attempt restarted the guard below without dialling, so
  // a connect that timed out at 1 s was retried only a second later: two-second cycles against
  // a partitioned node, and a healed partition seen up to a second late.
  const bool cmd_missing = link.cmd.state == ConnState::kNone;
  const bool pubsub_missing = !link.to_sentinel && link.pubsub.state == ConnState::kNone;
  if (!cmd_missing && !pubsub_missing) return;
  // At most one attempt per connection per PING period.
  auto may_dial = [&](const std::optional<MonoTime>& last) {
    return !last || state.now - *last >= state.timers().ping_period;
  };
  if (cmd_missing && may_dial(link.last_cmd_dial)) {
    link.last_cmd_dial = state.now;
    // Redis queues a PING with the connect, so the attempt itself starts the SDOWN clock.
    if (!link.health.act_ping_time) link.health.act_ping_time = state.now;
    state.Connect(link, Channel::kCommand, master);
  }
  if (pubsub_missing && may_dial(link.last_pubsub_dial)) {
    link.last_pubsub_dial = state.now;
    state.Connect(link, Channel::kPubSub, master);
  }
}

Millis InfoPeriodFor(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri) {
  // Vigil: writes are paused on the old master until we see the replica's role:master.
  if (ri.promoted && master.failover.coordinated &&
      master.failover.state == FailoverState::kWaitPromotion) {
    return kPromotionInfoPeriod;
  }
  // Vigil: a replica our failover is repointing is polled as fast as the handoff until it
  // reports the new master with its link up, so the failover ends (and this sentinel's view is
  // final) as soon as the replicas follow, not up to a second later. Found by Redis's sentinel
  // suite: a test killed the new master 0.6 s after the switch, while the leader still waited
  // for its next 1 s INFO, and a failover whose promoted replica is down can never end.
  if (ri.kind == InstanceKind::kReplica && master.failover.state == FailoverState::kReconfSlaves &&
      (ri.reconf_sent || ri.reconf_inprog) && !ri.reconf_done) {
    return state.now - ri.slave_reconf_sent_time < kRepointFastWindow ? kRepointFastPeriod
                                                                      : kHandoffInfoPeriod;
  }
  if (ri.kind == InstanceKind::kReplica &&
      (master.instance.o_down || master.failover.in_progress() || ri.master_link_down_ms != 0)) {
    return kInfoPeriodFast;
  }
  return state.timers().info_period;
}

Millis PingPeriodFor(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri) {
  Millis period = std::min(master.config.down_after, state.timers().ping_period);
  if (ri.fence_timeout > Millis(0) && ri.role_reported == ReportedRole::kMaster) {
    period =
        std::min(period, std::max(kMinFencePingPeriod, ri.fence_timeout / kFencePingsPerTimeout));
  }
  return period;
}

namespace {

void SendPing(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  Link& link = state.LinkOf(ri);
  if (state.Send(master, ri, PingCommand{}, RequestKind::kPing)) link.health.OnPingSent(state.now);
}

}  // namespace

void SendInfoNow(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  if (ri.kind == InstanceKind::kSentinel || ri.info_pending) return;
  if (state.Send(master, ri, InfoCommand{}, RequestKind::kInfo)) ri.info_pending = true;
}

Millis FastPingPeriodFor(const CoreState& state, const MasterRecord& master,
                         const InstanceRecord& ri) {
  // The shell's tick rounds the real gap up (250 ms pings go out about every 300 ms), so the
  // silence counted from the last reply starts at most `period` ahead of Redis's clock.
  const Millis period = PingPeriodFor(state, master, ri);
  return period * 2 <= master.config.down_after ? period : Millis(0);
}

void SendPeriodicCommands(CoreState& state, MasterRecord& master, InstanceRecord& ri) {
  Link& link = state.LinkOf(ri);
  // Vigil: periodic commands need only the command connection. Redis also waits for the
  // pub/sub one, so a CLIENT KILL TYPE pubsub stops its PINGs and can fake an SDOWN.
  if (!link.CommandUp()) return;
  if (link.pending_commands >= kPendingCommandsPerRef * link.refcount) return;

  // Redis's rules: INFO once info-period has passed since the last reply, PING once the ping
  // period has passed since the last reply and half of it since the last PING, a hello once the
  // publish period has passed since the last one was accepted.
  const MonoTime never{INT64_MAX};
  Millis info_period = InfoPeriodFor(state, master, ri);
  MonoTime info_due = never;
  if (ri.kind != InstanceKind::kSentinel && !ri.info_pending) {
    info_due = ri.info_refresh ? *ri.info_refresh + info_period + Millis(1) : state.now;
  }
  Millis ping_period = PingPeriodFor(state, master, ri);
  MonoTime ping_due = PingDue(state, master, ri);
  Millis publish_period = state.timers().publish_period;
  MonoTime hello_due = ri.hello_pending ? never : HelloDue(state, ri);
  if (std::min({info_due, ping_due, hello_due}) > state.now) return;
  // Vigil: something goes to this node now, so what falls due soon goes in the same write (one
  // syscall and one wakeup on each side instead of two or three): INFO and hello within a tenth
  // of their period, PING within half of its period (Redis's own minimum gap between PINGs).
  // Without this the periods drift apart, as each restarts from its reply: PING's every ~1.1 s
  // on the 100 ms tick, hello's every ~2.1 s, INFO's every ~10.1 s. Redis timing keeps them.
  bool align = state.options.event_driven;
  auto goes_now = [&](MonoTime due, Millis slack) {
    return due <= state.now || (align && due <= state.now + slack);
  };
  if (goes_now(info_due, info_period / kAlignSlackDivisor)) SendInfoNow(state, master, ri);
  if (goes_now(ping_due, ping_period / 2)) SendPing(state, master, ri);
  if (goes_now(hello_due, publish_period / kAlignSlackDivisor)) SendHello(state, master, ri);
}

namespace {

// Every instance using `link` (a sentinel link can serve several masters).
template <typename Fn>
void ForEachOwner(CoreState& state, LinkId link, Fn fn) {
  const Link* l = state.links.Find(link);
  if (l != nullptr && l->owner) {
    auto m = state.masters.find(l->owner->master);
    if (m == state.masters.end()) return;
    MasterRecord& master = m->second;
    if (l->owner->instance.empty()) {
      if (master.instance.link == link) fn(master, master.instance);
      return;
    }
    auto r = master.replicas.find(l->owner->instance);
    if (r != master.replicas.end() && r->second.link == link) fn(master, r->second);
    return;
  }
  for (auto& [name, master] : state.masters) {
    if (master.instance.link == link) fn(master, master.instance);
    for (auto& [rname, replica] : master.replicas) {
      if (replica.link == link) fn(master, replica);
    }
    for (auto& [sname, sentinel] : master.sentinels) {
      if (sentinel.link == link) fn(master, sentinel);
    }
  }
}

}  // namespace

void OnLinkUp(CoreState& state, const LinkUp& up) {
  Channel channel;
  Link* link = state.links.FindByConn(up.conn, &channel);
  if (link == nullptr) return;  // closed meanwhile
  ConnSlot& slot = channel == Channel::kCommand ? link->cmd : link->pubsub;
  if (slot.state != ConnState::kConnecting) return;
  slot.state = ConnState::kUp;
  slot.since = state.now;
  state.WakeUsersOf(*link);
  LinkId id = link->id;
  if (channel == Channel::kCommand) {
    link->local_ip = up.local_ip;
    link->peer_ip = up.peer_ip;
    if (!up.peer_ip.empty() && !IsIpLiteral(link->addr.host)) {
      state.resolved_hosts[link->addr.host] = up.peer_ip;
    }
    bool pinged = false;
    ForEachOwner(state, id, [&](MasterRecord& master, InstanceRecord& ri) {
      if (pinged) return;
      SendPing(state, master, ri);
      pinged = true;
    });
  } else {
    link->pc_last_activity = state.now;
    bool subscribed = false;
    ForEachOwner(state, id, [&](MasterRecord& master, InstanceRecord& ri) {
      if (subscribed) return;
      state.SendOnPubSub(master, ri, SubscribeHelloCommand{});
      subscribed = true;
    });
  }
  // Vigil: do not wait for the next tick to send the first INFO on a fresh link; it is what
  // confirms promotions and spots returning old masters.
  if (state.options.event_driven && state.links.Find(id)->CommandUp()) {
    ForEachOwner(state, id, [&](MasterRecord& master, InstanceRecord& ri) {
      SendPeriodicCommands(state, master, ri);
    });
  }
}

void OnLinkDown(CoreState& state, const LinkDown& down) {
  Channel channel;
  Link* link = state.links.FindByConn(down.conn, &channel);
  if (link == nullptr) return;
  state.WakeUsersOf(*link);
  // Vigil: Redis waits a PING period from the last attempt before dialling again, which is
  // right for an attempt that failed but costs up to a second for a connection that worked
  // and was then closed, typically by the CLIENT KILL of the reconfiguration block a sentinel
  // sends a returning old master just after the links to it came back: every sentinel then
  // showed it disconnected for a second. An established connection may redial at once.
  const bool cmd = channel == Channel::kCommand;
  const ConnSlot& slot = cmd ? link->cmd : link->pubsub;
  std::optional<MonoTime>& last_fast =
      cmd ? link->last_cmd_fast_reconn : link->last_pubsub_fast_reconn;
  if (state.options.event_driven && slot.state == ConnState::kUp &&
      (!last_fast || state.now - *last_fast >= state.timers().ping_period)) {
    (cmd ? link->last_cmd_dial : link->last_pubsub_dial).reset();
    last_fast = state.now;
  }
  // Vigil: a connect refused at once means the host is up and the process is not, typically a
  // node restarting. Redis tries again a PING period later, so the restarted node (an old
  // master coming back after a kill) stayed "disconnected" up to a second after it listened:
  // the chaos suite's kill_master converged 1.1 s after the restart. A refused connect costs
  // nothing, so it is retried after kRefusedRetry; a connect that timed out keeps the period.
  if (state.options.event_driven && slot.state == ConnState::kConnecting &&
      state.now - slot.since < kRefusedRetry) {
    (channel == Channel::kCommand ? link->last_cmd_dial : link->last_pubsub_dial) =
        state.now - state.timers().ping_period + kRefusedRetry;
  }
  state.links.DetachConn(*link, channel);
  state.ForgetRequestsOn(down.conn);
  if (channel == Channel::kCommand) link->health.OnCommandConnectionLost(state.now);
}

void OnPubSubActivity(CoreState& state, ConnId conn) {
  Channel channel;
  Link* link = state.links.FindByConn(conn, &channel);
  if (link != nullptr && channel == Channel::kPubSub) link->pc_last_activity = state.now;
}

void OnPingReply(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                 const ReplyPayload& payload) {
  Link& link = state.LinkOf(ri);
  const auto* simple = std::get_if<SimpleReply>(&payload);
  if (simple == nullptr) {
    link.health.last_pong_time = state.now;
    return;
  }
  if (link.health.OnPingReply(simple->text, state.now)) {
    if (ri.reboot && simple->text.starts_with("PONG")) ri.reboot = false;
    return;
  }
  if (simple->text.starts_with("BUSY") && ri.s_down && !ri.script_kill_sent) {
    if (state.Send(master, ri, ScriptKillCommand{}, RequestKind::kScriptKill)) {
      ri.script_kill_sent = true;
    }
  }
}

}  // namespace vigil::sentinel
