#include "datanode/acl/acl_selector.h"

#include <cctype>
#include <climits>

#include "common/base/ascii_case.h"
#include "common/base/glob.h"
#include "datanode/acl/acl_categories.h"

namespace vigil::datanode {

const char* AclRuleErrorText(AclRuleError e) {
  switch (e) {
    case AclRuleError::kOk:
      return "";
    case AclRuleError::kSyntax:
      return "Syntax error";
    case AclRuleError::kUnknownCommand:
      return "Unknown command or category name in ACL";
    case AclRuleError::kKeyAfterAll:
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
             "not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case AclRuleError::kChannelAfterAll:
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
             "does not have any effect. Try 'resetchannels' to start with an empty list of "
             "channels";
    case AclRuleError::kNoSuchPassword:
      return "The password you are trying to remove from the user does not exist";
    case AclRuleError::kBadHash:
      return "The password hash must be exactly 64 characters and contain only lowercase "
             "hexadecimal characters";
    case AclRuleError::kDuplicateUser:
      return "Duplicate user found. A user can only be defined once in config files";
    case AclRuleError::kSubcommandFirstArg:
      return "Allowing first-arg of a subcommand is not supported";
  }
  return "Wrong format";
}

bool AclHasSpaces(std::string_view s) {
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') return true;
  }
  return false;
}

void AclSelector::SetBit(uint32_t id, bool allow) {
  allowed_.set(id, allow);
  // Once any bit is off, the bitset must be consulted.
  if (!allow) flags_ &= ~kAllCommands;
}

void AclSelector::ChangePerm(const AclCommand& cmd, bool allow) {
  SetBit(cmd.id, allow);
  first_args_.erase(cmd.id);
  for (uint32_t sub : cmd.subcommands) SetBit(sub, allow);
}

void AclSelector::ApplyCategory(uint64_t category, bool allow) {
  // A container in the category takes all its subcommands along; a subcommand in it goes alone.
  for (uint32_t id : catalog_->top_level()) {
    const AclCommand& cmd = catalog_->at(id);
    if (cmd.categories & category) ChangePerm(cmd, allow);
    for (uint32_t sub : cmd.subcommands) {
      if (catalog_->at(sub).categories & category) ChangePerm(catalog_->at(sub), allow);
    }
  }
}

void AclSelector::CountCategory(uint64_t category, size_t* on, size_t* off) const {
  *on = *off = 0;
  for (const AclCommand& cmd : catalog_->commands()) {
    if (!(cmd.categories & category)) continue;
    ++*(allowed_.test(cmd.id) ? on : off);
  }
}

AclRuleError AclSelector::AddKeyPattern(std::string_view op) {
  if (flags_ & kAllKeys) return AclRuleError::kKeyAfterAll;
  uint32_t perms = 0;
  size_t offset = 1;
  if (op[0] == '%') {
    for (; offset < op.size(); ++offset) {
      const char c = char(std::toupper(static_cast<unsigned char>(op[offset])));
      if (c == 'R' && !(perms & kAclKeyRead)) {
        perms |= kAclKeyRead;
      } else if (c == 'W' && !(perms & kAclKeyWrite)) {
        perms |= kAclKeyWrite;
      } else if (op[offset] == '~') {
        ++offset;
        break;
      } else {
        return AclRuleError::kSyntax;
      }
    }
    // Redis 7.0 accepts a bare "%" and then aborts when it prints the user: refuse it here.
    if (perms == 0) return AclRuleError::kSyntax;
  } else {
    perms = kAclKeyAll;
  }
  std::string_view pattern = op.substr(offset);
  if (AclHasSpaces(pattern)) return AclRuleError::kSyntax;
  bool merged = false;
  for (auto& k : keys_) {
    if (k.pattern == pattern) {
      k.perms |= perms;
      merged = true;
      break;
    }
  }
  if (!merged) keys_.push_back(MakeAclKeyPattern(pattern, perms));
  flags_ &= ~kAllKeys;
  return AclRuleError::kOk;
}

AclRuleError AclSelector::AllowCommand(std::string_view name) {
  const size_t bar = name.rfind('|');
  if (bar == std::string_view::npos) {
    const AclCommand* cmd = catalog_->Find(name);
    if (cmd == nullptr) return AclRuleError::kUnknownCommand;
    ChangePerm(*cmd, true);
    return AclRuleError::kOk;
  }
  const AclCommand* cmd = catalog_->Find(name.substr(0, bar));
  if (cmd == nullptr) return AclRuleError::kUnknownCommand;
  if (cmd->parent >= 0) return AclRuleError::kSubcommandFirstArg;
  std::string_view sub = name.substr(bar + 1);
  if (sub.empty()) return AclRuleError::kSyntax;
  if (!cmd->subcommands.empty()) {
    const AclCommand* subcmd = catalog_->Find(name);
    if (subcmd == nullptr) return AclRuleError::kUnknownCommand;
    ChangePerm(*subcmd, true);
    return AclRuleError::kOk;
  }
  // `+select|0`: a first argument of an otherwise refused command (deprecated in Redis, kept).
  auto& args = first_args_[cmd->id];
  for (const auto& a : args) {
    if (EqualsIgnoreCase(a, sub)) return AclRuleError::kOk;
  }
  args.emplace_back(sub);
  return AclRuleError::kOk;
}

