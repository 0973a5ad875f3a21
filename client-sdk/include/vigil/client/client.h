#pragma once
// libvigil-client: a Redis client that finds the master through Vigil (or Redis) sentinels and
// follows failovers. Errors never throw: every call returns Result<T> (see errors.h).
//
// Thread-safety: one Client is meant to be shared by all threads of a process. Each call borrows
// a pooled connection for its duration; discovery runs on one thread at a time while the others
// wait for its outcome. The Client must outlive every call made on it.
//
// Failover rule: a write only goes to a node that answered ROLE with "master" when its
// connection was opened. On READONLY, MASTERDOWN, a connection error or a command timeout the
// connection is dropped, the master is resolved again through the sentinels, and the call is
// retried with backoff until Options::call_deadline. A +switch-master event from a subscribed
// sentinel makes every later call verify the announced master first. A command retried after a
// timeout or a lost connection may have run once already (at-least-once).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "vigil/client/address.h"
#include "vigil/client/errors.h"
#include "vigil/client/options.h"
#include "vigil/client/reply.h"

namespace vigil::client {

// Where a call was served and how much it took; filled when a caller passes one.
struct CallInfo {
  Address node;      // the node that sent the returned reply
  int attempts = 0;  // 1 when the first try succeeded
};

// Counters since Create(); a snapshot.
struct ClientStats {
  uint64_t calls = 0;
  uint64_t retries = 0;
  uint64_t resolutions = 0;     // completed master resolutions
  uint64_t master_changes = 0;  // resolutions that found a different master
  uint64_t switch_master_events = 0;
  uint64_t dropped_connections = 0;  // after a timeout, a connection error or READONLY
  uint64_t readonly_replies = 0;     // writes that reached a node that was no longer master
};

class Client {
 public:
  // Validates the options and starts the +switch-master listeners. Does not contact a data
  // node: the first call resolves the master. Errors: kInvalidArgument.
  static Result<std::unique_ptr<Client>> Create(Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any command on the master: Command("SET", "k", "v"). The reply is returned as sent, error
  // replies included (except READONLY/MASTERDOWN, which trigger re-resolution and a retry).
  template <typename... Args>
  requires(sizeof...(Args) > 0 && (std::is_convertible_v<const Args&, std::string_view> &&
                                   ...)) Result<Reply> Command(const Args&... args) {
    return CommandArgv({std::string(std::string_view(args))...});
  }
  Result<Reply> CommandArgv(const std::vector<std::string>& argv, CallInfo* info = nullptr);

  // Sends every command in one write and reads every reply (one round trip). Retried as a whole
  // on the same conditions as a single command.
  Result<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands,
                                      CallInfo* info = nullptr);

  // A read on a healthy replica (from SENTINEL REPLICAS, skipping s_down, o_down and
  // disconnected ones, round robin), falling back to the master when none answers.
  Result<Reply> ReadCommandArgv(const std::vector<std::string>& argv, CallInfo* info = nullptr);

  // Typed helpers; an error reply becomes Error{kServerError}.
  Result<std::string> Ping();
  Result<bool> Set(std::string_view key, std::string_view value);  // false: not set (NX/XX)
  Result<std::optional<std::string>> Get(std::string_view key);
  Result<int64_t> Del(const std::vector<std::string>& keys);
  Result<int64_t> Incr(std::string_view key);
  Result<int64_t> Publish(std::string_view channel, std::string_view message);
  // WAIT numreplicas timeout: how many replicas acknowledged the connection's earlier writes.
  // Only meaningful when sent right after the writes, on the same connection: use Pipeline.
  Result<int64_t> Wait(int64_t replicas, int64_t timeout_ms);

  // The master the next call would use, resolving it if unknown.
  Result<Address> CurrentMaster();
  // Forgets the current master and resolves again (e.g. after an operator's failover).
  Result<Address> Resolve();
  // The sentinel list in the order the next resolution will try it.
  std::vector<Address> Sentinels() const;
  ClientStats Stats() const;

 private:
  class Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::client
