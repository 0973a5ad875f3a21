#include "datanode/replication/sentinel_fence.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace vigil::datanode {

const char* FenceCauseName(FenceCause cause) {
  switch (cause) {
    case FenceCause::kNone:
      return "none";
    case FenceCause::kSentinelsLost:
      return "sentinels-lost";
    case FenceCause::kLoopStalled:
      return "loop-stalled";
    case FenceCause::kSuperseded:
      return "superseded";
    case FenceCause::kRestarted:
      return "restarted";
  }
  return "none";
}

SentinelFence::SentinelFence(FenceOptions options) : options_(options) {}

void SentinelFence::Reconfigure(FenceOptions options, MonoTime now) {
  options_ = options;
  Forget();
  grace_until_ = now + options.reconfigure_grace;
}

void SentinelFence::SetRole(bool master) {
  if (master == master_) return;
  master_ = master;
  Forget();
}

void SentinelFence::Forget() {
  if (fenced_) ++lifts_;
  if (!members_.empty() || !master_names_.empty() || config_epoch_) ++membership_changes_;
  members_.clear();
  master_names_.clear();
  config_epoch_.reset();
  fenced_ = false;
  cause_ = FenceCause::kNone;
}

void SentinelFence::OnLoopTick(MonoTime now) {
  Evaluate(now);  // sees the gap since the previous tick before it is closed
  last_tick_ = now;
}

void SentinelFence::OnContact(MonoTime now, std::string_view sentinel_id, bool heard_back) {
  if (!enabled() || !master_) return;
  Evaluate(now);
  if (!heard_back) return;
  auto it = members_.find(std::string(sentinel_id));
  if (it != members_.end()) it->second.last_contact = now;
}

SentinelFence::Member* SentinelFence::Learn(const SentinelHello& hello) {
  const std::string id = SentinelIdOfRunId(hello.runid);
  auto it = members_.find(id);
  if (it != members_.end()) return &it->second;
  // A sentinel restarted with a fresh run id announces the same address: it replaces the old
  // entry instead of inflating the majority (Redis issue #8786).
  std::erase_if(members_, [&](const auto& kv) {
    return kv.second.ip == hello.sentinel.host && kv.second.port == hello.sentinel.port;
  });
  ++membership_changes_;  // a replacement too, when the limit refuses the newcomer
  if (members_.size() >= options_.max_sentinels) return nullptr;
  Member& m = members_[id];
  m.runid = hello.runid;
  m.ip = hello.sentinel.host;
  m.port = hello.sentinel.port;
  m.current_epoch = hello.current_epoch;
  m.epoch_at_fence = hello.current_epoch;
  return &m;
}

void SentinelFence::NoteEvidence(Member& m, MonoTime at, const SentinelHello& hello) {
  if (!fenced_ || at <= raised_at_) return;
  if (config_epoch_ && hello.master_config_epoch < *config_epoch_) return;
  if (!m.evidence_since) {
    m.evidence_since = at;
    return;
  }
  const Millis span =
      m.current_epoch > m.epoch_at_fence ? options_.settle_span : options_.lift_span;
  if (at - *m.evidence_since >= span) m.evidence_ready = true;
}

void SentinelFence::OnHello(MonoTime now, const SentinelHello& hello, bool names_this_node,
                            bool heard_back) {
  if (!enabled() || !master_) return;
  Evaluate(now);
  const MonoTime at = now;
  if (names_this_node && !heard_back) {
    // A sentinel that cannot hear us gives neither contact nor evidence. Nor is it learned
    // here: a member without any contact would count as lost at once (its next heard hello
    // comes within a publish period).
    return;
  }
  if (names_this_node) {
    if (master_names_.size() < 16 && master_names_.insert(hello.master_name).second) {
      ++membership_changes_;
    }
    Member* m = Learn(hello);
    if (m == nullptr) return;
    m->last_contact = at;
    NoteEpoch(*m, hello.current_epoch);
    NoteEvidence(*m, at, hello);
    if (!config_epoch_ || hello.master_config_epoch > *config_epoch_) {
      config_epoch_ = hello.master_config_epoch;
      ++membership_changes_;
    }
  } else {
    auto it = members_.find(SentinelIdOfRunId(hello.runid));
    if (it != members_.end()) {
      // This sentinel names someone else now: whatever it said for us before is void.
      it->second.evidence_since.reset();
      it->second.evidence_ready = false;
      NoteEpoch(it->second, hello.current_epoch);
    }
    if (!members_.empty() && master_names_.contains(hello.master_name) && config_epoch_ &&
        hello.master_config_epoch > *config_epoch_) {
      Raise(now, FenceCause::kSuperseded);  // a failover promoted another node
    }
  }
  Evaluate(now);
}

