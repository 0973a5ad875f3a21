#include "datanode/acl/acl_rules.h"

namespace vigil::datanode {

std::optional<std::vector<std::string>> AclMergeSelectorArgs(std::span<const std::string> rules,
                                                             size_t* unmatched) {
  std::vector<std::string> out;
  std::string selector;
  bool open = false;
  size_t open_at = 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string& op = rules[i];
    if (!op.empty() && op.front() == '(' && op.back() != ')') {
      selector = op;
      open = true;
      open_at = i;
      continue;
    }
    if (open) {
      selector += " " + op;
      if (!op.empty() && op.back() == ')') {
        open = false;
        out.push_back(std::move(selector));
      }
      continue;
    }
    out.push_back(op);
  }
  if (open) {
    if (unmatched != nullptr) *unmatched = open_at;
    return std::nullopt;
  }
  return out;
}

std::string AclApplyRules(AclUser* user, std::span<const std::string> rules,
                          bool allchannels_default) {
  size_t unmatched = 0;
  auto merged = AclMergeSelectorArgs(rules, &unmatched);
  if (!merged) {
    return "Unmatched parenthesis in acl selector starting at '" + rules[unmatched] + "'.";
  }
  AclUser staged = *user;
  for (const auto& op : *merged) {
    AclRuleError e = staged.SetRule(op, allchannels_default);
    if (e != AclRuleError::kOk) {
      return "Error in ACL SETUSER modifier '" + op + "': " + AclRuleErrorText(e);
    }
  }
  user->CopyRulesFrom(staged);
  return "";
}

}  // namespace vigil::datanode
