// AOF commands: BGREWRITEAOF. The work happens in the process shell (fork, files), reached
// through ServerHooks.
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void BgRewriteAofCommand(CommandContext& ctx) {
  ServerHooks* hooks = ctx.service.hooks();
  std::string err = hooks != nullptr ? hooks->BgRewriteAof()
                                     : std::string("ERR Background AOF rewriting is not available");
  if (!err.empty()) return ctx.reply.Error(err);
  if (ctx.service.aof.rewrite_scheduled) {
    return ctx.reply.Simple("Background append only file rewriting scheduled");
  }
  ctx.reply.Simple("Background append only file rewriting started");
}

}  // namespace

void RegisterAofCommands(CommandTable& t) {
  t.Add({"bgrewriteaof", 1, kCmdAdmin | kCmdNoScript, 0, 0, 0, BgRewriteAofCommand, "server", {}});
}

}  // namespace vigil::datanode
