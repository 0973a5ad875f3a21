#pragma once
// RetryPolicy: what a call does after each attempt, as a pure function of the outcome, the time
// and an injected PRNG. It decides whether the connection is dropped, whether the master is
// resolved again, how long to back off (exponential with jitter) and when to give up (the call's
// total deadline). The client front end only executes these decisions.
#include <chrono>

#include "client-sdk/src/discovery_fsm.h"
#include "common/random/prng.h"
#include "vigil/client/reply.h"

namespace vigil::client {

enum class CallOutcome {
  kReply,           // a reply to hand to the caller (error replies included)
  kReadOnly,        // -READONLY: the node is a replica now
  kMasterDown,      // -MASTERDOWN: a replica that lost its master
  kLoading,         // -LOADING: the node is loading its dataset; same node, later
  kNoMaster,        // resolution failed (the resolver already spent its own time)
  kNotMaster,       // the connection's ROLE check said the node is not a master
  kConnectFailed,   // could not open a connection
  kConnectionLost,  // the connection broke while the command was in flight
  kTimeout,         // no reply within command_timeout
};

// Maps a reply to kReply or to one of the reply-borne outcomes above.
CallOutcome ClassifyReply(const Reply& reply);
const char* CallOutcomeName(CallOutcome outcome);

struct RetryConfig {
  std::chrono::milliseconds backoff_initial{25};
  std::chrono::milliseconds backoff_max{500};
};

struct RetryDecision {
  enum class Kind { kReturn, kRetry, kGiveUp };
  Kind kind = Kind::kReturn;
  bool drop_connection = false;  // never reuse the connection the attempt ran on
  bool reresolve = false;        // forget the master; the next attempt asks the sentinels
  std::chrono::milliseconds delay{0};
};

class RetryPolicy {
 public:
  // Requires: the call started before deadline.
  RetryPolicy(RetryConfig config, MonoTime deadline) : config_(config), deadline_(deadline) {}

  RetryDecision Decide(MonoTime now, CallOutcome outcome, Prng& prng);
  int attempts() const { return attempts_; }

 private:
  std::chrono::milliseconds Backoff(Prng& prng) const;

  RetryConfig config_;
  MonoTime deadline_;
  int attempts_ = 0;
};

}  // namespace vigil::client
