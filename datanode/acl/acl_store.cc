#include "datanode/acl/acl_store.h"

#include "datanode/acl/acl_rules.h"

namespace vigil::datanode {
namespace {

// Splits as sdssplitlen(s, " "): every single space separates, so two spaces give an empty word.
std::vector<std::string> SplitOnSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t sp = s.find(' ', start);
    if (sp == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, sp - start));
    start = sp + 1;
  }
}

std::string_view Trim(std::string_view s, std::string_view chars) {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

}  // namespace

AclStore::AclStore(const AclCatalog* catalog) : catalog_(catalog) {
  auto user = NewDefaultUser();
  default_ = user.get();
  users_["default"] = std::move(user);
}

std::unique_ptr<AclUser> AclStore::NewUser(const std::string& name) const {
  return std::make_unique<AclUser>(name, catalog_, allchannels_default_);
}

std::unique_ptr<AclUser> AclStore::NewDefaultUser() const {
  auto user = NewUser("default");
  for (const char* rule : {"+@all", "~*", "&*", "on", "nopass"}) {
    user->SetRule(rule, allchannels_default_);
  }
  return user;
}

AclUser* AclStore::Find(std::string_view name) {
  auto it = users_.find(std::string(name));
  return it == users_.end() ? nullptr : it->second.get();
}

std::string AclStore::SetUser(const std::string& name, std::span<const std::string> rules,
                              std::unique_ptr<AclUser>* previous) {
  AclUser* existing = Find(name);
  if (existing != nullptr) {
    auto before = std::make_unique<AclUser>(*existing);
    std::string err = AclApplyRules(existing, rules, allchannels_default_);
    if (err.empty() && previous != nullptr) *previous = std::move(before);
    return err;
  }
  auto user = NewUser(name);
  std::string err = AclApplyRules(user.get(), rules, allchannels_default_);
  if (err.empty()) users_[name] = std::move(user);
  return err;
}

std::unique_ptr<AclUser> AclStore::Remove(std::string_view name) {
  if (name == "default") return nullptr;
  auto it = users_.find(std::string(name));
  if (it == users_.end()) return nullptr;
  auto user = std::move(it->second);
  users_.erase(it);
  return user;
}

void AclStore::SetDefaultPassword(const std::string& password) {
  default_->SetRule("resetpass", allchannels_default_);
  if (password.empty()) {
    default_->SetRule("nopass", allchannels_default_);
  } else {
    default_->SetRule(">" + password, allchannels_default_);
  }
}

std::string AclStore::LoadConfigUsers(const std::vector<AclConfigUser>& lines) {
  // Validate every line first (duplicates, syntax), as Redis does while reading the file;
  // unknown commands only fail when the users are created.
  std::map<std::string, bool> seen;
  for (const auto& line : lines) {
    const std::string& name = line.args[0];
    if (seen.count(name)) {
      return line.where + ": Error in user declaration '" + name +
             "': " + AclRuleErrorText(AclRuleError::kDuplicateUser);
    }
    seen[name] = true;
    if (AclHasSpaces(name)) return line.where + ": Spaces not allowed in ACL usernames";
    std::span<const std::string> rules(line.args.begin() + 1, line.args.end());
    size_t unmatched = 0;
    auto merged = AclMergeSelectorArgs(rules, &unmatched);
    if (!merged) {
      return line.where + ": Error in user declaration '" + rules[unmatched] +
             "': Unmatched parenthesis in acl selector";
    }
    AclUser probe(name, catalog_, allchannels_default_);
    for (const auto& op : *merged) {
      AclRuleError e = probe.SetRule(op, allchannels_default_);
      if (e != AclRuleError::kOk && e != AclRuleError::kUnknownCommand) {
        return line.where + ": Error in user declaration '" + op + "': " + AclRuleErrorText(e);
      }
    }
  }
  for (const auto& line : lines) {
    const std::string& name = line.args[0];
    AclUser* user = Find(name);
    if (user == nullptr) {
      users_[name] = NewUser(name);
      user = users_[name].get();
    } else {
      user->SetRule("reset", allchannels_default_);  // only `default` can already exist
    }
    auto merged = AclMergeSelectorArgs({line.args.begin() + 1, line.args.end()}, nullptr);
    for (const auto& op : *merged) {
      AclRuleError e = user->SetRule(op, allchannels_default_);
      if (e != AclRuleError::kOk) {
        return line.where + ": Error loading ACL rule '" + op + "' for the user named '" + name +
               "': " + AclRuleErrorText(e);
      }
    }
  }
  return "";
}

std::string AclStore::LoadFile(std::string_view text, const std::string& filename,
                               std::vector<std::unique_ptr<AclUser>>* removed) {
  std::map<std::string, std::unique_ptr<AclUser>> loaded;
  std::string errors;
  int linenum = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos), " \t\r\n");
    pos = nl + 1;
    ++linenum;
    const std::string where = filename + ":" + std::to_string(linenum);
    if (line.empty()) continue;
    std::vector<std::string> argv = SplitOnSpaces(line);
    if (argv[0] != "user" || argv.size() < 2) {
      errors += where + " should start with user keyword followed by the username. ";
      continue;
    }
    const std::string& name = argv[1];
    if (AclHasSpaces(name)) {
      errors += "'" + where + ": username '" + name + "' contains invalid characters. ";
      continue;
    }
    if (loaded.count(name)) {
      errors +=
          "WARNING: Duplicate user '" + name + "' found on line " + std::to_string(linenum) + ". ";
      continue;
    }
    auto user = NewUser(name);
    AclUser* u = user.get();
    loaded[name] = std::move(user);
    auto merged = AclMergeSelectorArgs({argv.begin() + 2, argv.end()}, nullptr);
    if (!merged) {
      errors += where + ": Unmatched parenthesis in selector definition.";
      continue;
    }
    bool syntax_error = false;
    for (const auto& raw : *merged) {
      std::string op(Trim(raw, "\t\r\n"));
      AclRuleError e = u->SetRule(op, allchannels_default_);
      if (e == AclRuleError::kOk) continue;
      if (e == AclRuleError::kUnknownCommand) {
        // Naming the unknown command leaks nothing; other rules may hold secrets.
        errors +=
            where + ": Error in applying operation '" + op + "': " + AclRuleErrorText(e) + ". ";
      } else if (!syntax_error) {
        errors += where + ": " + AclRuleErrorText(e) + ". ";
        syntax_error = true;
      }
    }
  }
  if (!errors.empty()) {
    return errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  }
  // The default user object is referenced by every unauthenticated-yet session: keep it and
  // give it the file's rules (or the built-in ones when the file has no default user).
  auto file_default = loaded.count("default") ? std::move(loaded["default"]) : NewDefaultUser();
  default_->CopyRulesFrom(*file_default);
  auto mine = std::move(users_["default"]);
  users_.erase("default");
  for (auto& [name, user] : users_) removed->push_back(std::move(user));
  users_ = std::move(loaded);
  users_["default"] = std::move(mine);
  return "";
}

std::vector<std::string> AclStore::UserLines() const {
  std::vector<std::string> out;
  for (const auto& [name, user] : users_) out.push_back("user " + name + " " + user->Describe());
  return out;
}

}  // namespace vigil::datanode