AclRuleError AclSelector::Apply(std::string_view op) {
  const char second = op.size() > 1 ? op[1] : '\0';
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    flags_ |= kAllKeys;
    keys_.clear();
  } else if (EqualsIgnoreCase(op, "resetkeys")) {
    flags_ &= ~kAllKeys;
    keys_.clear();
  } else if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    flags_ |= kAllChannels;
    channels_.clear();
  } else if (EqualsIgnoreCase(op, "resetchannels")) {
    flags_ &= ~kAllChannels;
    channels_.clear();
  } else if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    allowed_.set();
    flags_ |= kAllCommands;
    first_args_.clear();
  } else if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    allowed_.reset();
    flags_ &= ~kAllCommands;
    first_args_.clear();
  } else if (op.empty()) {
    return AclRuleError::kSyntax;
  } else if (op[0] == '~' || op[0] == '%') {
    return AddKeyPattern(op);
  } else if (op[0] == '&') {
    if (flags_ & kAllChannels) return AclRuleError::kChannelAfterAll;
    std::string_view pattern = op.substr(1);
    if (AclHasSpaces(pattern)) return AclRuleError::kSyntax;
    bool known = false;
    for (const auto& c : channels_) known |= c == pattern;
    if (!known) channels_.emplace_back(pattern);
    flags_ &= ~kAllChannels;
  } else if (op[0] == '+' && second != '@') {
    return AllowCommand(op.substr(1));
  } else if (op[0] == '-' && second != '@') {
    const AclCommand* cmd = catalog_->Find(op.substr(1));
    if (cmd == nullptr) return AclRuleError::kUnknownCommand;
    ChangePerm(*cmd, false);
  } else if (op[0] == '+' || op[0] == '-') {
    const uint64_t category = AclCategoryBit(op.substr(2));
    if (category == 0) return AclRuleError::kUnknownCommand;
    ApplyCategory(category, op[0] == '+');
  } else {
    return AclRuleError::kSyntax;
  }
  return AclRuleError::kOk;
}

AclKeyPattern MakeAclKeyPattern(std::string_view pattern, uint32_t perms) {
  AclKeyPattern k;
  k.pattern = std::string(pattern);
  k.perms = perms;
  const size_t special = pattern.find_first_of("*?[\\");
  k.literal_prefix = std::string(pattern.substr(0, special));
  k.prefix_only =
      special != std::string_view::npos && special + 1 == pattern.size() && pattern[special] == '*';
  return k;
}

bool AclSelector::HasUnrestrictedKeyAccess(uint32_t perms) const {
  if ((flags_ & kAllKeys) != 0) return true;
  for (const AclKeyPattern& k : keys_) {
    if ((k.perms & perms) == perms && k.pattern == "*") return true;
  }
  return false;
}

bool AclSelector::KeyAllowed(std::string_view key, uint32_t keyspec_flags) const {
  if (flags_ & kAllKeys) return true;
  uint32_t need = 0;
  if (keyspec_flags & kKeyAccess) need |= kAclKeyRead;
  if (keyspec_flags & (kKeyInsert | kKeyDelete | kKeyUpdate)) need |= kAclKeyWrite;
  for (const auto& k : keys_) {
    if ((k.perms & need) != need) continue;
    if (key.substr(0, k.literal_prefix.size()) != k.literal_prefix) continue;
    // Redis's glob never matches an empty string, not even with "*": that one goes the long way.
    if ((k.prefix_only && !key.empty()) || GlobMatch(k.pattern, key)) return true;
  }
  return false;
}

bool AclSelector::ChannelAllowed(std::string_view channel, bool is_pattern) const {
  if (flags_ & kAllChannels) return true;
  for (const auto& c : channels_) {
    // A PSUBSCRIBE pattern must be granted literally; a channel may match a granted pattern.
    if (is_pattern ? c == channel : GlobMatch(c, channel)) return true;
  }
  return false;
}

