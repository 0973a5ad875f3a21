#include "datanode/replication/shutdown_handoff.h"

#include <algorithm>

namespace vigil::datanode {

HandoffStep ShutdownHandoff::Begin(std::vector<HandoffSentinel> sentinels, MonoTime deadline) {
  sentinels_ = std::move(sentinels);
  deadline_ = deadline;
  current_ = 0;
  awaiting_ = false;
  new_master_.reset();
  refusals_.clear();
  phase_ = Phase::kAsking;
  if (sentinels_.empty()) return Finish(false, "no sentinel monitors this master");
  HandoffStep step;
  step.kind = HandoffStep::Kind::kSend;
  step.sentinel = 0;
  step.argv = {"SENTINEL", "FAILOVER", sentinels_[0].master_name, "COORDINATED"};
  awaiting_ = true;
  return step;
}

HandoffStep ShutdownHandoff::AskNext(const std::string& previous_error) {
  refusals_ += (refusals_.empty() ? "" : "; ") + FormatHostPort(sentinels_[current_].addr) + ": " +
               previous_error;
  if (++current_ >= sentinels_.size()) {
    return Finish(false, "no sentinel started the switchover (" + refusals_ + ")");
  }
  HandoffStep step;
  step.kind = HandoffStep::Kind::kSend;
  step.sentinel = current_;
  step.argv = {"SENTINEL", "FAILOVER", sentinels_[current_].master_name, "COORDINATED"};
  awaiting_ = true;
  return step;
}

std::optional<size_t> ShutdownHandoff::NextToConfirm() const {
  for (size_t k = 1; k <= sentinels_.size(); ++k) {
    const size_t i = (asked_ + k) % sentinels_.size();
    if (!confirmed_[i] && !silent_[i]) return i;
  }
  return std::nullopt;
}

HandoffStep ShutdownHandoff::AskAddress() {
  const std::optional<size_t> next = NextToConfirm();
  if (!next) {
    const auto named = std::count(confirmed_.begin(), confirmed_.end(), true);
    return Finish(true,
                  std::to_string(named) + " of " + std::to_string(sentinels_.size()) +
                      " sentinels name " + FormatHostPort(*new_master_) +
                      (size_t(named) < sentinels_.size() ? " (the others do not answer)" : ""));
  }
  asked_ = *next;
  HandoffStep step;
  step.kind = HandoffStep::Kind::kSend;
  step.sentinel = asked_;
  step.argv = {"SENTINEL", "MASTER", sentinels_[asked_].master_name};
  awaiting_ = true;
  return step;
}

HandoffStep ShutdownHandoff::Finish(bool handed_over, std::string why) {
  phase_ = Phase::kFinished;
  awaiting_ = false;
  HandoffStep step;
  step.kind = HandoffStep::Kind::kFinish;
  step.handed_over = handed_over;
  step.why = std::move(why);
  return step;
}

HandoffStep ShutdownHandoff::OnReply(MonoTime now, const std::string& error,
                                     std::optional<HostPort> addr) {
  if (!active() || !awaiting_) return {};
  awaiting_ = false;
  switch (phase_) {
    case Phase::kAsking:
      if (!error.empty()) return AskNext(error);
      phase_ = Phase::kHanding;
      return OnTick(now);
    case Phase::kConfirming:
      // A late answer to the switchover request (we followed before it came), or a sentinel's
      // view of the master.
      if (!late_switchover_reply_) {
        if (addr && SameAddress(*addr, *new_master_)) {
          confirmed_[asked_] = true;
          return AskAddress();  // the next sentinel at once
        }
        if (!error.empty()) {
          silent_[asked_] = true;
          return AskAddress();
        }
      }
      late_switchover_reply_ = false;
      next_poll_ = now + kConfirmPoll;
      return OnTick(now);
    default:
      return {};
  }
}

HandoffStep ShutdownHandoff::OnFollowing(MonoTime now, const HostPort& master) {
  if (!active() || phase_ == Phase::kConfirming) return {};
  phase_ = Phase::kConfirming;
  new_master_ = master;
  next_poll_ = now;
  confirmed_.assign(sentinels_.size(), false);
  silent_.assign(sentinels_.size(), false);
  asked_ = current_ == 0 ? sentinels_.size() - 1 : current_ - 1;  // start with the accepting one
  late_switchover_reply_ = awaiting_;
  return OnTick(now);
}

HandoffStep ShutdownHandoff::OnTick(MonoTime now) {
  if (!active()) return {};
  if (now >= deadline_) {
    if (phase_ == Phase::kConfirming) {
      return Finish(true, FormatHostPort(*new_master_) +
                              " took over, but no sentinel named it before shutdown-timeout");
    }
    return Finish(false, phase_ == Phase::kAsking ? "no sentinel answered before shutdown-timeout"
                                                  : "no replica took over before shutdown-timeout");
  }
  if (phase_ == Phase::kConfirming && !awaiting_ && now >= next_poll_) return AskAddress();
  return {};
}

}  // namespace vigil::datanode
