#pragma once
// SentinelCore: everything a Redis-Sentinel-compatible sentinel decides, as a deterministic state
// machine (docs/architecture.md, "The sentinel"). No sockets, clock reads, randomness of its own,
// logging or files: the shell feeds it time (Tick) and inputs (Step) and drains a Ready batch after
// each call. Single-threaded: one caller at a time.
//
// Contract for the shell, per batch, in order:
//   1. if `write` is set, make it durable (fsync + rename) and report the outcome with
//      StateWritten, which rewrites the batch when the write failed (state_durability.h says
//      which batches are written first and why);
//   2. log and publish `events` (DEBUG ones are not published);
//   3. execute `actions` in order (stop at ExitProcess).
// At a clean exit, write UnwrittenState() if it is set.
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
#include "sentinel/core/state_durability.h"

namespace vigil::sentinel {

struct Ready {
  std::optional<PersistentState> write;  // must be durable before anything below runs
  std::vector<Event> events;
  std::vector<Action> actions;

  bool empty() const { return !write && events.empty() && actions.empty(); }
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
  // The outcome of writing `batch.write` (moved out of the batch). On failure the batch's
  // replies become errors, or the batch becomes an exit (StateDurability).
  void StateWritten(bool ok, Ready& batch);
  // What a clean exit must still write.
  std::optional<PersistentState> UnwrittenState() const;
  // The state last reported written (nullopt before the first write).
  const std::optional<PersistentState>& durable_state() const { return durability_.durable(); }

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
  resp::Value Query(MonoTime now, const AdminQuery& query) const;
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
  StateDurability durability_;
  std::optional<PersistentState> restored_;  // consumed by EnsureStarted
  // Masters in name order for the tick (no master is created or destroyed during the walk).
  std::vector<MasterRecord*> tick_order_;
  uint64_t tick_order_version_ = UINT64_MAX;
};

}  // namespace vigil::sentinel
