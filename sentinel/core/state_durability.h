#pragma once
// StateDurability: when the sentinel's state must reach the disk. A vote, an epoch or a master
// address that a peer or a client has seen must survive a restart, or the sentinel could vote
// twice in one epoch or announce an epoch older than one it already announced. Writing after
// every change is what Redis does, and it costs a file per discovered peer: three sentinels
// discovering each other on 1,000 masters would write thousands of files. So a batch is written
// before it runs only when its actions could reveal or act on its state:
//
//   - to report it: a reply to a client or to a peer's vote request, a notification script;
//   - to act on it: our own vote request (is-master-down-by-addr with a run id), a
//     reconfiguration block, a hello announcing an epoch or address not yet on disk, an exit.
//
// Anything else (discovery of replicas and sentinels, typically) is written within a second, or
// earlier by the next batch that needs it. A failed write keeps the state pending and is retried
// a second later. Its batch is then rewritten: replies tell the client the save failed (as
// Redis's do, and a vote reply that is an error counts as no vote); a batch that would act on
// the unsaved state becomes an exit, because a forgotten vote is worse than a restart.
//
// Pure: the core owns one, the shell and the simulator write what it asks and report back.
#include <functional>
#include <optional>
#include <vector>

#include "common/time/mono_time.h"
#include "sentinel/core/actions.h"
#include "sentinel/core/events.h"
#include "sentinel/core/persistent_state.h"

namespace vigil::sentinel {

// What a batch's actions need on disk before they run.
enum class Durability { kNone, kToReport, kToActOn };

// True when the two states announce different epochs or master addresses (what a hello says).
bool AnnouncedStateDiffers(const PersistentState& a, const PersistentState& b);

// What `actions` need, given that `state` is what they were produced from and `durable` is on
// disk.
Durability DurabilityNeeded(const std::vector<Action>& actions, const PersistentState& state,
                            const PersistentState& durable);

class StateDurability {
 public:
  static constexpr Millis kDeferredWritePeriod{1000};
  using SnapshotFn = std::function<PersistentState()>;

  // For the batch about to leave the core: `changed` is the state when it changed in a way a
  // restart must see (nullopt otherwise), `discovered` says replicas or peers were learnt, and
  // `snapshot` builds the current state. Returns the state to write before `actions` run.
  std::optional<PersistentState> Plan(MonoTime now, std::optional<PersistentState> changed,
                                      bool discovered, const std::vector<Action>& actions,
                                      const SnapshotFn& snapshot);
  // The outcome of writing what Plan returned. On failure, rewrites the batch as described
  // above.
  void Written(MonoTime now, bool ok, PersistentState written, std::vector<Event>& events,
               std::vector<Action>& actions);
  // What a clean exit must still write (nullopt: the disk is up to date).
  std::optional<PersistentState> Unwritten(const SnapshotFn& snapshot) const;

  bool pending() const { return deferred_.has_value() || discovered_; }
  const std::optional<PersistentState>& durable() const { return durable_; }

 private:
  std::optional<PersistentState> durable_;   // last written
  std::optional<PersistentState> deferred_;  // changed, not yet written
  bool discovered_ = false;                  // discovery since the last write
  std::optional<MonoTime> last_attempt_;
  Durability planned_need_ = Durability::kNone;  // of the write Plan last returned
};

}  // namespace vigil::sentinel
