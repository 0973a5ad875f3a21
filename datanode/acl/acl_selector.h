#pragma once
// One set of ACL permissions: which commands (a bitset over AclCatalog ids, plus allowed first
// arguments such as `+select|0`), which keys (glob patterns, each for reading, writing or
// both) and which pub/sub channels. A user has a root selector and any number of `(...)` ones;
// a request is allowed when one selector allows all of it.
#include <bitset>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/acl/acl_catalog.h"

namespace vigil::datanode {

// What a rule can fail with; each has Redis's error sentence (AclRuleErrorText).
enum class AclRuleError {
  kOk,
  kSyntax,              // EINVAL
  kUnknownCommand,      // ENOENT: unknown command or category
  kKeyAfterAll,         // EEXIST
  kChannelAfterAll,     // EISDIR
  kNoSuchPassword,      // ENODEV
  kBadHash,             // EBADMSG
  kDuplicateUser,       // EALREADY
  kSubcommandFirstArg,  // ECHILD
};
const char* AclRuleErrorText(AclRuleError e);

// Why a request was refused; the values are Redis's (the most relevant of several selectors'
// refusals is the highest).
enum class AclDenial { kNone = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };

enum AclKeyPerm : uint32_t { kAclKeyRead = 1, kAclKeyWrite = 2, kAclKeyAll = 3 };

struct AclKeyPattern {
  std::string pattern;
  uint32_t perms = kAclKeyAll;
  // The literal bytes the pattern starts with (before any * ? [ \\): a key without them cannot
  // match, and "prefix*" patterns need nothing more. Checking them first keeps a user with many
  // patterns cheap (every request checks its keys against each pattern in turn).
  std::string literal_prefix;
  bool prefix_only = false;
};

// An AclKeyPattern for `pattern`, with its literal prefix worked out.
AclKeyPattern MakeAclKeyPattern(std::string_view pattern, uint32_t perms);

// The keys of the request being checked, found once for all of a user's selectors.
struct AclKeyCache {
  bool ready = false;
  std::vector<KeyRef> keys;
};

class AclSelector {
 public:
  enum Flag : uint32_t { kRoot = 1, kAllKeys = 2, kAllCommands = 4, kAllChannels = 8 };

  AclSelector(const AclCatalog* catalog, uint32_t flags) : catalog_(catalog), flags_(flags) {}

  // One selector rule (`~k*`, `+get`, `-@write`, `allchannels`, ...).
  AclRuleError Apply(std::string_view op);

  AclDenial Check(const AclCommand& cmd, std::span<const std::string> args, AclKeyCache* cache,
                  int* errpos) const;
  bool KeyAllowed(std::string_view key, uint32_t keyspec_flags) const;
  bool ChannelAllowed(std::string_view channel, bool is_pattern) const;

  // The command rules that rebuild this bitset ("+@all -@write +set"), Redis's best-fit writer.
  std::string DescribeCommands() const;
  // The ACL LIST form: keys, channels, commands ("~* &* +@all").
  std::string Describe() const;
  // ACL GETUSER's "keys" and "channels" texts.
  std::string KeysText() const;
  std::string ChannelsText() const;

  uint32_t flags() const { return flags_; }
  // Every key with `perms` (kAclKeyRead...): `allkeys`, or a "*" pattern granting them, as
  // Redis's ACLSelectorHasUnrestrictedKeyAccess. SORT's BY and GET need it for reading.
  bool HasUnrestrictedKeyAccess(uint32_t perms) const;
  bool unrestricted() const {
    return (flags_ & (kAllKeys | kAllCommands | kAllChannels)) ==
           (kAllKeys | kAllCommands | kAllChannels);
  }
  const std::vector<std::string>& channels() const { return channels_; }

 private:
  void SetBit(uint32_t id, bool allow);
  void ChangePerm(const AclCommand& cmd, bool allow);
  void ApplyCategory(uint64_t category, bool allow);
  void CountCategory(uint64_t category, size_t* on, size_t* off) const;
  void DescribeSingleCommands(const std::vector<uint32_t>& ids, AclSelector* fake,
                              std::string* rules) const;
  AclRuleError AddKeyPattern(std::string_view op);
  AclRuleError AllowCommand(std::string_view name);

  const AclCatalog* catalog_;
  uint32_t flags_;
  std::bitset<AclCatalog::kBits> allowed_;
  std::map<uint32_t, std::vector<std::string>> first_args_;  // by command id
  std::vector<AclKeyPattern> keys_;
  std::vector<std::string> channels_;
};

// Redis's ACLStringHasSpaces: usernames and patterns may hold no whitespace nor NUL.
bool AclHasSpaces(std::string_view s);

}  // namespace vigil::datanode
