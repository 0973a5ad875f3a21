// Replication commands: REPLICAOF/SLAVEOF, REPLCONF, SYNC, PSYNC, WAIT, FAILOVER, ROLE. They
// parse and validate arguments with Redis 7.0's error texts and hand the work to the server's
// ReplicationControl; without one (in-process tests) the node is a master with no replicas.
#include <algorithm>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/replication/info_replication.h"
#include "datanode/replication/replication_control.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

ReplicationInfo FallbackInfo(Service& svc) {
  ReplicationInfo info;
  info.ids = svc.history().ids();
  info.master_repl_offset = svc.history().offset();
  info.backlog_size = svc.config().repl_backlog_size;
  return info;
}

std::vector<std::string> ArgsFrom(const CommandContext& ctx, size_t first) {
  return std::vector<std::string>(ctx.argv.begin() + long(first),
                                  ctx.argv.begin() + long(ctx.argc));
}

void ReplicaofCommand(CommandContext& ctx) {
  if (ctx.session.is_replica) {
    return ctx.reply.Error("ERR Command is not valid when client is a replica.");
  }
  std::string host;
  int64_t port = 0;
  if (!(ctx.ArgIs(1, "no") && ctx.ArgIs(2, "one"))) {
    if (!ctx.GetInt(2, &port)) return;
    if (port < 0 || port > 65535) return ctx.reply.Error("ERR Invalid master port");
    host = ctx.arg(1);
  }
  ReplicationControl* repl = ctx.service.replication();
  if (repl == nullptr) return ctx.reply.Error("ERR replication is not available");
  repl->ReplicaOf(ctx.session, ctx.reply, host, port);
}

void ReplconfCommand(CommandContext& ctx) {
  ReplicationControl* repl = ctx.service.replication();
  if (repl == nullptr) return ctx.reply.Ok();
  repl->Replconf(ctx.session, ctx.reply, ArgsFrom(ctx, 1));
}

void SyncCommand(CommandContext& ctx) {
  ReplicationControl* repl = ctx.service.replication();
  if (repl == nullptr) return ctx.reply.Error("ERR replication is not available");
  const bool psync = ctx.ArgIs(0, "psync");
  repl->Sync(ctx.session, ctx.reply, ArgsFrom(ctx, 1), psync);
}

void WaitCommand(CommandContext& ctx) {
  ReplicationControl* repl = ctx.service.replication();
  if (repl != nullptr && repl->Info().master) {
    return ctx.reply.Error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 "
        "if a replica is configured to be writable (which is not the default) writes to "
        "replicas are just local and are not propagated.");
  }
  int64_t numreplicas = 0;
  if (!ctx.GetInt(1, &numreplicas)) return;
  int64_t timeout = 0;
  if (!ParseInt64Strict(ctx.arg(2), &timeout)) {
    return ctx.reply.Error("ERR timeout is not an integer or out of range");
  }
  if (timeout < 0) return ctx.reply.Error("ERR timeout is negative");
  if (repl == nullptr) return ctx.reply.Integer(0);
  repl->Wait(ctx.session, ctx.reply, numreplicas, timeout, ctx.may_block());
}

void FailoverCommand(CommandContext& ctx) {
  FailoverRequest req;
  bool has_timeout = false;
  for (size_t i = 1; i < ctx.argc; ++i) {
    if (ctx.ArgIs(i, "to") && i + 2 < ctx.argc && !req.has_target) {
      int64_t port = 0;
      if (!ctx.GetInt(i + 2, &port)) return;
      req.has_target = true;
      req.host = ctx.arg(i + 1);
      req.port = port;
      i += 2;
      if (i + 1 < ctx.argc && ctx.ArgIs(i + 1, "force")) {
        req.force = true;
        ++i;
      }
    } else if (ctx.ArgIs(i, "timeout") && i + 1 < ctx.argc && !has_timeout) {
      if (!ctx.GetInt(i + 1, &req.timeout_ms)) return;
      if (req.timeout_ms <= 0) {
        return ctx.reply.Error("ERR FAILOVER timeout must be greater than 0");
      }
      has_timeout = true;
      ++i;
    } else if (ctx.ArgIs(i, "abort") && !req.abort) {
      req.abort = true;
    } else {
      return ctx.ErrSyntax();
    }
  }
  if (req.abort && (req.has_target || has_timeout)) {
    return ctx.reply.Error("ERR FAILOVER abort cannot be used with other options.");
  }
  if (req.force && (!has_timeout || !req.has_target)) {
    return ctx.reply.Error(
        "ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
  }
  ReplicationControl* repl = ctx.service.replication();
  if (repl == nullptr) return ctx.reply.Error("ERR FAILOVER requires connected replicas.");
  repl->Failover(ctx.session, ctx.reply, req);
}

void RoleCommand(CommandContext& ctx) {
  ReplicationControl* repl = ctx.service.replication();
  WriteRole(ctx.reply, repl != nullptr ? repl->Info() : FallbackInfo(ctx.service));
}

}  // namespace

void RegisterReplicationCommands(CommandTable& t) {
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript;
  for (const char* name : {"replicaof", "slaveof"}) {
    t.Add({name, 3, kAdmin | kCmdStale, 0, 0, 0, ReplicaofCommand, "server", {}});
  }
  t.Add({"replconf",
         -1,
         kAdmin | kCmdLoading | kCmdStale | kCmdAllowBusy,
         0,
         0,
         0,
         ReplconfCommand,
         "server",
         {}});
  t.Add({"sync", 1, kAdmin | kCmdNoMulti, 0, 0, 0, SyncCommand, "server", {}});
  t.Add({"psync", -3, kAdmin | kCmdNoMulti, 0, 0, 0, SyncCommand, "server", {}});
  t.Add({"wait", 3, kCmdNoScript, 0, 0, 0, WaitCommand, "generic", {}});
  t.Add({"failover", -1, kAdmin | kCmdStale, 0, 0, 0, FailoverCommand, "server", {}});
  t.Add({"role",
         1,
         kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast,
         0,
         0,
         0,
         RoleCommand,
         "server",
         {}});
}

std::string RenderReplicationSection(Service& svc) {
  ReplicationControl* repl = svc.replication();
  std::string out = RenderInfoReplication(repl != nullptr ? repl->Info() : FallbackInfo(svc));
  if (svc.config().sentinel_fence_timeout > 0) {
    // Vigil's fence, after every Redis field (only while sentinel-fence-timeout is set).
    const SentinelFence& fence = svc.fence();
    const MonoTime now = svc.mono_now();
    const std::optional<MonoTime> majority = fence.last_majority();
    out += "fenced:" + std::to_string(fence.fenced() ? 1 : 0) + "\r\n";
    out += std::string("fence_cause:") + FenceCauseName(fence.cause()) + "\r\n";
    out += "fence_timeout_ms:" + std::to_string(fence.timeout().count()) + "\r\n";
    out += "fence_armed:" + std::to_string(fence.armed(now) ? 1 : 0) + "\r\n";
    out += "fence_sentinels_known:" + std::to_string(fence.sentinels_known()) + "\r\n";
    out += "fence_sentinels_reached:" + std::to_string(fence.sentinels_reached(now)) + "\r\n";
    out += "fence_last_majority_ms:" +
           std::to_string(majority ? std::max<int64_t>(0, (now - *majority).count()) : -1) + "\r\n";
  }
  return out;
}

}  // namespace vigil::datanode