AclDenial AclSelector::Check(const AclCommand& cmd, std::span<const std::string> args,
                             AclKeyCache* cache, int* errpos) const {
  if (!(flags_ & kAllCommands) && !cmd.no_auth && !allowed_.test(cmd.id)) {
    auto it = first_args_.find(cmd.id);
    const size_t idx = cmd.parent >= 0 ? 2 : 1;
    if (it == first_args_.end() || args.size() <= idx) return AclDenial::kCommand;
    bool match = false;
    for (const auto& a : it->second) match |= EqualsIgnoreCase(args[idx], a);
    if (!match) return AclDenial::kCommand;
  }
  if (!(flags_ & kAllKeys) && cmd.keys.has_keys()) {
    if (!cache->ready) {
      FindKeys(cmd.keys, args, &cache->keys);
      cache->ready = true;
    }
    for (const KeyRef& k : cache->keys) {
      if (!KeyAllowed(args[size_t(k.pos)], k.flags)) {
        *errpos = k.pos;
        return AclDenial::kKey;
      }
    }
  }
  constexpr uint32_t kChecked = kChannelPublish | kChannelSubscribe;
  if (!(flags_ & kAllChannels) && cmd.keys.has_channels(kChecked)) {
    std::vector<KeyRef> channels;
    FindChannels(cmd.keys, args, &channels);
    for (const KeyRef& c : channels) {
      if (!(c.flags & kChecked)) continue;
      if (!ChannelAllowed(args[size_t(c.pos)], (c.flags & kChannelPattern) != 0)) {
        *errpos = c.pos;
        return AclDenial::kChannel;
      }
    }
  }
  return AclDenial::kNone;
}

void AclSelector::DescribeSingleCommands(const std::vector<uint32_t>& ids, AclSelector* fake,
                                         std::string* rules) const {
  for (uint32_t id : ids) {
    const AclCommand& cmd = catalog_->at(id);
    const bool mine = allowed_.test(id);
    if (mine != fake->allowed_.test(id)) {
      *rules += mine ? "+" : "-";
      *rules += cmd.fullname + " ";
      fake->ChangePerm(cmd, mine);
    }
    if (!cmd.subcommands.empty()) DescribeSingleCommands(cmd.subcommands, fake, rules);
    auto it = first_args_.find(id);
    if (!mine && it != first_args_.end()) {
      for (const auto& a : it->second) *rules += "+" + cmd.fullname + "|" + a + " ";
    }
  }
}

std::string AclSelector::DescribeCommands() const {
  // Start from +@all or -@all (the reserved bit tells which), then apply categories while one
  // has more commands in common with this bitset than not, replaying them on `fake` to know
  // what is still different; single commands fix the rest. Redis's algorithm, so the same
  // bitset prints the same rules.
  const bool additive = !allowed_.test(AclCatalog::kFutureBit);
  std::string rules = additive ? "-@all " : "+@all ";
  AclSelector fake(catalog_, 0);
  fake.Apply(additive ? "-@all" : "+@all");
  AclSelector temp(catalog_, 0);
  temp.allowed_ = allowed_;
  bool applied[kAclCategoryCount] = {};
  for (;;) {
    int best = -1;
    size_t min_diff = SIZE_MAX, max_same = 0;
    for (size_t j = 0; j < kAclCategoryCount; ++j) {
      if (applied[j]) continue;
      size_t on = 0, off = 0;
      temp.CountCategory(uint64_t(1) << j, &on, &off);
      const size_t diff = additive ? off : on;
      const size_t same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = int(j);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    const uint64_t bit = uint64_t(1) << best;
    fake.ApplyCategory(bit, additive);
    temp.ApplyCategory(bit, !additive);
    rules += std::string(additive ? "+@" : "-@") + kAclCategoryNames[best] + " ";
    applied[best] = true;
  }
  DescribeSingleCommands(catalog_->top_level(), &fake, &rules);
  rules.pop_back();
  return rules;
}

std::string AclSelector::KeysText() const {
  if (flags_ & kAllKeys) return "~*";
  std::string out;
  for (const auto& k : keys_) {
    if (!out.empty()) out += ' ';
    out += k.perms == kAclKeyAll ? "~" : k.perms == kAclKeyRead ? "%R~" : "%W~";
    out += k.pattern;
  }
  return out;
}

std::string AclSelector::ChannelsText() const {
  if (flags_ & kAllChannels) return "&*";
  std::string out;
  for (const auto& c : channels_) out += (out.empty() ? "&" : " &") + c;
  return out;
}

std::string AclSelector::Describe() const {
  std::string out;
  if (flags_ & kAllKeys) {
    out += "~* ";
  } else {
    std::string keys = KeysText();
    if (!keys.empty()) out += keys + " ";
  }
  if (flags_ & kAllChannels) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const auto& c : channels_) out += "&" + c + " ";
  }
  return out + DescribeCommands();
}

}  // namespace vigil::datanode
