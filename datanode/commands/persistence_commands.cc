// RDB persistence commands: SAVE and BGSAVE [SCHEDULE] (LASTSAVE lives with the server
// commands). The work happens in the process shell (files, fork), reached through ServerHooks.
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void SaveCommand(CommandContext& ctx) {
  ServerHooks* hooks = ctx.service.hooks();
  std::string err = hooks != nullptr ? hooks->Save() : std::string("ERR");
  if (!err.empty()) return ctx.reply.Error(err);
  ctx.reply.Ok();
}

void BgsaveCommand(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc > 1) {
    if (ctx.argc == 2 && ctx.ArgIs(1, "SCHEDULE")) {
      schedule = true;
    } else {
      return ctx.ErrSyntax();
    }
  }
  ServerHooks* hooks = ctx.service.hooks();
  if (hooks == nullptr) return ctx.reply.Error("ERR Background saving is not available");
  Result<std::string> r = hooks->BgSave(schedule);
  if (!r.ok()) return ctx.reply.Error(r.error());
  ctx.reply.Simple(r.value());
}

}  // namespace

void RegisterPersistenceCommands(CommandTable& t) {
  t.Add({"save", 1, kCmdAdmin | kCmdNoScript | kCmdNoMulti, 0, 0, 0, SaveCommand, "server", {}});
  t.Add({"bgsave", -1, kCmdAdmin | kCmdNoScript, 0, 0, 0, BgsaveCommand, "server", {}});
}

}  // namespace vigil::datanode
