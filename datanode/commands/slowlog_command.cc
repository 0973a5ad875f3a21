// SLOWLOG GET [count] | LEN | RESET | HELP over the service's SlowLog.
#include <algorithm>
#include <cctype>
#include <climits>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void SlowlogCommand(CommandContext& ctx) {
  SlowLog& log = ctx.service.slowlog();
  if (ctx.ArgIs(1, "help")) {
    static const char* kHelp[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  } else if (ctx.ArgIs(1, "reset")) {
    log.Reset();
    ctx.reply.Ok();
  } else if (ctx.ArgIs(1, "len")) {
    ctx.reply.Integer(int64_t(log.entries().size()));
  } else if (ctx.argc > 3) {  // GET takes at most a count
    std::string cmd = ctx.arg(0);
    for (char& c : cmd) c = char(std::toupper(static_cast<unsigned char>(c)));
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    ctx.arg(1).substr(0, 128) + "'. Try " + cmd + " HELP.");
  } else {  // get
    int64_t count = 10;
    if (ctx.argc == 3 && !ctx.GetIntInRange(2, -1, LONG_MAX, &count,
                                            "ERR count should be greater than or equal to -1")) {
      return;
    }
    const auto& entries = log.entries();
    const size_t n = count < 0 ? entries.size() : std::min(entries.size(), size_t(count));
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) {
      const SlowLogEntry& e = entries[i];
      ctx.reply.Array(6);
      ctx.reply.Integer(e.id);
      ctx.reply.Integer(e.unix_time_s);
      ctx.reply.Integer(e.duration_us);
      ctx.reply.Array(e.args.size());
      for (const std::string& a : e.args) ctx.reply.Bulk(a);
      ctx.reply.Bulk(e.peer);
      ctx.reply.Bulk(e.client_name);
    }
  }
}

}  // namespace

void RegisterSlowlogCommands(CommandTable& t) {
  t.Add({"slowlog", -2, 0, 0, 0, 0, SlowlogCommand, "server", {}});
  t.AddSub("slowlog",
           {"get", -2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, SlowlogCommand, "server", {}});
  t.AddSub("slowlog",
           {"len", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, SlowlogCommand, "server", {}});
  t.AddSub(
      "slowlog",
      {"reset", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, SlowlogCommand, "server", {}});
  t.AddSub("slowlog", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, SlowlogCommand, "server", {}});
}

}  // namespace vigil::datanode
