#include "sentinel/core/sentinel_core.h"

#include <type_traits>
#include <utility>

#include "sentinel/core/admin_apply.h"
#include "sentinel/core/coordinated_switchover.h"
#include "sentinel/core/failover.h"
#include "sentinel/core/hello_protocol.h"
#include "sentinel/core/info_reactions.h"
#include "sentinel/core/instance_monitor.h"
#include "sentinel/core/odown.h"
#include "sentinel/core/state_snapshot.h"
#include "sentinel/core/subjective_down.h"
#include "sentinel/core/tick_schedule.h"

namespace vigil::sentinel {

SentinelCore::SentinelCore(const CoreOptions& options, PersistentState restored, uint64_t seed)
    : state_(options, seed), restored_(std::move(restored)) {}

void SentinelCore::EnsureStarted() {
  if (!restored_) return;
  RestoreState(state_, *restored_);
  restored_.reset();
}

const MasterRecord* SentinelCore::FindMaster(std::string_view name) const {
  auto it = state_.masters.find(std::string(name));
  return it == state_.masters.end() ? nullptr : &it->second;
}

PersistentState SentinelCore::Snapshot() const {
  return BuildSnapshot(state_);
}

Ready SentinelCore::TakeReady() {
  Ready ready;
  TakeReady(ready);
  return ready;
}

void SentinelCore::TakeReady(Ready& into) {
  std::optional<PersistentState> changed;
  if (state_.persist_needed) changed = BuildSnapshot(state_);
  state_.persist_needed = false;
  bool discovered = std::exchange(state_.persist_soon, false);
  into.events.clear();
  into.actions.clear();
  into.events.swap(state_.events);
  into.actions.swap(state_.actions);
  into.write = durability_.Plan(state_.now, std::move(changed), discovered, into.actions,
                                [this] { return BuildSnapshot(state_); });
}

void SentinelCore::StateWritten(bool ok, Ready& batch) {
  if (!batch.write) return;
  PersistentState written = std::move(*batch.write);
  batch.write.reset();
  durability_.Written(state_.now, ok, std::move(written), batch.events, batch.actions);
}

std::optional<PersistentState> SentinelCore::UnwrittenState() const {
  return durability_.Unwritten([this] { return BuildSnapshot(state_); });
}

void SentinelCore::Tick(MonoTime now) {
  state_.now = now;
  EnsureStarted();
  if (state_.tilt.OnTick(now, state_.timers().tilt_trigger)) {
    state_.Emit(EventLevel::kWarning, "+tilt", nullptr, "#tilt mode entered");
  }
  // TILT as of the start of the tick: its exit happens inside the walk, which must then go on
  // handling every instance of this tick, as Redis's does.
  bool walk_all = !state_.options.schedule_ticks || state_.tilt.active();
  if (tick_order_version_ != state_.masters_version ||
      tick_order_.size() != state_.masters.size()) {
    // The same name order as the map; a flat array is several times cheaper to walk.
    tick_order_.clear();
    for (auto& [name, master] : state_.masters) tick_order_.push_back(&master);
    tick_order_version_ = state_.masters_version;
  }
  for (MasterRecord* record : tick_order_) {
    MasterRecord& master = *record;
    if (!walk_all && master.next_tick_work > now) continue;
    HandleInstance(master, master.instance);
    for (auto& [rname, replica] : master.replicas) HandleInstance(master, replica);
    for (auto& [sname, sentinel] : master.sentinels) HandleInstance(master, sentinel);
    master.next_tick_work = NextTickWork(state_, master);
  }
  CompletePendingSwitches(state_);
}

// sentinelHandleRedisInstance: the monitoring half always, the acting half outside TILT.
void SentinelCore::HandleInstance(MasterRecord& master, InstanceRecord& ri) {
  ReconnectInstance(state_, master, ri);
  SendPeriodicCommands(state_, master, ri);
  if (state_.tilt.active()) {
    if (!state_.tilt.MaybeExit(state_.now, state_.timers().tilt_period)) return;
    state_.Emit(EventLevel::kWarning, "-tilt", nullptr, "#tilt mode exited");
  }
  bool sdown_began = CheckSubjectivelyDown(state_, master, ri);
  if (ri.kind == InstanceKind::kMaster) ActOnMaster(master, sdown_began);
}

void SentinelCore::ActOnMaster(MasterRecord& master, bool sdown_began) {
  CheckObjectivelyDown(state_, master);
  bool started = StartFailoverIfNeeded(state_, master);
  // Vigil: ask the peers the moment SDOWN begins instead of at the next ask period.
  if (started || (sdown_began && state_.options.event_driven)) {
    AskOtherSentinels(state_, master, AskMode::kForced);
  }
  RunFailoverStateMachine(state_, master);
  AskOtherSentinels(state_, master, AskMode::kPeriodic);
}

void SentinelCore::Step(MonoTime now, const Input& input) {
  state_.now = now;
  EnsureStarted();
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, LinkUp>) {
          OnLinkUp(state_, in);
        } else if constexpr (std::is_same_v<T, LinkDown>) {
          OnLinkDown(state_, in);
        } else if constexpr (std::is_same_v<T, CommandReply>) {
          HandleReply(in.request, in.payload);
        } else if constexpr (std::is_same_v<T, RequestFailed>) {
          HandleRequestFailed(in.request);
        } else if constexpr (std::is_same_v<T, HelloReceived>) {
          if (in.conn != 0) OnPubSubActivity(state_, in.conn);
          ProcessHello(state_, in.payload, in.conn);
        } else if constexpr (std::is_same_v<T, PubSubActivity>) {
          OnPubSubActivity(state_, in.conn);
        } else if constexpr (std::is_same_v<T, VoteRequest>) {
          state_.WakeAll();  // the answer re-evaluates SDOWN of the master asked about
          state_.actions.push_back(
              ReplyToClient{in.token, AnswerIsMasterDownByAddr(state_, in.args)});
        } else {
          state_.WakeAll();  // SET, DEBUG, RESET, FAILOVER...: anything may be due now
          state_.actions.push_back(ReplyToClient{in.token, ApplyAdmin(state_, in.request)});
        }
      },
      input);
  CompletePendingSwitches(state_);
}

