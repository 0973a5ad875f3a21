#pragma once
// Checkers: the simulator's safety properties, evaluated as things happen, and the liveness
// property evaluated after a heal phase. A violation is recorded with enough context to debug the
// seed; the run continues so one seed reports all it breaks.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/resp/value.h"
#include "common/time/mono_time.h"
#include "sentinel/core/admin_request.h"
#include "sentinel/core/events.h"
#include "sentinel/core/persistent_state.h"
#include "tests/sim/fence_checker.h"

namespace vigil::sim {

class SimSentinel;
class SimDataNode;
class World;

class Checkers {
 public:
  // Every event a sentinel emits.
  void OnEvent(MonoTime now, const SimSentinel& s, const sentinel::Event& e);
  // A persisted state about to replace the previous one.
  void OnPersist(const SimSentinel& s, const sentinel::PersistentState& next);
  // After every batch of a sentinel: epochs must not go backwards.
  void OnBatch(const SimSentinel& s);
  // A sentinel restarts from its persisted state: what it had not written is legitimately lost
  // (nothing revealed it), so the epochs it may not go below are the persisted ones.
  void OnRestart(const SimSentinel& s);
  // A hello leaving a sentinel: the epochs and the address it announces must be durable.
  void OnHelloSent(const SimSentinel& s, const std::string& payload);
  // A vote request of our own leaving a sentinel: the epoch it asks in must be durable, or a
  // restart could vote again in it.
  void OnVoteRequestSent(const SimSentinel& s, uint64_t epoch);
  // A vote answer leaving a sentinel: its vote must already be durable.
  void OnVoteReplySent(const SimSentinel& s, const sentinel::VoteRequestArgs& args,
                       const resp::Value& reply);
  // A node executed SLAVEOF NO ONE sent by a sentinel (even as a master already) or promoted
  // itself at the end of a FAILOVER handoff.
  void OnPromotion(MonoTime now, const SimDataNode& node);
  void OnSentinelCrash(MonoTime now, const SimSentinel& s) { fence_.OnSentinelCrash(now, s); }

  // A client's write executed by `node` (a master): acknowledged, whether or not the reply
  // reaches the client. `fence_consulted`: MayWrite allowed it just before. With fencing on,
  // FenceChecker checks the fence's guarantee (fence_checker.h).
  void OnWriteAcked(World& world, const SimDataNode& node, bool fence_consulted);
  void OnWriteRefused(bool fenced);
  uint64_t writes_acked() const { return writes_acked_; }
  uint64_t writes_refused() const { return writes_refused_; }
  uint64_t writes_fenced() const { return writes_fenced_; }
  // Acknowledged after another node's promotion (fence_checker.h): with an unarmed fence or
  // outside the proof's other premises (allowed), after a promotion the sentinels did not adopt
  // (no write lost), and the violations.
  uint64_t writes_unarmed() const { return fence_.unarmed(); }
  uint64_t writes_outside_proof() const { return fence_.outside_proof(); }
  uint64_t writes_unadopted() const { return fence_.unadopted(); }
  uint64_t writes_stale() const { return fence_.stale(); }

  // Liveness after healing: every running sentinel names the same master for `name`, that node
  // is up and a master, and every other running node replicates from it with its link up, under
  // its replication id, holding the writes the master held at the replica's offset.
  void CheckConverged(World& world, const std::string& name);

  void Violation(MonoTime now, const std::string& what);
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  struct SdownWindow {
    MonoTime start{0};
    std::optional<MonoTime> end;
  };
  // (master name, epoch) → myid of the sentinel that won it.
  std::map<std::pair<std::string, uint64_t>, std::string> leaders_;
  // (myid, master name, epoch) → the candidate voted for.
  std::map<std::tuple<std::string, std::string, uint64_t>, std::string> votes_;
  // myid → highest current epoch seen; (myid, master) → highest config epoch.
  std::map<std::string, uint64_t> epochs_;
  std::map<std::pair<std::string, std::string>, uint64_t> config_epochs_;
  // (myid, master address "ip:port") → SDOWN windows of that master as seen by that sentinel.
  std::map<std::pair<std::string, std::string>, std::vector<SdownWindow>> sdown_;
  std::vector<std::string> violations_;
  uint64_t writes_acked_ = 0;
  uint64_t writes_refused_ = 0;
  uint64_t writes_fenced_ = 0;
  FenceChecker fence_;
};

}  // namespace vigil::sim
