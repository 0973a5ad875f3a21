#pragma once
// Rule lists as ACL SETUSER, `user` config lines and ACL files give them: a selector may be
// spread over several words ("(+get" "~k*)"), and a list applies entirely or not at all.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "datanode/acl/acl_user.h"

namespace vigil::datanode {

// Joins selectors spread over several words, as Redis's ACLMergeSelectorArguments. nullopt when
// a '(' word is never closed; *unmatched is then that word's index.
std::optional<std::vector<std::string>> AclMergeSelectorArgs(std::span<const std::string> rules,
                                                             size_t* unmatched);

// ACL SETUSER: applies `rules` to a copy of `user` and, when every rule applied, copies the
// result back. Returns "" on success, else Redis's error text (without the "ERR " prefix).
std::string AclApplyRules(AclUser* user, std::span<const std::string> rules,
                          bool allchannels_default);

}  // namespace vigil::datanode
