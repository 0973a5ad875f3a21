#pragma once
// MasterResolver: the blocking driver of DiscoveryFsm, and the Client's shared view of "who is
// the master". It executes the FSM's actions (sentinel questions, ROLE checks, pauses) with the
// lock released, so +switch-master events reach the FSM mid-resolution. One thread resolves at a
// time; others wait for its outcome until their own deadline.
//
// Each resolution that ends in UseMaster starts a new generation; connections verified under an
// older generation are never used for writes again.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client-sdk/src/discovery_fsm.h"
#include "client-sdk/src/node_connection.h"
#include "vigil/client/options.h"

namespace vigil::client {

struct MasterTarget {
  Address address;
  uint64_t generation = 0;
  // The ROLE-verified connection the resolution opened, handed to the first caller to use.
  std::unique_ptr<NodeConnection> verified;
};

class MasterResolver {
 public:
  using Logger = std::function<void(LogLevel, const std::string&)>;

  MasterResolver(const Options& options, Logger log);

  // The current master, resolving it first if unknown. Errors: the resolution's (kNoSentinel,
  // kUnknownMaster, kNoMaster) or kDeadlineExceeded while waiting for another thread.
  Result<MasterTarget> Acquire(MonoTime deadline);
  // The call that used `generation` saw the master fail: forget it (once per generation).
  void Invalidate(uint64_t generation, const std::string& why);
  // From a listener thread. The log callback runs under the resolver's lock: it must not call
  // back into the Client.
  void OnSwitchMaster(const Address& sentinel, const Address& new_master);

  // Sleeps `delay`, or less if a +switch-master arrives after switch_master_events() was
  // `seen` (an event before the pause began counts too, so none is missed).
  void PauseUnlessSwitched(uint64_t seen, std::chrono::milliseconds delay);
  std::vector<Address> Sentinels() const;
  uint64_t resolutions() const;
  uint64_t master_changes() const;
  uint64_t switch_master_events() const;
  // Callers waiting in PauseUnlessSwitched now.
  int pausing() const;

  // Settings for the data-node connections the ROLE check opens (also used by the client).
  const ConnectSettings& node_settings() const { return node_settings_; }
  const ConnectSettings& sentinel_settings() const { return sentinel_settings_; }
  const std::string& master_name() const { return master_name_; }
  // TLS contexts (null: plain) for the data nodes and the sentinels; set before first use.
  void SetTls(std::shared_ptr<TlsClientContext> nodes,
              std::shared_ptr<TlsClientContext> sentinels) {
    node_settings_.tls = std::move(nodes);
    sentinel_settings_.tls = std::move(sentinels);
  }

 private:
  Result<MasterTarget> ResolveLocked(std::unique_lock<std::mutex>& lock, MonoTime deadline);
  SentinelAnswer AskMasterAddr(const Address& sentinel);
  std::vector<Address> FetchSentinelList(const Address& sentinel);
  RoleAnswer CheckRole(const Address& node, std::unique_ptr<NodeConnection>* verified);

  std::string master_name_;
  ConnectSettings node_settings_;
  ConnectSettings sentinel_settings_;
  Logger log_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  DiscoveryFsm fsm_;
  bool resolving_ = false;
  std::optional<Address> master_;
  std::optional<Address> last_master_;
  uint64_t generation_ = 0;
  // The socket of the ROLE check in progress (-1: none), so +switch-master can interrupt it.
  int role_check_fd_ = -1;
  Address role_check_node_;
  uint64_t resolutions_ = 0;
  uint64_t master_changes_ = 0;
  uint64_t switch_master_events_ = 0;
  int pausing_ = 0;
};

}  // namespace vigil::client
