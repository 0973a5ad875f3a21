#pragma once
// The commands ACL rules name: every Redis 7.0 command and subcommand (from Redis's own COMMAND
// INFO, so `+eval` and `ACL CAT` mean what they mean in Redis even for commands Vigil does not
// serve), plus any command only Vigil has. Each gets a small id that indexes the per-selector
// permission bitset.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/resp/value.h"
#include "datanode/acl/acl_key_specs.h"

namespace vigil::datanode {

struct AclCommand {
  uint32_t id = 0;
  std::string fullname;  // "get", "config|get"
  int32_t parent = -1;   // the container's id, -1 for a top-level command
  std::vector<uint32_t> subcommands;
  uint64_t categories = 0;  // AclCategoryBit mask
  bool no_auth = false;     // AUTH, HELLO, ...: never refused by ACL rules
  CommandKeys keys;
};

class AclCatalog {
 public:
  // The bitset width; the last bit is never a command: +@all sets it so a rule writer can tell
  // "everything, future commands included" from "every command there is now".
  static constexpr uint32_t kBits = 1024;
  static constexpr uint32_t kFutureBit = kBits - 1;

  // A command (and its subcommands) from one element of Redis's COMMAND INFO reply.
  void AddRedisCommand(const resp::Value& info);
  // A command Redis does not have. `parent` is "" for a top-level command.
  void AddExtraCommand(const std::string& fullname, const std::string& parent, uint64_t categories,
                       bool no_auth, int arity, int first_key, int last_key, int key_step);

  // By full name ("config|get"), case-insensitive; null when unknown. The ACL rule lookup:
  // "a|b|c" and "get|x" (get has no subcommands) are unknown.
  const AclCommand* Find(std::string_view fullname) const;
  const AclCommand& at(uint32_t id) const { return commands_[id]; }
  const std::vector<AclCommand>& commands() const { return commands_; }
  // Top-level commands in the order rules are written.
  const std::vector<uint32_t>& top_level() const { return top_level_; }

 private:
  uint32_t Add(AclCommand cmd);

  std::vector<AclCommand> commands_;
  std::vector<uint32_t> top_level_;
  std::unordered_map<std::string, uint32_t> by_name_;
};

// Redis 7.0's commands, built once from the generated COMMAND INFO table.
const AclCatalog& RedisAclCatalog();

}  // namespace vigil::datanode