bool SentinelFence::MayWrite(MonoTime now) {
  Evaluate(now);
  return !fenced_;
}

void SentinelFence::NoteEpoch(Member& m, uint64_t current_epoch) {
  if (current_epoch <= m.current_epoch) return;
  m.current_epoch = current_epoch;
  ++membership_changes_;
}

FenceMembership SentinelFence::Membership() const {
  FenceMembership out;
  for (const auto& [id, m] : members_) {
    out.sentinels.push_back({m.runid, m.ip, m.port, m.current_epoch});
  }
  out.master_names.assign(master_names_.begin(), master_names_.end());
  out.config_epoch = config_epoch_;
  return out;
}

void SentinelFence::Restore(const FenceMembership& membership, MonoTime now) {
  if (membership.sentinels.empty()) return;
  for (const FenceMembership::Sentinel& s : membership.sentinels) {
    if (members_.size() >= options_.max_sentinels) break;
    if (s.runid.size() < 8) continue;
    Member& m = members_[SentinelIdOfRunId(s.runid)];
    m.runid = s.runid;
    m.ip = s.ip;
    m.port = s.port;
    m.current_epoch = std::max(m.current_epoch, s.current_epoch);
  }
  for (const std::string& name : membership.master_names) {
    if (master_names_.size() < 16) master_names_.insert(name);
  }
  if (membership.config_epoch) {
    config_epoch_ = std::max(config_epoch_.value_or(0), *membership.config_epoch);
  }
  ++membership_changes_;
  if (Active()) Raise(now, FenceCause::kRestarted);
}

size_t SentinelFence::sentinels_reached(MonoTime now) const {
  size_t n = 0;
  for (const auto& [id, m] : members_) {
    if (m.last_contact && now - *m.last_contact < options_.timeout) ++n;
  }
  return n;
}

std::optional<MonoTime> SentinelFence::last_majority() const {
  if (members_.empty()) return std::nullopt;
  std::vector<MonoTime> contacts;
  for (const auto& [id, m] : members_) {
    if (m.last_contact) contacts.push_back(*m.last_contact);
  }
  if (contacts.size() < Majority()) return std::nullopt;
  std::sort(contacts.begin(), contacts.end(), std::greater<>());
  return contacts[Majority() - 1];
}

std::string SentinelFence::DescribeContacts(MonoTime at) const {
  std::string out;
  for (const auto& [id, m] : members_) {
    if (!out.empty()) out += ',';
    out += id + ':';
    out += m.last_contact ? std::to_string((at - *m.last_contact).count()) : std::string("-");
  }
  return out;
}

void SentinelFence::Raise(MonoTime now, FenceCause cause) {
  const bool news = !fenced_ || cause == FenceCause::kLoopStalled;
  if (!fenced_) {
    for (auto& [id, m] : members_) m.epoch_at_fence = m.current_epoch;
  }
  fenced_ = true;
  // A stall or a newer master while fenced voids the evidence gathered so far.
  raised_at_ = now;
  for (auto& [id, m] : members_) {
    m.evidence_since.reset();
    m.evidence_ready = false;
  }
  if (cause_ != FenceCause::kSuperseded) cause_ = cause;
  if (news) {
    ++raises_;
    last_raise_ = {cause_, sentinels_reached(now), members_.size(), DescribeContacts(now)};
  }
}

void SentinelFence::Evaluate(MonoTime now) {
  if (!Active()) {
    if (fenced_) Forget();
    return;
  }
  if (InGrace(now)) return;  // cannot be fenced: Reconfigure lowered it
  if (last_tick_ && now - *last_tick_ > options_.timeout) {
    Raise(now, FenceCause::kLoopStalled);
    // One stall, one raise. Input read at this same instant is the burst that waited in the
    // sockets; it is not evidence (NoteEvidence wants hellos read after raised_at_).
    last_tick_ = now;
  }
  const std::optional<MonoTime> majority = last_majority();
  const bool majority_fresh = majority && now - *majority < options_.timeout;
  if (!fenced_) {
    if (!majority_fresh) Raise(now, FenceCause::kSentinelsLost);
    return;
  }
  if (cause_ == FenceCause::kSuperseded || !majority_fresh) return;
  size_t ready = 0;
  for (const auto& [id, m] : members_) ready += m.evidence_ready ? 1 : 0;
  if (ready < Majority()) return;
  fenced_ = false;
  cause_ = FenceCause::kNone;
  ++lifts_;
}

}  // namespace vigil::datanode
