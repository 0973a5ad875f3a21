#include "client-sdk/src/retry_policy.h"

#include <algorithm>
#include <string_view>

namespace vigil::client {

CallOutcome ClassifyReply(const Reply& reply) {
  if (!reply.is_error()) return CallOutcome::kReply;
  const std::string_view text = reply.str();
  auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
  if (starts("READONLY")) return CallOutcome::kReadOnly;
  if (starts("MASTERDOWN")) return CallOutcome::kMasterDown;
  if (starts("LOADING")) return CallOutcome::kLoading;
  return CallOutcome::kReply;
}

const char* CallOutcomeName(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kReply:
      return "reply";
    case CallOutcome::kReadOnly:
      return "READONLY";
    case CallOutcome::kMasterDown:
      return "MASTERDOWN";
    case CallOutcome::kLoading:
      return "LOADING";
    case CallOutcome::kNoMaster:
      return "no master";
    case CallOutcome::kNotMaster:
      return "not a master";
    case CallOutcome::kConnectFailed:
      return "connect failed";
    case CallOutcome::kConnectionLost:
      return "connection lost";
    case CallOutcome::kTimeout:
      return "timeout";
  }
  return "?";
}

RetryDecision RetryPolicy::Decide(MonoTime now, CallOutcome outcome, Prng& prng) {
  ++attempts_;
  RetryDecision d;
  if (outcome == CallOutcome::kReply) return d;
  // A connection whose node answered READONLY/MASTERDOWN, broke, or hung is never reused: a
  // hung master must not hold later calls (the ioredis loss after SIGSTOP).
  d.drop_connection = outcome == CallOutcome::kReadOnly || outcome == CallOutcome::kMasterDown ||
                      outcome == CallOutcome::kConnectionLost || outcome == CallOutcome::kTimeout ||
                      outcome == CallOutcome::kNotMaster;
  // LOADING is the right node being slow; everything else may mean the master moved.
  d.reresolve = outcome != CallOutcome::kLoading;
  d.delay = Backoff(prng);
  if (now + d.delay >= deadline_) {
    d.kind = RetryDecision::Kind::kGiveUp;
    d.delay = std::chrono::milliseconds(0);
    return d;
  }
  d.kind = RetryDecision::Kind::kRetry;
  return d;
}

std::chrono::milliseconds RetryPolicy::Backoff(Prng& prng) const {
  // attempts_ >= 1 here. Cap the shift so it cannot overflow on long-running retries.
  const int shift = std::min(attempts_ - 1, 20);
  const int64_t base =
      std::min<int64_t>(config_.backoff_max.count(), config_.backoff_initial.count() << shift);
  // "Equal jitter": half fixed, half random, so retries from many clients spread out but never
  // collapse to zero.
  const int64_t half = base / 2;
  const int64_t jitter = static_cast<int64_t>(prng.Uniform(static_cast<uint64_t>(base - half) + 1));
  return std::chrono::milliseconds(half + jitter);
}

}  // namespace vigil::client
