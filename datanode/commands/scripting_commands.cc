// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis's eval.c): argument checks, the script
// cache, then the service prepares the run (flag checks) and the engine runs it.
#include <span>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/redis_command_info.h"
#include "datanode/scripting/script_engine.h"
#include "datanode/scripting/script_sha.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kNoScript = "NOSCRIPT No matching script. Please use EVAL.";

void EvalGeneric(CommandContext& ctx, bool evalsha, bool ro) {
  ScriptEngine& engine = ctx.service.scripting();
  // EVALSHA knows at once that a digest of the wrong length matches nothing.
  if (evalsha && ctx.arg(1).size() != 40) return ctx.reply.Error(kNoScript);
  int64_t numkeys = 0;
  if (!ctx.GetInt(2, &numkeys)) return;
  if (numkeys > int64_t(ctx.argc) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  std::string sha;
  const ScriptEngine::Script* script = nullptr;
  if (evalsha) {
    script = engine.Find(ctx.arg(1));
    if (script == nullptr) return ctx.reply.Error(kNoScript);
    sha = LowerSha(ctx.arg(1));
  } else {
    std::string err;
    sha = engine.Load(ctx.arg(1), &err);  // already lowercase
    if (sha.empty()) return ctx.reply.Error(err);
    script = engine.Find(sha);
  }
  ScriptRun run;
  if (!ctx.service.PrepareScriptRun(ctx.session, script->flags, ro, ctx.reply, &run)) return;
  run.funcname = sha;
  run.caller_argv = &ctx.argv;
  run.caller_argc = ctx.argc;
  std::span<const std::string> all(ctx.argv.data() + 3, ctx.argc - 3);
  ctx.service.RunScript(run, sha, all.subspan(0, size_t(numkeys)), all.subspan(size_t(numkeys)),
                        ctx.reply);
}

// A client in SCRIPT DEBUG mode debugs its next EVAL (EVALSHA has no source to show).
void EvalOrDebug(CommandContext& ctx, bool evalsha, bool ro) {
  if (ctx.session.lua_debug == Session::LuaDebug::kOff) return EvalGeneric(ctx, evalsha, ro);
  if (evalsha) {
    if (ctx.arg(1).size() != 40) return ctx.reply.Error(kNoScript);
    return ctx.reply.Error("ERR Please use EVAL instead of EVALSHA for debugging");
  }
  ctx.service.EvalWithDebugger(ctx.session, ctx.arg(1), ctx.reply,
                               [&] { EvalGeneric(ctx, evalsha, ro); });
}

void EvalCommand(CommandContext& ctx) {
  EvalOrDebug(ctx, false, false);
}
void EvalRoCommand(CommandContext& ctx) {
  EvalOrDebug(ctx, false, true);
}
void EvalShaCommand(CommandContext& ctx) {
  EvalOrDebug(ctx, true, false);
}
void EvalShaRoCommand(CommandContext& ctx) {
  EvalOrDebug(ctx, true, true);
}

void ScriptHelp(CommandContext& ctx) {
  static const char* kHelp[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help."};
  ctx.reply.Array(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.Simple(line);
}

void ScriptFlush(CommandContext& ctx) {
  if (ctx.argc == 3 && (ctx.ArgIs(2, "sync") || ctx.ArgIs(2, "async"))) {
    // Flushing is immediate either way: the cache is freed with the interpreter.
  } else if (ctx.argc != 2) {
    return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.service.scripting().Flush();
  ctx.reply.Ok();
}

void ScriptExists(CommandContext& ctx) {
  ctx.reply.Array(ctx.argc - 2);
  for (size_t j = 2; j < ctx.argc; ++j) {
    ctx.reply.Integer(ctx.service.scripting().Find(ctx.arg(j)) != nullptr ? 1 : 0);
  }
}

void ScriptLoad(CommandContext& ctx) {
  std::string err;
  std::string sha = ctx.service.scripting().Load(ctx.arg(2), &err);
  if (sha.empty()) return ctx.reply.Error(err);
  ctx.reply.Bulk(sha);
}

void ScriptKill(CommandContext& ctx) {
  // Read only while a busy script lets other clients in (service_busy_script.cc).
  ctx.service.KillScript(/*is_eval=*/true, ctx.reply);
}

// The debugger takes over the connection at the next EVAL, so nothing may be queued behind
// this reply: replies not yet written mean the client pipelines.
void ScriptDebug(CommandContext& ctx) {
  if (!ctx.session.out.empty()) {
    return ctx.reply.Error("ERR SCRIPT DEBUG must be called outside a pipeline");
  }
  if (ctx.ArgIs(2, "no")) {
    ctx.session.lua_debug = Session::LuaDebug::kOff;
  } else if (ctx.ArgIs(2, "yes")) {
    ctx.session.lua_debug = Session::LuaDebug::kForked;
  } else if (ctx.ArgIs(2, "sync")) {
    ctx.session.lua_debug = Session::LuaDebug::kSync;
  } else {
    return ctx.reply.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
  }
  ctx.reply.Ok();
}

// What scripts may call is Redis's noscript flag, what read-only scripts may not is its write
// and may_replicate flags, and what runs on a stale replica (from a client or a script) or while
// loading is its stale and loading flags: taken from Redis's own command table, so these checks
// match it command for command.
void SyncScriptFlags(CommandSpec& spec) {
  auto it = RedisCommandInfo().find(spec.name);
  if (it != RedisCommandInfo().end() && it->second.elements.size() > 2) {
    bool noscript = false, may_replicate = false, stale = false, loading = false;
    for (const resp::Value& f : it->second.elements[2].elements) {
      if (f.str == "noscript") noscript = true;
      if (f.str == "may_replicate") may_replicate = true;
      if (f.str == "stale") stale = true;
      if (f.str == "loading") loading = true;
    }
    auto set = [&spec](uint32_t flag, bool on) {
      spec.flags = on ? spec.flags | flag : spec.flags & ~flag;
    };
    set(kCmdNoScript, noscript);
    set(kCmdStale, stale);
    set(kCmdLoading, loading);
    if (may_replicate) spec.flags |= kCmdMayReplicate;
  }
  for (auto& [name, sub] : spec.subcommands) SyncScriptFlags(sub);
}

}  // namespace

void RegisterScriptingCommands(CommandTable& t) {
  constexpr uint32_t kEvalFlags = kCmdNoScript | kCmdSkipMonitor | kCmdStale;
  t.Add({"eval", -3, kEvalFlags | kCmdMayReplicate, 0, 0, 0, EvalCommand, "scripting", {}});
  t.Add({"evalsha", -3, kEvalFlags | kCmdMayReplicate, 0, 0, 0, EvalShaCommand, "scripting", {}});
  t.Add({"eval_ro", -3, kEvalFlags | kCmdReadonly, 0, 0, 0, EvalRoCommand, "scripting", {}});
  t.Add({"evalsha_ro", -3, kEvalFlags | kCmdReadonly, 0, 0, 0, EvalShaRoCommand, "scripting", {}});
  t.Add({"script", -2, 0, 0, 0, 0, nullptr, "scripting", {}});
  t.AddSub("script", {"debug", 3, kCmdNoScript, 0, 0, 0, ScriptDebug, "scripting", {}});
  t.AddSub("script", {"exists", -3, kCmdNoScript, 0, 0, 0, ScriptExists, "scripting", {}});
  t.AddSub("script", {"flush", -2, kCmdNoScript, 0, 0, 0, ScriptFlush, "scripting", {}});
  t.AddSub("script", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, ScriptHelp, "scripting", {}});
  t.AddSub("script",
           {"kill", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, ScriptKill, "scripting", {}});
  t.AddSub("script", {"load", 3, kCmdNoScript | kCmdStale, 0, 0, 0, ScriptLoad, "scripting", {}});
  // Registered last: every family is in the table now.
  for (auto& [name, spec] : t.mutable_all()) SyncScriptFlags(spec);
}

}  // namespace vigil::datanode
