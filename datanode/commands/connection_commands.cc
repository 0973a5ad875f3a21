// Connection commands: PING ECHO QUIT RESET SELECT AUTH HELLO.
#include "common/base/check.h"
#include "common/base/client_name.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"
#include "vigil/version.h"

namespace vigil::datanode {
namespace {

void PingCommand(CommandContext& ctx) {
  if (ctx.argc > 2) return ctx.ErrArity();
  // RESP2 subscribers get a two-element array so they can tell it from a message.
  if (ctx.session.proto == 2 && ctx.session.subscription_count() > 0) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argc == 2 ? ctx.arg(1) : "");
    return;
  }
  ctx.argc == 2 ? ctx.reply.Bulk(ctx.arg(1)) : ctx.reply.Simple("PONG");
}

void EchoCommand(CommandContext& ctx) {
  ctx.reply.Bulk(ctx.arg(1));
}

void QuitCommand(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.session.close_after_reply = true;
}

void SelectCommand(CommandContext& ctx) {
  int64_t id;
  if (!ParseInt64Strict(ctx.arg(1), &id))
    return ctx.reply.Error("ERR value is not an integer or out of range");
  if (id < 0 || id >= ctx.keyspace().database_count())
    return ctx.reply.Error("ERR DB index is out of range");
  ctx.session.db = int(id);
  ctx.reply.Ok();
}

void AuthCommand(CommandContext& ctx) {
  if (ctx.argc > 3) return ctx.ErrSyntax();
  std::string user = ctx.argc == 3 ? ctx.arg(1) : "default";
  const std::string& pass = ctx.arg(ctx.argc - 1);
  if (ctx.argc == 2 && ctx.service.acl().default_user()->nopass()) {
    return ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
  }
  if (!ctx.service.Authenticate(ctx.session, user, pass, ctx.arg(0))) {
    return ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
  }
  ctx.reply.Ok();
}

void HelloCommand(CommandContext& ctx) {
  int64_t proto = ctx.session.proto;
  size_t i = 1;
  if (ctx.argc >= 2) {
    if (!ParseInt64Strict(ctx.arg(1), &proto)) {
      return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    }
    if (proto < 2 || proto > 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
    i = 2;
  }
  std::string user, pass, name;
  bool auth = false, setname = false;
  for (; i < ctx.argc; ++i) {
    bool more = ctx.argc - i - 1;
    if (ctx.ArgIs(i, "AUTH") && ctx.argc - i - 1 >= 2) {
      auth = true;
      user = ctx.arg(i + 1);
      pass = ctx.arg(i + 2);
      i += 2;
    } else if (ctx.ArgIs(i, "SETNAME") && more) {
      setname = true;
      name = ctx.arg(++i);
      if (!IsClientNameText(name)) {
        return ctx.reply.Error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
      }
    } else {
      return ctx.reply.Error("ERR Syntax error in HELLO option '" + ctx.arg(i) + "'");
    }
  }
  if (auth) {
    if (!ctx.service.Authenticate(ctx.session, user, pass, ctx.arg(0))) {
      return ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
    }
  }
  if (!ctx.session.authenticated) {
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
  }
  if (setname) ctx.session.name = name;
  ctx.session.proto = int(proto);
  ctx.reply.set_proto(int(proto));
  ctx.reply.Map(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisCompatVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(proto);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(int64_t(ctx.session.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk(ctx.keyspace().replica_mode() ? "replica" : "master");
  ctx.reply.Bulk("modules");
  ctx.reply.Array(0);
}

void ResetCommand(CommandContext& ctx) {
  Session& s = ctx.session;
  Service& svc = ctx.service;
  s.in_multi = false;
  s.multi_error = false;
  s.queued.clear();
  svc.waiters().UnwatchAll(&s);
  svc.pubsub().RemoveSession(&s);
  svc.StopMonitor(s);
  svc.DisableTracking(s);
  s.reply_off = false;
  s.reply_skip = 0;
  s.db = 0;
  s.proto = 2;
  s.name.clear();
  // Back to `default`, authenticated only if that needs no AUTH (clientSetDefaultAuth).
  AclUser* def = svc.acl().default_user();
  s.user = def;
  s.authenticated = def->nopass() && !(def->flags() & AclUser::kDisabled);
  ctx.reply.set_proto(2);
  ctx.reply.Simple("RESET");
}

// MONITOR: from now on the client receives every command the server runs (and may only send
// commands that leave the keyspace alone). A second MONITOR, or one from a replica, is ignored
// without a reply, as Redis does.
void MonitorCommand(CommandContext& ctx) {
  if (!ctx.may_block())
    return ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (ctx.session.monitor || ctx.session.is_replica) return;
  ctx.service.StartMonitor(ctx.session);
  ctx.reply.Ok();
}

}  // namespace

void RegisterConnectionCommands(CommandTable& t) {
  constexpr uint32_t kConn = kCmdFast | kCmdLoading | kCmdStale | kCmdNoScript;
  t.Add({"ping", -1, kCmdFast, 0, 0, 0, PingCommand, "connection", {}});
  t.Add({"echo", 2, kCmdFast, 0, 0, 0, EchoCommand, "connection", {}});
  t.Add({"quit", -1, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, QuitCommand, "connection", {}});
  t.Add({"reset", 1, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, ResetCommand, "connection", {}});
  t.Add({"select", 2, kConn, 0, 0, 0, SelectCommand, "connection", {}});
  t.Add({"auth", -2, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, AuthCommand, "connection", {}});
  t.Add({"monitor",
         1,
         kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale,
         0,
         0,
         0,
         MonitorCommand,
         "server",
         {}});
  t.Add({"hello", -1, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, HelloCommand, "connection", {}});
}

}  // namespace vigil::datanode
