#pragma once
// The command table: every command with Redis's arity, flags and key positions, registered per
// family (strings, keys, lists, ...). Dispatch checks (arity, auth, OOM, READONLY, LOADING,
// MULTI queueing) read the flags; COMMAND INFO renders them.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/status.h"

namespace vigil::datanode {

class CommandContext;
struct CommandStat;
using CommandFn = void (*)(CommandContext&);

enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadonly = 1 << 1,
  kCmdDenyOom = 1 << 2,  // refused with -OOM when over maxmemory
  kCmdAdmin = 1 << 3,
  kCmdPubSub = 1 << 4,  // allowed in RESP2 subscribed context (with PING, QUIT, RESET)
  kCmdNoScript = 1 << 5,
  kCmdLoading = 1 << 6,  // allowed while loading the dataset
  kCmdStale = 1 << 7,    // allowed on a replica with a down link and serve-stale-data no
  kCmdFast = 1 << 8,
  kCmdNoMulti = 1 << 9,  // refused inside MULTI
  kCmdNoAuth = 1 << 10,  // allowed before AUTH
  kCmdBlocking = 1 << 11,
  kCmdSkipMonitor = 1 << 12,
  kCmdProtected = 1 << 13,  // DEBUG: needs enable-debug-command
  kCmdMayReplicate = 1 << 14,
  kCmdAllowBusy = 1 << 15,
  kCmdNoPropagate = 1 << 16,
};

// Each flag with the name COMMAND INFO gives it (Redis's names), in Redis's order.
struct CommandFlagName {
  uint32_t flag;
  const char* name;
};
std::span<const CommandFlagName> CommandFlagNames();

struct CommandSpec {
  std::string name;  // lowercase, "client|kill" for subcommands
  int arity = 0;     // > 0 exact, < 0 at least -arity
  uint32_t flags = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  CommandFn fn = nullptr;
  std::string group;  // "string", "generic", "server", ... (COMMAND DOCS / INFO categories)
  std::map<std::string, CommandSpec> subcommands;  // by lowercase subcommand name
  // INFO commandstats counters of this command, cached so the hot path skips a map lookup.
  mutable CommandStat* stat = nullptr;
  // Its id in the service's AclCatalog (set once the table is built), for the ACL check.
  uint32_t acl_id = UINT32_MAX;

  bool has_subcommands() const { return !subcommands.empty(); }
};

class CommandTable {
 public:
  void Add(CommandSpec spec);
  // Registers `sub` under the container `parent` (which must be added first).
  void AddSub(const std::string& parent, CommandSpec sub);
  const CommandSpec* Find(std::string_view name) const;  // case-insensitive
  // The spec a request runs: its subcommand's when it has one, else the command's (null when
  // the command is unknown).
  const CommandSpec* FindRequest(const std::vector<std::string>& argv) const;
  // rename-command: `from` answers to `to` from now on, or to nothing when `to` is empty.
  // Only the name changes; statistics and ACL rules still speak of the command's own name.
  Status Rename(const std::string& from, const std::string& to);
  const std::map<std::string, CommandSpec>& all() const { return commands_; }
  std::map<std::string, CommandSpec>& mutable_all() { return commands_; }
  size_t size() const { return commands_.size(); }
  // Extracts key argument positions for a request (COMMAND GETKEYS, WATCH-free checks).
  static std::vector<size_t> KeyPositions(const CommandSpec& spec, size_t argc);

 private:
  std::map<std::string, CommandSpec> commands_;
  // Lookup index by lowercase name (pointers into commands_, which never moves its nodes).
  std::unordered_map<std::string, const CommandSpec*> index_;
};

// Every family registers itself here; defined in the family's file.
void RegisterStringCommands(CommandTable& t);
void RegisterBitmapCommands(CommandTable& t);  // and BITFIELD, via RegisterBitfieldCommands
void RegisterBitfieldCommands(CommandTable& t);
void RegisterKeyCommands(CommandTable& t);
void RegisterMemoryCommands(CommandTable& t);
void RegisterSlowlogCommands(CommandTable& t);
void RegisterLatencyCommands(CommandTable& t);
void RegisterListCommands(CommandTable& t);
void RegisterHashCommands(CommandTable& t);
void RegisterSetCommands(CommandTable& t);
void RegisterZSetCommands(CommandTable& t);
void RegisterStreamCommands(CommandTable& t);
void RegisterHyperLogLogCommands(CommandTable& t);
void RegisterGeoCommands(CommandTable& t);  // and the searches, via RegisterGeoSearchCommands
void RegisterPubSubCommands(CommandTable& t);
void RegisterTransactionCommands(CommandTable& t);
void RegisterConnectionCommands(CommandTable& t);
void RegisterServerCommands(CommandTable& t);
void RegisterClientCommands(CommandTable& t);
void RegisterClientTrackingCommands(CommandTable& t);  // CLIENT TRACKING and its kin
void RegisterConfigCommands(CommandTable& t);
void RegisterInfoCommand(CommandTable& t);
void RegisterDebugCommands(CommandTable& t);
void RegisterAofCommands(CommandTable& t);
void RegisterPersistenceCommands(CommandTable& t);
void RegisterReplicationCommands(CommandTable& t);
void RegisterAclCommands(CommandTable& t);
void RegisterDumpCommands(CommandTable& t);  // and MIGRATE, via RegisterMigrateCommand
void RegisterMigrateCommand(CommandTable& t);
void RegisterSortCommands(CommandTable& t);
void RegisterFunctionCommands(CommandTable& t);
void RegisterScriptingCommands(CommandTable& t);
void RegisterStandaloneModeCommands(CommandTable& t);

// The whole table.
std::unique_ptr<CommandTable> BuildCommandTable();

}  // namespace vigil::datanode
