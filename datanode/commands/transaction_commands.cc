// Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void ClearMulti(Session& s) {
  s.in_multi = false;
  s.multi_error = false;
  s.queued.clear();
}

void MultiCommand(CommandContext& ctx) {
  if (ctx.session.in_multi) return ctx.reply.Error("ERR MULTI calls can not be nested");
  ctx.session.in_multi = true;
  ctx.reply.Ok();
}

void DiscardCommand(CommandContext& ctx) {
  if (!ctx.session.in_multi) return ctx.reply.Error("ERR DISCARD without MULTI");
  ClearMulti(ctx.session);
  ctx.service.waiters().UnwatchAll(&ctx.session);
  ctx.reply.Ok();
}

void ExecCommand(CommandContext& ctx) {
  Session& s = ctx.session;
  Service& svc = ctx.service;
  if (!s.in_multi) return ctx.reply.Error("ERR EXEC without MULTI");
  if (s.multi_error) {
    ClearMulti(s);
    svc.waiters().UnwatchAll(&s);
    return ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
  }
  // A watched key that has expired since (logically deleted) fails the EXEC, unless it was
  // already expired when watched.
  for (const Session::WatchedKey& w : s.watched) {
    if (!w.expired && svc.WatchedKeyState(w.db, w.key) == KeyWaiters::KeyState::kExpired) {
      s.watch_dirty = true;
    }
  }
  if (s.watch_dirty) {
    ClearMulti(s);
    svc.waiters().UnwatchAll(&s);
    return ctx.reply.NullArray();
  }
  std::vector<std::vector<std::string>> queued = std::move(s.queued);
  ClearMulti(s);
  svc.waiters().UnwatchAll(&s);
  ctx.reply.Array(queued.size());
  svc.BeginExec();
  for (const auto& argv : queued) {
    const CommandSpec* spec = svc.commands().Find(argv[0]);
    if (spec->has_subcommands() && argv.size() >= 2) {
      spec = &spec->subcommands.at(config::Lower(argv[1]));
    }
    // ACL rules may have changed since the command was queued: check again, as Redis does.
    int errpos = 0;
    const AclDenial denied = svc.CheckAcl(s, *spec, argv, &errpos);
    if (denied != AclDenial::kNone) {
      const char* reason =
          denied == AclDenial::kCommand ? "no permission to execute the command or subcommand"
          : denied == AclDenial::kKey   ? "no permission to touch the specified keys"
                                        : "no permission to access one of the channels used as "
                                          "arguments";
      svc.LogAclDenial(
          s, denied, AclLogContext::kMulti,
          denied == AclDenial::kCommand ? svc.AclCommandOf(*spec)->fullname : argv[size_t(errpos)],
          s.user->name());
      ctx.reply.Error(
          std::string("NOPERM ACLs rules changed between the moment the transaction was "
                      "accumulated and the EXEC call. This command is no longer allowed for the "
                      "following reason: ") +
          reason);
      continue;
    }
    svc.Call(s, *spec, argv, argv.size(), true);
  }
  svc.EndExec(s.db);
  ctx.NoPropagate();  // the queued commands propagated themselves, wrapped in MULTI/EXEC
}

void WatchCommand(CommandContext& ctx) {
  if (ctx.session.in_multi) return ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < ctx.argc; ++i) {
    const bool expired =
        ctx.service.WatchedKeyState(ctx.session.db, ctx.arg(i)) == KeyWaiters::KeyState::kExpired;
    ctx.service.waiters().Watch(&ctx.session, ctx.session.db, ctx.arg(i), expired);
  }
  ctx.reply.Ok();
}

void UnwatchCommand(CommandContext& ctx) {
  ctx.service.waiters().UnwatchAll(&ctx.session);
  ctx.reply.Ok();
}

}  // namespace

void RegisterTransactionCommands(CommandTable& t) {
  constexpr uint32_t kTx = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
  t.Add({"multi", 1, kTx, 0, 0, 0, MultiCommand, "transactions", {}});
  t.Add({"exec",
         1,
         kCmdNoScript | kCmdLoading | kCmdStale,
         0,
         0,
         0,
         ExecCommand,
         "transactions",
         {}});
  t.Add({"discard", 1, kTx, 0, 0, 0, DiscardCommand, "transactions", {}});
  t.Add({"watch", -2, kTx, 1, -1, 1, WatchCommand, "transactions", {}});
  t.Add({"unwatch", 1, kTx, 0, 0, 0, UnwatchCommand, "transactions", {}});
}

}  // namespace vigil::datanode
