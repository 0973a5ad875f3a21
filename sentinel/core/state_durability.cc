#include "sentinel/core/state_durability.h"

#include <utility>

namespace vigil::sentinel {

bool AnnouncedStateDiffers(const PersistentState& a, const PersistentState& b) {
  if (a.current_epoch != b.current_epoch || a.masters.size() != b.masters.size()) return true;
  for (size_t i = 0; i < a.masters.size(); ++i) {
    const PersistedMaster& x = a.masters[i];
    const PersistedMaster& y = b.masters[i];
    if (x.config.name != y.config.name || x.config_epoch != y.config_epoch ||
        x.leader_epoch != y.leader_epoch || !(x.config.addr == y.config.addr)) {
      return true;
    }
  }
  return false;
}

Durability DurabilityNeeded(const std::vector<Action>& actions, const PersistentState& state,
                            const PersistentState& durable) {
  // Compared once per batch: a tick batch carries hundreds of hellos while discovery keeps the
  // state pending, and each comparison walks every master.
  std::optional<bool> announced_differs;
  Durability need = Durability::kNone;
  for (const Action& a : actions) {
    if (std::holds_alternative<ReplyToClient>(a) || std::holds_alternative<RunScript>(a)) {
      need = Durability::kToReport;
    } else if (std::holds_alternative<ExitProcess>(a)) {
      return Durability::kToActOn;
    } else if (const auto* s = std::get_if<SendAction>(&a)) {
      if (std::holds_alternative<ReconfigureCommand>(s->command)) return Durability::kToActOn;
      if (const auto* ask = std::get_if<IsMasterDownByAddrCommand>(&s->command);
          ask != nullptr && ask->runid != "*") {
        return Durability::kToActOn;  // our vote request: the epoch we ask in is our vote
      }
      if (std::holds_alternative<PublishHelloCommand>(s->command)) {
        if (!announced_differs) announced_differs = AnnouncedStateDiffers(state, durable);
        if (*announced_differs) return Durability::kToActOn;
      }
    }
  }
  return need;
}

std::optional<PersistentState> StateDurability::Plan(MonoTime now,
                                                     std::optional<PersistentState> changed,
                                                     bool discovered,
                                                     const std::vector<Action>& actions,
                                                     const SnapshotFn& snapshot) {
  planned_need_ = Durability::kNone;
  if (discovered) discovered_ = true;
  if (!durable_) {
    // Nothing written yet (start-up): everything depends on the first write.
    planned_need_ = Durability::kToActOn;
    return changed ? std::move(changed) : snapshot();
  }
  if (changed) {
    Durability need = DurabilityNeeded(actions, *changed, *durable_);
    if (need != Durability::kNone) {
      planned_need_ = need;
      return changed;
    }
    deferred_ = std::move(changed);
  } else if (pending()) {
    // An earlier batch's state must be on disk before these actions. Discovery alone announces
    // nothing new, so the state on disk stands for it in the comparison.
    const PersistentState& state = deferred_ ? *deferred_ : *durable_;
    Durability need = DurabilityNeeded(actions, state, *durable_);
    if (need != Durability::kNone) {
      planned_need_ = need;
      // The core's current state includes the deferred one (it is newer).
      return discovered_ ? snapshot() : *deferred_;
    }
  }
  if (pending() && (!last_attempt_ || now - *last_attempt_ >= kDeferredWritePeriod)) {
    return discovered_ ? snapshot() : *deferred_;
  }
  return std::nullopt;
}

void StateDurability::Written(MonoTime now, bool ok, PersistentState written,
                              std::vector<Event>& events, std::vector<Action>& actions) {
  // The last attempt: a failing disk is retried once a period, not once per batch.
  last_attempt_ = now;
  Durability need = std::exchange(planned_need_, Durability::kNone);
  if (ok) {
    durable_ = std::move(written);
    deferred_.reset();
    discovered_ = false;  // every snapshot includes what was discovered before it
    return;
  }
  deferred_ = std::move(written);
  if (need == Durability::kToActOn) {
    events.clear();
    actions.clear();
    actions.push_back(
        ExitProcess{1, "Sentinel cannot act on a configuration it could not save; exiting"});
    return;
  }
  // Reports only. Scripts still run: they report events published on pub/sub all the same.
  for (Action& a : actions) {
    if (auto* reply = std::get_if<ReplyToClient>(&a)) {
      reply->reply = resp::Value::Error("ERR Failed to save config file. Check server logs.");
    }
  }
}

std::optional<PersistentState> StateDurability::Unwritten(const SnapshotFn& snapshot) const {
  if (discovered_ || (!durable_ && !deferred_)) return snapshot();
  return deferred_;
}

}  // namespace vigil::sentinel
