#pragma once
// DiscoveryFsm: the Sentinel client protocol as a pure state machine (no sockets, no clock, no
// randomness of its own). The driver asks Next(now) what to do, does it (a sentinel question, a
// ROLE check, a pause), and feeds the outcome back. The same machine serves the blocking client,
// tests with scripted sentinels and a manual clock, and a simulator.
//
// One resolution: Begin(now, deadline) → [VerifyRole(hint) if a +switch-master named one] →
// AskSentinel(0), AskSentinel(1)... (first mode: the first address answered wins and its sentinel
// moves to the front; majority mode: every sentinel is asked and an address needs a majority of
// the known sentinels) → VerifyRole(addr) → [AskSentinelList once in a while] → UseMaster.
// A round without a usable answer pauses (Sleep) and starts over until the deadline, then Fail.
//
// Not thread-safe: the owner serializes calls.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "vigil/client/address.h"
#include "vigil/client/errors.h"

namespace vigil::client {

using MonoTime = std::chrono::steady_clock::time_point;

struct DiscoveryConfig {
  bool majority_view = false;
  bool learn_sentinels = true;
  std::chrono::milliseconds rediscover_pause{100};
  // SENTINEL SENTINELS is asked at most this often.
  std::chrono::milliseconds learn_interval{30000};
  std::size_t max_sentinels = 16;
};

// ---- actions (outputs) ----
struct AskSentinel {  // SENTINEL GET-MASTER-ADDR-BY-NAME <name> to sentinels()[index]
  std::size_t index = 0;
  Address sentinel;
};
struct AskSentinelList {  // SENTINEL SENTINELS <name> to sentinels()[index]
  std::size_t index = 0;
  Address sentinel;
};
struct VerifyRole {  // connect (with auth) and send ROLE
  Address node;
};
struct Sleep {  // nothing to do before `until`
  MonoTime until;
};
struct UseMaster {  // resolution finished
  Address master;
};
struct FailResolution {
  Error error;
};
using DiscoveryAction =
    std::variant<AskSentinel, AskSentinelList, VerifyRole, Sleep, UseMaster, FailResolution>;

// ---- outcomes (inputs) ----
enum class SentinelAnswerKind {
  kAddress,        // *2 ip port
  kUnknownMaster,  // null: the sentinel does not monitor this name
  kUnreachable,    // connect failure, timeout, I/O error
  kError,          // an error reply (auth, unknown command...)
};
struct SentinelAnswer {
  SentinelAnswerKind kind = SentinelAnswerKind::kUnreachable;
  Address address;     // kAddress only
  std::string detail;  // for error messages
};

enum class RoleAnswer {
  kMaster,
  kNotMaster,    // slave, sentinel, or an error reply
  kUnreachable,  // connect failure, timeout
};

class DiscoveryFsm {
 public:
  // Requires: sentinels is not empty.
  DiscoveryFsm(DiscoveryConfig config, std::vector<Address> sentinels);

  // Starts a resolution (abandoning any unfinished one). Requires: deadline > now.
  void Begin(MonoTime now, MonoTime deadline);
  bool resolving() const { return phase_ != Phase::kIdle; }

  // The next action. Repeating Next without feeding an outcome returns the same action.
  DiscoveryAction Next(MonoTime now);

  // Outcome of the last AskSentinel. Ignored when it answers a question not outstanding.
  void OnSentinelAnswer(MonoTime now, std::size_t index, const SentinelAnswer& answer);
  // Outcome of the last VerifyRole.
  void OnRoleAnswer(MonoTime now, const Address& node, RoleAnswer answer);
  // Outcome of AskSentinelList: the other sentinels it knows (empty on failure).
  void OnSentinelList(MonoTime now, const std::vector<Address>& sentinels);
  // A subscribed sentinel published +switch-master for our name. The announced address is only
  // a hint: it is ROLE-verified before use.
  void OnSwitchMaster(const Address& new_master);

  const std::vector<Address>& sentinels() const { return sentinels_; }

 private:
  enum class Phase { kIdle, kVerifyHint, kAsking, kVerifying, kLearning, kPausing, kDone, kFailed };

  void StartRound(MonoTime now);
  void EndRound(MonoTime now, const std::string& why);
  void MoveToFront(std::size_t index);
  std::optional<Address> MajorityAddress() const;
  void AfterVerified(MonoTime now);

  DiscoveryConfig config_;
  std::vector<Address> sentinels_;
  Phase phase_ = Phase::kIdle;
  MonoTime deadline_{};
  MonoTime pause_until_{};
  std::size_t next_sentinel_ = 0;         // kAsking: the sentinel to ask
  Address candidate_;                     // kVerifying / kLearning / kDone
  std::optional<Address> hint_;           // from +switch-master
  std::map<Address, std::size_t> votes_;  // majority mode: address -> sentinels naming it
  // Why the last round failed, for the final error.
  ErrorCode last_code_ = ErrorCode::kNoSentinel;
  std::string last_reason_ = "no sentinel asked yet";
  bool any_sentinel_answered_ = false;
  bool any_sentinel_knew_master_ = false;
  std::optional<MonoTime> last_learned_;
};

}  // namespace vigil::client
