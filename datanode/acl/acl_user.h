#pragma once
// An ACL user: on/off, its passwords (SHA-256 hex only), payload-sanitizing flags, and its
// selectors (the root one first). SetRule applies one Redis ACL rule; Describe prints the user
// back as rules (ACL LIST, ACL SAVE, CONFIG REWRITE).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/acl/acl_selector.h"

namespace vigil::datanode {

class AclUser {
 public:
  // The order is the order Describe and ACL GETUSER print the flags in.
  enum Flag : uint32_t {
    kEnabled = 1,
    kDisabled = 2,
    kNoPass = 4,
    kSkipSanitizePayload = 8,
    kSanitizePayload = 16,
  };

  // A new user is off, has no password, no keys and no commands; its channels follow
  // acl-pubsub-default (`allchannels_default`).
  AclUser(std::string name, const AclCatalog* catalog, bool allchannels_default);

  // One rule: a user rule (on, off, >pass, nopass, reset, (selector), ...) or a root-selector
  // rule (~keys, &channels, +commands). `allchannels_default` is acl-pubsub-default, for the
  // selectors this rule creates. Changes nothing on error.
  AclRuleError SetRule(std::string_view op, bool allchannels_default);
  // Everything but the name, as Redis's ACLCopyUser.
  void CopyRulesFrom(const AclUser& other);

  const std::string& name() const { return name_; }
  uint32_t flags() const { return flags_; }
  bool enabled() const { return (flags_ & kEnabled) != 0; }
  bool nopass() const { return (flags_ & kNoPass) != 0; }
  const std::vector<std::string>& password_hashes() const { return passwords_; }
  const std::vector<AclSelector>& selectors() const { return selectors_; }
  const AclSelector& root() const { return selectors_.front(); }
  // Every command, key and channel: the dispatcher skips the checks.
  bool unrestricted() const { return unrestricted_; }

  // AUTH: the user is on and `password` matches (or the user is nopass).
  bool Authenticate(std::string_view password) const;

  // The request check over all selectors. On refusal, *errpos is the argument index of the key
  // or channel that no selector allows.
  AclDenial Check(const AclCommand& cmd, std::span<const std::string> args, int* errpos) const;
  // A channel one of this user's subscriptions names, against the channel rules only.
  bool ChannelAllowed(std::string_view channel, bool is_pattern) const;

  // "on nopass ~* &* +@all" (without "user <name>").
  std::string Describe() const;

 private:
  AclRuleError SetSelectorRule(std::string_view op, bool allchannels_default);
  void Refresh();

  std::string name_;
  const AclCatalog* catalog_;
  uint32_t flags_ = kDisabled;
  std::vector<std::string> passwords_;
  std::vector<AclSelector> selectors_;
  bool unrestricted_ = false;
};

// Redis's ACLCheckPasswordHash: 64 characters of lowercase hex.
bool AclValidPasswordHash(std::string_view hash);

}  // namespace vigil::datanode
