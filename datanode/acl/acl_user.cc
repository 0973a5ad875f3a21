#include "datanode/acl/acl_user.h"

#include <algorithm>

#include "common/base/ascii_case.h"
#include "common/resp/request_parser.h"
#include "datanode/acl/sha256.h"

namespace vigil::datanode {
namespace {

// Compares two hashes of equal length without an early exit, so response time says nothing
// about how much of a guessed password was right.
bool SameHash(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= unsigned(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool AclValidPasswordHash(std::string_view hash) {
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if ((c < 'a' || c > 'f') && (c < '0' || c > '9')) return false;
  }
  return true;
}

AclUser::AclUser(std::string name, const AclCatalog* catalog, bool allchannels_default)
    : name_(std::move(name)), catalog_(catalog) {
  selectors_.emplace_back(catalog_,
                          uint32_t(AclSelector::kRoot) |
                              (allchannels_default ? uint32_t(AclSelector::kAllChannels) : 0u));
  Refresh();
}

void AclUser::CopyRulesFrom(const AclUser& other) {
  flags_ = other.flags_;
  passwords_ = other.passwords_;
  selectors_ = other.selectors_;
  unrestricted_ = other.unrestricted_;
}

void AclUser::Refresh() {
  unrestricted_ = false;
  for (const auto& s : selectors_) unrestricted_ |= s.unrestricted();
}

AclRuleError AclUser::SetSelectorRule(std::string_view op, bool allchannels_default) {
  if (op.size() >= 2 && op.front() == '(' && op.back() == ')') {
    // The body splits as Redis's sdssplitargs splits it; unbalanced quotes leave no rules.
    std::vector<std::string> parts;
    size_t count = 0;
    if (!resp::SplitInlineArgs(op.substr(1, op.size() - 2), &parts, &count)) count = 0;
    AclSelector s(catalog_, allchannels_default ? uint32_t(AclSelector::kAllChannels) : 0u);
    for (size_t i = 0; i < count; ++i) {
      AclRuleError e = s.Apply(parts[i]);
      if (e != AclRuleError::kOk) return e;
    }
    selectors_.push_back(std::move(s));
    return AclRuleError::kOk;
  }
  // Apply on a copy so a failing rule leaves the selector as it was.
  AclSelector root = selectors_.front();
  AclRuleError e = root.Apply(op);
  if (e == AclRuleError::kOk) selectors_.front() = std::move(root);
  return e;
}

AclRuleError AclUser::SetRule(std::string_view op, bool allchannels_default) {
  AclRuleError result = AclRuleError::kOk;
  if (op.empty()) return result;
  const char first = op[0];
  if (EqualsIgnoreCase(op, "on")) {
    flags_ = (flags_ | kEnabled) & ~kDisabled;
  } else if (EqualsIgnoreCase(op, "off")) {
    flags_ = (flags_ | kDisabled) & ~kEnabled;
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload")) {
    flags_ = (flags_ | kSkipSanitizePayload) & ~kSanitizePayload;
  } else if (EqualsIgnoreCase(op, "sanitize-payload")) {
    flags_ = (flags_ | kSanitizePayload) & ~kSkipSanitizePayload;
  } else if (EqualsIgnoreCase(op, "nopass")) {
    flags_ |= kNoPass;
    passwords_.clear();
  } else if (EqualsIgnoreCase(op, "resetpass")) {
    flags_ &= ~kNoPass;
    passwords_.clear();
  } else if (first == '>' || first == '#') {
    std::string hash;
    if (first == '>') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!AclValidPasswordHash(op.substr(1))) return AclRuleError::kBadHash;
      hash = std::string(op.substr(1));
    }
    bool known = false;
    for (const auto& p : passwords_) known |= p == hash;
    if (!known) passwords_.push_back(std::move(hash));
    flags_ &= ~kNoPass;
  } else if (first == '<' || first == '!') {
    std::string hash;
    if (first == '<') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!AclValidPasswordHash(op.substr(1))) return AclRuleError::kBadHash;
      hash = std::string(op.substr(1));
    }
    auto it = std::find(passwords_.begin(), passwords_.end(), hash);
    if (it == passwords_.end()) return AclRuleError::kNoSuchPassword;
    passwords_.erase(it);
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    selectors_.erase(selectors_.begin() + 1, selectors_.end());
  } else if (EqualsIgnoreCase(op, "reset")) {
    flags_ &= ~kNoPass;
    passwords_.clear();
    AclSelector& root = selectors_.front();
    root.Apply("resetkeys");
    root.Apply("resetchannels");
    if (allchannels_default) root.Apply("allchannels");
    flags_ = (flags_ | kDisabled | kSanitizePayload) & ~(kEnabled | kSkipSanitizePayload);
    selectors_.erase(selectors_.begin() + 1, selectors_.end());
    selectors_.front().Apply("-@all");
  } else {
    result = SetSelectorRule(op, allchannels_default);
  }
  Refresh();
  return result;
}

bool AclUser::Authenticate(std::string_view password) const {
  if (flags_ & kDisabled) return false;
  if (flags_ & kNoPass) return true;
  const std::string hash = Sha256Hex(password);
  bool ok = false;
  for (const auto& p : passwords_) ok |= SameHash(hash, p);
  return ok;
}

AclDenial AclUser::Check(const AclCommand& cmd, std::span<const std::string> args,
                         int* errpos) const {
  // Several selectors may refuse: report the "most relevant" refusal as Redis picks it (the
  // highest reason, then the rightmost argument).
  AclDenial relevant = AclDenial::kCommand;
  int local = 0, last = 0;
  AclKeyCache cache;
  for (const auto& s : selectors_) {
    AclDenial d = s.Check(cmd, args, &cache, &local);
    if (d == AclDenial::kNone) return d;
    if (d > relevant || (d == relevant && local > last)) {
      relevant = d;
      last = local;
    }
  }
  *errpos = last;
  return relevant;
}

bool AclUser::ChannelAllowed(std::string_view channel, bool is_pattern) const {
  for (const auto& s : selectors_) {
    if (s.ChannelAllowed(channel, is_pattern)) return true;
  }
  return false;
}

std::string AclUser::Describe() const {
  static const std::pair<uint32_t, const char*> kFlagNames[] = {
      {kEnabled, "on"},
      {kDisabled, "off"},
      {kNoPass, "nopass"},
      {kSkipSanitizePayload, "skip-sanitize-payload"},
      {kSanitizePayload, "sanitize-payload"}};
  std::string out;
  for (const auto& [bit, name] : kFlagNames) {
    if (flags_ & bit) out += std::string(name) + " ";
  }
  for (const auto& p : passwords_) out += "#" + p + " ";
  for (size_t i = 0; i < selectors_.size(); ++i) {
    if (i == 0) {
      out += selectors_[i].Describe();
    } else {
      out += " (" + selectors_[i].Describe() + ")";
    }
  }
  return out;
}

}  // namespace vigil::datanode
