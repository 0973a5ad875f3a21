#pragma once
// SentinelCore: everything a Redis-Sentinel-compatible sentinel decides, as a deterministic state
// machine (docs/architecture.md, "The sentinel"). No sockets, clock reads, randomness of its own,
// logging or files: the shell feeds it time (Tick) and inputs (Step) and drains a Ready batch after
// each call. Single-threaded: one caller at a time.
//
// Contract for the shell, per batch, in order:
//   1. if `persist` is set, make it durable (fsync + rename) — or crash; never skip it
//      (`persist_soon`: durable within about a second, see Ready);
//   2. log and publish `events` (DEBUG ones are not published);
//   3. execute `actions` in order (stop at ExitProcess).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/actions.h"
#include "sentinel/core/admin_request.h"
#include "sentinel/core/core_options.h"
#include "sentinel/core/core_state.h"
#include "sentinel/core/events.h"
#include "sentinel/core/inputs.h"
#include "sentinel/core/master_record.h"
#include "sentinel/core/persistent_state.h"

namespace vigil::sentinel {

struct Ready {
  std::optional<PersistentState> persist;  // must be durable before anything below runs
  // Vigil: the state gained replicas or peer sentinels (discovery), which nothing in this batch
  // reveals; make Snapshot() durable within about a second, or before the next batch that could
  // reveal it. With 1,000 masters a snapshot per discovered peer made discovery quadratic.
  bool persist_soon = false;
  std::vector<Event> events;
  std::vector<Action> actions;

  bool empty() const { return !persist && !persist_soon && events.empty() && actions.empty(); }
};

class SentinelCore {
 public:
  // `restored` is the state from the config/state file (empty myid: a new identity is drawn from
  // the seeded generator and persisted in the first batch). Records are built on the first Tick
  // or Step, which also emits +monitor for every master; call Tick once at start-up.
  SentinelCore(const CoreOptions& options, PersistentState restored, uint64_t seed);

  // Timers: reconnects, PING/INFO/hello, SDOWN/ODOWN, failover timeouts, TILT. Call every ~100 ms.
  void Tick(MonoTime now);
  // One input. Event-driven paths (see sentinel/DESIGN.md) act within the same call.
  void Step(MonoTime now, const Input& input);
  // The batch produced since the last call.
  Ready TakeReady();
  // The same into `into`, whose vectors are cleared and handed to the core for the next batch:
  // a shell draining after every input then reuses their memory instead of growing new ones.
  void TakeReady(Ready& into);

  // --- const queries, for SENTINEL MASTERS/MASTER/REPLICAS/SENTINELS/... ---
  const std::string& myid() const { return state_.myid; }
  uint64_t current_epoch() const { return state_.current_epoch; }
  bool tilt() const { return state_.tilt.active(); }
  MonoTime tilt_since() const { return state_.tilt.since(); }
  const MasterRecord* FindMaster(std::string_view name) const;
  const std::map<std::string, MasterRecord>& masters() const { return state_.masters; }
  const Link* FindLink(LinkId id) const { return state_.links.Find(id); }
  const CoreOptions& options() const { return state_.options; }
  const GlobalSettings& globals() const { return state_.globals; }
  const SimulateFailureRequest& simulate_failure() const { return state_.simfailure; }
  // The read-only SENTINEL subcommands rendered as Redis replies (queries.cc).
  WireValue Query(MonoTime now, const AdminQuery& query) const;
  // What the next persist would contain.
  PersistentState Snapshot() const;

 private:
  void EnsureStarted();
  void HandleInstance(MasterRecord& master, InstanceRecord& ri);
  void ActOnMaster(MasterRecord& master, bool sdown_began);
  void HandleReply(RequestId request, const ReplyPayload& payload);
  void HandleRequestFailed(RequestId request);
  void ForgetRequest(std::map<RequestId, PendingRequest>::iterator it);
  // Removes the request and releases its link's pending count (not its instance's flag).
  PendingRequest TakeRequest(std::map<RequestId, PendingRequest>::iterator it);

  CoreState state_;
  std::optional<PersistentState> restored_;  // consumed by EnsureStarted
  // Masters in name order for the tick (no master is created or destroyed during the walk).
  std::vector<MasterRecord*> tick_order_;
  uint64_t tick_order_version_ = UINT64_MAX;
};

}  // namespace vigil::sentinel