void SentinelCore::HandleRequestFailed(RequestId request) {
  auto it = state_.requests.find(request);
  if (it == state_.requests.end()) return;
  // A released flag can make a command due at once.
  if (MasterRecord* master = state_.FindMaster(it->second.master)) state_.Wake(*master);
  ForgetRequest(it);
}

PendingRequest SentinelCore::TakeRequest(std::map<RequestId, PendingRequest>::iterator it) {
  PendingRequest req = std::move(it->second);
  state_.requests.erase(it);
  Link* link = state_.links.Find(req.link);
  if (link != nullptr && link->cmd.id == req.conn && link->pending_commands > 0) {
    --link->pending_commands;
  }
  return req;
}

void SentinelCore::ForgetRequest(std::map<RequestId, PendingRequest>::iterator it) {
  state_.ClearPendingFlag(TakeRequest(it));
}

void SentinelCore::HandleReply(RequestId request, const ReplyPayload& payload) {
  auto it = state_.requests.find(request);
  if (it == state_.requests.end()) return;
  PendingRequest req = TakeRequest(it);
  MasterRecord* master = state_.FindMaster(req.master);
  if (master == nullptr) return;
  InstanceRecord* ri = state_.FindInstance(*master, req.instance_kind, req.instance);
  if (ri != nullptr) CoreState::ClearPendingFlag(req.kind, *ri);  // what ForgetRequest does
  if (ri == nullptr || ri->link != req.link) {
    state_.Wake(*master);
    return;
  }
  // The tick schedule: the replies that come by the thousand (PING, hello) only move their
  // instance's deadlines, so they register the new one instead of waking the master.
  if (req.kind == RequestKind::kPing) {
    OnPingReply(state_, *master, *ri, payload);
    Link& link = state_.LinkOf(*ri);
    if (link.sdown_seen && !link.health.act_ping_time) {
      link.sdown_seen = false;
      state_.WakeUsersOf(link);  // -sdown, possibly under several masters
    }
    NoteDeadline(*master, PingDue(state_, *master, *ri));
    return;
  }
  if (req.kind == RequestKind::kHello) {
    if (const auto* r = std::get_if<SimpleReply>(&payload); r != nullptr && !r->is_error) {
      ri->last_pub_time = state_.now;
    }
    NoteDeadline(*master, HelloDue(state_, *ri));
    return;
  }
  state_.Wake(*master);
  bool act = state_.options.event_driven && !state_.tilt.active();
  switch (req.kind) {
    case RequestKind::kPing:
      break;  // handled above
    case RequestKind::kInfo:
      if (const auto* info = std::get_if<InfoReply>(&payload)) {
        ApplyInfo(state_, *master, *ri, info->text);
        if (act) RunFailoverStateMachine(state_, *master);
        if (act) ContinueHandoffPoll(state_, *master, *ri);
        if (act) ContinueRepointPoll(state_, *master, *ri);
      }
      break;
    case RequestKind::kHello:
      break;  // handled above
    case RequestKind::kSubscribe:
      OnPubSubActivity(state_, req.conn);
      // Vigil: from now on we hear every hello published through this node; a peer that
      // subscribed before us missed our first one, and replies promptly to this one.
      SendPromptHello(state_, *master, *ri);
      break;
    case RequestKind::kAsk:
      if (const auto* err = std::get_if<SimpleReply>(&payload);
          err != nullptr && err->is_error && WantsCoordinatedVotes(*master)) {
        OnCoordinatedVoteRefused(state_, *master, *ri, err->text);
      }
      OnIsMasterDownReply(state_, *master, *ri, req.subject, payload);
      // Vigil: an answer may complete ODOWN or the election; act on it now.
      if (act) ActOnMaster(*master, false);
      break;
    case RequestKind::kReconfigure:
      OnReconfigureReply(state_, *master, *ri, payload);
      break;
    case RequestKind::kScriptKill:
    case RequestKind::kRewriteConfig:
      break;
    case RequestKind::kFailoverTo:
      OnFailoverToReply(state_, *master, payload);
      if (act) RunFailoverStateMachine(state_, *master);
      break;
  }
}

}  // namespace vigil::sentinel
