#include "datanode/commands/command_table.h"

#include <cctype>

#include "common/config/option_registry.h"

namespace vigil::datanode {

std::span<const CommandFlagName> CommandFlagNames() {
  static const CommandFlagName kNames[] = {{kCmdWrite, "write"},
                                           {kCmdReadonly, "readonly"},
                                           {kCmdDenyOom, "denyoom"},
                                           {kCmdAdmin, "admin"},
                                           {kCmdPubSub, "pubsub"},
                                           {kCmdNoScript, "noscript"},
                                           {kCmdBlocking, "blocking"},
                                           {kCmdLoading, "loading"},
                                           {kCmdStale, "stale"},
                                           {kCmdSkipMonitor, "skip_monitor"},
                                           {kCmdFast, "fast"},
                                           {kCmdNoAuth, "no_auth"},
                                           {kCmdMayReplicate, "may_replicate"},
                                           {kCmdProtected, "protected"},
                                           {kCmdNoMulti, "no_multi"},
                                           {kCmdAllowBusy, "allow_busy"}};
  return kNames;
}

void CommandTable::Add(CommandSpec spec) {
  std::string name = spec.name;
  commands_[name] = std::move(spec);
  index_[name] = &commands_[name];
}

void CommandTable::AddSub(const std::string& parent, CommandSpec sub) {
  CommandSpec& p = commands_.at(parent);
  std::string sub_name = sub.name;
  sub.name = parent + "|" + sub_name;
  p.subcommands[sub_name] = std::move(sub);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i)
    buf[i] = char(std::tolower(static_cast<unsigned char>(name[i])));
  thread_local std::string key;
  key.assign(buf, name.size());
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : it->second;
}

Status CommandTable::Rename(const std::string& from, const std::string& to) {
  auto it = index_.find(config::Lower(from));
  if (it == index_.end()) return Status::Error("No such command in rename-command");
  const CommandSpec* spec = it->second;
  const std::string target = config::Lower(to);
  if (!target.empty() && target != it->first && index_.count(target)) {
    return Status::Error("Target command name already exists");
  }
  index_.erase(it);
  if (!target.empty()) index_[target] = spec;
  return Status::Ok();
}

const CommandSpec* CommandTable::FindRequest(const std::vector<std::string>& argv) const {
  if (argv.empty()) return nullptr;
  const CommandSpec* spec = Find(argv[0]);
  if (spec == nullptr || !spec->has_subcommands() || argv.size() < 2) return spec;
  auto it = spec->subcommands.find(config::Lower(argv[1]));
  return it == spec->subcommands.end() ? spec : &it->second;
}

std::vector<size_t> CommandTable::KeyPositions(const CommandSpec& spec, size_t argc) {
  std::vector<size_t> out;
  if (spec.first_key <= 0) return out;
  int last = spec.last_key < 0 ? int(argc) + spec.last_key : spec.last_key;
  int step = spec.key_step > 0 ? spec.key_step : 1;
  for (int i = spec.first_key; i <= last && size_t(i) < argc; i += step) out.push_back(size_t(i));
  return out;
}

std::unique_ptr<CommandTable> BuildCommandTable() {
  auto t = std::make_unique<CommandTable>();
  RegisterStringCommands(*t);
  RegisterBitmapCommands(*t);
  RegisterKeyCommands(*t);
  RegisterMemoryCommands(*t);
  RegisterSlowlogCommands(*t);
  RegisterLatencyCommands(*t);
  RegisterListCommands(*t);
  RegisterHashCommands(*t);
  RegisterSetCommands(*t);
  RegisterZSetCommands(*t);
  RegisterStreamCommands(*t);
  RegisterHyperLogLogCommands(*t);
  RegisterGeoCommands(*t);
  RegisterPubSubCommands(*t);
  RegisterTransactionCommands(*t);
  RegisterConnectionCommands(*t);
  RegisterServerCommands(*t);
  RegisterClientCommands(*t);
  RegisterConfigCommands(*t);
  RegisterInfoCommand(*t);
  RegisterDebugCommands(*t);
  RegisterAofCommands(*t);
  RegisterPersistenceCommands(*t);
  RegisterReplicationCommands(*t);
  RegisterAclCommands(*t);
  RegisterDumpCommands(*t);
  RegisterSortCommands(*t);
  RegisterFunctionCommands(*t);
  RegisterScriptingCommands(*t);
  RegisterStandaloneModeCommands(*t);  // after RegisterDumpCommands: RESTORE-ASKING is RESTORE
  return t;
}

}  // namespace vigil::datanode
