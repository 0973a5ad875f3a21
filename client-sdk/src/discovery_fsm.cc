#include "client-sdk/src/discovery_fsm.h"

#include <algorithm>
#include <utility>

namespace vigil::client {

DiscoveryFsm::DiscoveryFsm(DiscoveryConfig config, std::vector<Address> sentinels)
    : config_(config), sentinels_(std::move(sentinels)) {}

void DiscoveryFsm::Begin(MonoTime now, MonoTime deadline) {
  deadline_ = deadline;
  any_sentinel_answered_ = false;
  any_sentinel_knew_master_ = false;
  last_code_ = ErrorCode::kNoSentinel;
  last_reason_ = "no sentinel asked yet";
  if (hint_) {
    // A +switch-master named the new master: checking it directly skips the sentinel round.
    phase_ = Phase::kVerifyHint;
    candidate_ = *hint_;
    return;
  }
  StartRound(now);
}

void DiscoveryFsm::StartRound(MonoTime /*now*/) {
  phase_ = Phase::kAsking;
  next_sentinel_ = 0;
  votes_.clear();
}

void DiscoveryFsm::EndRound(MonoTime now, const std::string& why) {
  if (!any_sentinel_answered_) {
    last_code_ = ErrorCode::kNoSentinel;
  } else if (!any_sentinel_knew_master_) {
    last_code_ = ErrorCode::kUnknownMaster;
  } else {
    last_code_ = ErrorCode::kNoMaster;
  }
  last_reason_ = why;
  phase_ = Phase::kPausing;
  pause_until_ = now + config_.rediscover_pause;
}

DiscoveryAction DiscoveryFsm::Next(MonoTime now) {
  switch (phase_) {
    case Phase::kIdle:
      return FailResolution{{ErrorCode::kInvalidArgument, "no resolution in progress"}};
    case Phase::kDone:
      return UseMaster{candidate_};
    case Phase::kFailed:
      return FailResolution{{last_code_, last_reason_}};
    default:
      break;
  }
  if (now >= deadline_) {
    phase_ = Phase::kFailed;
    last_reason_ = "deadline passed while resolving the master; last: " + last_reason_;
    return FailResolution{{last_code_, last_reason_}};
  }
  switch (phase_) {
    case Phase::kVerifyHint:
    case Phase::kVerifying:
      return VerifyRole{candidate_};
    case Phase::kAsking:
      return AskSentinel{next_sentinel_, sentinels_[next_sentinel_]};
    case Phase::kLearning:
      return AskSentinelList{0, sentinels_[0]};
    case Phase::kPausing:
      if (now >= pause_until_) {
        StartRound(now);
        return AskSentinel{next_sentinel_, sentinels_[next_sentinel_]};
      }
      return Sleep{std::min(pause_until_, deadline_)};
    default:
      return FailResolution{{ErrorCode::kInvalidArgument, "unreachable phase"}};
  }
}

void DiscoveryFsm::OnSentinelAnswer(MonoTime now, std::size_t index, const SentinelAnswer& answer) {
  if (phase_ != Phase::kAsking || index != next_sentinel_) return;
  const std::string who = sentinels_[index].ToString();
  switch (answer.kind) {
    case SentinelAnswerKind::kAddress:
      any_sentinel_answered_ = true;
      any_sentinel_knew_master_ = true;
      if (!config_.majority_view) {
        MoveToFront(index);
        candidate_ = answer.address;
        phase_ = Phase::kVerifying;
        return;
      }
      ++votes_[answer.address];
      last_reason_ = "sentinels disagree on the master address";
      break;
    case SentinelAnswerKind::kUnknownMaster:
      any_sentinel_answered_ = true;
      last_reason_ = "sentinel " + who + " does not know the master name";
      break;
    case SentinelAnswerKind::kUnreachable:
      last_reason_ = "sentinel " + who + " unreachable: " + answer.detail;
      break;
    case SentinelAnswerKind::kError:
      any_sentinel_answered_ = true;
      last_reason_ = "sentinel " + who + " answered an error: " + answer.detail;
      break;
  }
  ++next_sentinel_;
  if (config_.majority_view) {
    if (auto addr = MajorityAddress()) {
      candidate_ = *addr;
      phase_ = Phase::kVerifying;
      return;
    }
  }
  if (next_sentinel_ >= sentinels_.size()) {
    EndRound(now, config_.majority_view && any_sentinel_knew_master_
                      ? "no address is reported by a majority of the sentinels"
                      : last_reason_);
  }
}

std::optional<Address> DiscoveryFsm::MajorityAddress() const {
  const std::size_t needed = sentinels_.size() / 2 + 1;
  for (const auto& [addr, count] : votes_) {
    if (count >= needed) return addr;
  }
  return std::nullopt;
}

void DiscoveryFsm::OnRoleAnswer(MonoTime now, const Address& node, RoleAnswer answer) {
  if ((phase_ != Phase::kVerifying && phase_ != Phase::kVerifyHint) || node != candidate_) return;
  if (answer == RoleAnswer::kMaster) {
    hint_.reset();
    AfterVerified(now);
    return;
  }
  const std::string why =
      node.ToString() +
      (answer == RoleAnswer::kNotMaster ? " is not a master (ROLE)" : " did not answer ROLE");
  if (phase_ == Phase::kVerifyHint) {
    // The announced master is not (yet, or any more) usable: fall back to the sentinels now.
    hint_.reset();
    last_reason_ = why;
    StartRound(now);
    return;
  }
  // Step 3 of the client protocol (docs/sentinel-behaviour.md, "Client discovery"): a named
  // address that is not a master means "start again after a pause".
  EndRound(now, why);
}

void DiscoveryFsm::AfterVerified(MonoTime now) {
  const bool learn_due =
      config_.learn_sentinels && (!last_learned_ || now - *last_learned_ >= config_.learn_interval);
  phase_ = learn_due ? Phase::kLearning : Phase::kDone;
}

void DiscoveryFsm::OnSentinelList(MonoTime now, const std::vector<Address>& sentinels) {
  if (phase_ != Phase::kLearning) return;
  last_learned_ = now;
  for (const auto& s : sentinels) {
    if (sentinels_.size() >= config_.max_sentinels) break;
    if (std::find(sentinels_.begin(), sentinels_.end(), s) == sentinels_.end()) {
      sentinels_.push_back(s);
    }
  }
  phase_ = Phase::kDone;
}

void DiscoveryFsm::OnSwitchMaster(const Address& new_master) {
  hint_ = new_master;
  const bool verifying_other = phase_ == Phase::kVerifying && candidate_ != new_master;
  if (phase_ == Phase::kAsking || phase_ == Phase::kPausing || verifying_other) {
    // Mid-resolution: the sentinels may still name the old master (which may hang the ROLE check
    // for a whole timeout); the event is fresher. A late answer about the old candidate is then
    // ignored because it names another node.
    phase_ = Phase::kVerifyHint;
    candidate_ = new_master;
  }
}

void DiscoveryFsm::MoveToFront(std::size_t index) {
  std::rotate(sentinels_.begin(), sentinels_.begin() + static_cast<std::ptrdiff_t>(index),
              sentinels_.begin() + static_cast<std::ptrdiff_t>(index) + 1);
}

}  // namespace vigil::client
