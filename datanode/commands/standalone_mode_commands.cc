// Commands that a redis-server 7.0 without cluster mode and without modules still has, answered
// as it answers them there. Vigil is a Sentinel-mode server with no module loader, so this is
// the whole of their behaviour, not a placeholder: clients probe them (CLUSTER INFO to detect
// cluster mode, MODULE LIST to detect modules) and tools list them (COMMAND LIST).
//
// - CLUSTER <any subcommand>, READONLY, READWRITE, ASKING: "This instance has cluster support
//   disabled", after the usual arity and unknown-subcommand checks.
// - RESTORE-ASKING: RESTORE (Redis runs the same function; ASKING only matters in a cluster).
// - MODULE LIST: empty. MODULE LOAD/LOADEX fail as a failed load does in Redis (the reason in
//   the log, the generic error to the client); MODULE UNLOAD finds no such module. LOAD, LOADEX
//   and UNLOAD need enable-module-command, as in Redis.
//
// Arity, flags and key positions come from Redis's own COMMAND INFO table, so dispatch (arity,
// ACL, LOADING, stale) treats them exactly as Redis's table does.
#include <iterator>
#include <string>

#include "common/config/option_registry.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/redis_command_info.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kClusterDisabled = "ERR This instance has cluster support disabled";

void ClusterDisabledCommand(CommandContext& ctx) {
  ctx.reply.Error(kClusterDisabled);
}

void ModuleCommand(CommandContext& ctx) {
  const std::string sub = ctx.argc > 1 ? config::Lower(ctx.arg(1)) : "";
  if (sub == "help") {
    static const char* kHelp[] = {
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations and "
        "optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        "HELP",
        "    Prints this help.",
    };
    ctx.reply.Array(std::size(kHelp));
    for (const char* line : kHelp) ctx.reply.Simple(line);
  } else if (sub == "list") {
    ctx.reply.EmptyArray();
  } else if (sub == "load" || sub == "loadex") {
    if (ServerHooks* hooks = ctx.service.hooks()) {
      hooks->LogAtLevel(
          3, "Module " + ctx.arg(2) + " failed to load: this server does not load Redis modules");
    }
    ctx.reply.Error("ERR Error loading the extension. Please check the server logs.");
  } else {  // unload: dispatch already answered unknown subcommands
    ctx.reply.Error("ERR Error unloading module: no such module with that name");
  }
}

// A CommandSpec with Redis's arity, flags and key positions for `full_name`.
CommandSpec FromRedisInfo(const std::string& full_name, CommandFn fn, const char* group,
                          uint32_t extra_flags = 0) {
  const resp::Value& info = RedisCommandInfo().at(full_name);
  CommandSpec spec;
  const size_t bar = full_name.find('|');
  spec.name = bar == std::string::npos ? full_name : full_name.substr(bar + 1);
  spec.arity = int(info.elements[1].integer);
  for (const resp::Value& f : info.elements[2].elements) {
    for (const auto& [bit, name] : CommandFlagNames()) {
      if (f.str == name) spec.flags |= bit;
    }
  }
  spec.flags |= extra_flags;
  spec.first_key = int(info.elements[3].integer);
  spec.last_key = int(info.elements[4].integer);
  spec.key_step = int(info.elements[5].integer);
  spec.fn = fn;
  spec.group = group;
  return spec;
}

}  // namespace

void RegisterStandaloneModeCommands(CommandTable& t) {
  t.Add(FromRedisInfo("cluster", ClusterDisabledCommand, "cluster"));
  for (const auto& [name, info] : RedisCommandInfo()) {
    if (name.rfind("cluster|", 0) == 0) {
      t.AddSub("cluster", FromRedisInfo(name, ClusterDisabledCommand, "cluster"));
    }
  }
  for (const char* name : {"readonly", "readwrite", "asking"}) {
    t.Add(FromRedisInfo(name, ClusterDisabledCommand, "cluster"));
  }
  const CommandSpec* restore = t.Find("restore");
  if (restore != nullptr) t.Add(FromRedisInfo("restore-asking", restore->fn, "server"));

  t.Add(FromRedisInfo("module", ModuleCommand, "server"));
  t.AddSub("module", FromRedisInfo("module|help", ModuleCommand, "server"));
  t.AddSub("module", FromRedisInfo("module|list", ModuleCommand, "server"));
  // Redis hides "protected" from COMMAND INFO, so it is added here.
  for (const char* sub : {"module|load", "module|loadex", "module|unload"}) {
    t.AddSub("module", FromRedisInfo(sub, ModuleCommand, "server", kCmdProtected));
  }
}

}  // namespace vigil::datanode
