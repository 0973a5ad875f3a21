// DEBUG SLEEP / POPULATE / SET-ACTIVE-EXPIRE / OBJECT / HELP (protected by enable-debug-command).
#include <time.h>

#include <cmath>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void Populate(CommandContext& ctx) {
  int64_t count = 0, size = -1;
  if (!ctx.GetInt(2, &count)) return;
  if (count < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
  std::string prefix = ctx.argc >= 4 ? ctx.arg(3) : "key";
  if (ctx.argc >= 5) {
    if (!ctx.GetInt(4, &size)) return;
    if (size < 0) return ctx.reply.Error("ERR Invalid number of arguments");
  }
  Database& db = ctx.db();
  std::string key, value;
  for (int64_t j = 0; j < count; ++j) {
    key = prefix + ":" + std::to_string(j);
    if (db.Find(key) != nullptr) continue;
    value = "value:" + std::to_string(j);
    // With a size, the value is the same text cut or zero-padded to that size, as in Redis.
    if (size >= 0) value.resize(size_t(size), '\0');
    Entry* e = Entry::NewString(key, value);
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    db.Add(e);
  }
  ctx.Dirty(count);
  ctx.NoPropagate();
  ctx.reply.Ok();
}

void DebugCommand(CommandContext& ctx) {
  std::string sub = config::Lower(ctx.arg(1));
  if (sub == "sleep" && ctx.argc == 3) {
    double secs = 0;
    if (!ctx.GetDouble(2, &secs)) return;
    // Blocks the whole server on purpose: tests use it to simulate a stuck process.
    timespec ts{time_t(secs), long(std::fmod(secs, 1.0) * 1e9)};
    nanosleep(&ts, nullptr);
    return ctx.reply.Ok();
  }
  if (sub == "populate" && ctx.argc >= 3 && ctx.argc <= 5) return Populate(ctx);
  if (sub == "set-active-expire" && ctx.argc == 3) {
    int64_t v;
    if (!ctx.GetInt(2, &v)) return;
    ctx.service.active_expire_enabled = v != 0;
    return ctx.reply.Ok();
  }
  if (sub == "object" && ctx.argc == 3) {
    Entry* e = ctx.db().Find(ctx.arg(2));
    if (e == nullptr) return ctx.reply.Error("ERR no such key");
    std::string s = "Value at:0x0 refcount:1 encoding:" + std::string(EncodingName(e->encoding())) +
                    " serializedlength:0 lru:" + std::to_string(e->lru()) + " lru_seconds_idle:" +
                    std::to_string(ctx.keyspace().IdleMillis(e, ctx.now_ms()) / 1000);
    return ctx.reply.Simple(s);
  }
  if (sub == "help") {
    static const char* kHelp[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "OBJECT <key>",
        "    Show low level info about the key and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
    return;
  }
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" + ctx.arg(1) +
                  "'. Try DEBUG HELP.");
}

}  // namespace

void RegisterDebugCommands(CommandTable& t) {
  t.Add({"debug",
         -2,
         kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdProtected,
         0,
         0,
         0,
         DebugCommand,
         "server",
         {}});
}

}  // namespace vigil::datanode
