// FUNCTION and FCALL / FCALL_RO (Redis's functions.c): the library commands work on the
// service's FunctionStore; FCALL prepares the run with the same checks as EVAL and runs the
// function in the libraries' interpreter.
#include <span>

#include "common/base/decimal.h"
#include "common/base/glob.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/persistence/function_payload.h"
#include "datanode/scripting/function_store.h"
#include "datanode/scripting/script_flags.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// FUNCTION LOAD's time limit for a client (none for the master link and the AOF).
constexpr int64_t kLoadTimeoutMs = 500;

void SubcommandSyntaxError(CommandContext& ctx) {
  std::string cmd = ctx.arg(0);
  for (char& c : cmd) c = char(std::toupper(static_cast<unsigned char>(c)));
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  ctx.arg(1).substr(0, 128) + "'. Try " + cmd + " HELP.");
}

void FcallGeneric(CommandContext& ctx, bool ro) {
  FunctionStore& store = ctx.service.functions();
  const FunctionStore::Function* fn = store.Find(ctx.arg(1));
  if (fn == nullptr) return ctx.reply.Error("ERR Function not found");
  int64_t numkeys = 0;
  if (!ParseInt64(ctx.arg(2), &numkeys)) {
    return ctx.reply.Error("ERR Bad number of keys provided");
  }
  if (numkeys > int64_t(ctx.argc) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  ScriptRun run;
  if (!ctx.service.PrepareScriptRun(ctx.session, fn->flags, ro, ctx.reply, &run)) return;
  run.funcname = fn->name;
  run.eval_mode = false;
  run.caller_argv = &ctx.argv;
  run.caller_argc = ctx.argc;
  std::span<const std::string> all(ctx.argv.data() + 3, ctx.argc - 3);
  ctx.service.RunFunction(run, *fn, all.subspan(0, size_t(numkeys)), all.subspan(size_t(numkeys)),
                          ctx.reply);
}

void FcallCommand(CommandContext& ctx) {
  FcallGeneric(ctx, false);
}
void FcallRoCommand(CommandContext& ctx) {
  FcallGeneric(ctx, true);
}

void FunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t at = 2;
  while (at < ctx.argc - 1) {
    if (!ctx.ArgIs(at, "replace")) {
      return ctx.reply.Error("ERR Unknown option given: " + ctx.arg(at));
    }
    replace = true;
    ++at;
  }
  std::string err;
  // The master link and the AOF loader (the user-less sessions) load without a time limit.
  const int64_t timeout = ctx.session.user == nullptr ? 0 : kLoadTimeoutMs;
  std::string name = ctx.service.functions().Load(ctx.arg(at), replace, timeout, &err);
  if (name.empty()) return ctx.reply.Error("ERR " + err);
  ctx.Dirty();
  ctx.reply.Bulk(name);
}

void FunctionDelete(CommandContext& ctx) {
  if (!ctx.service.functions().Delete(ctx.arg(2))) {
    return ctx.reply.Error("ERR Library not found");
  }
  ctx.Dirty();
  ctx.reply.Ok();
}

void FunctionFlush(CommandContext& ctx) {
  if (ctx.argc > 3) return SubcommandSyntaxError(ctx);
  if (ctx.argc == 3 && !ctx.ArgIs(2, "sync") && !ctx.ArgIs(2, "async")) {
    return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  ctx.service.functions().Flush();
  ctx.Dirty();
  ctx.reply.Ok();
}

void ReplyFlags(resp::ReplyWriter& w, uint32_t flags) {
  // Redis's order of the flag names.
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {kScriptNoWrites, "no-writes"},
      {kScriptAllowOom, "allow-oom"},
      {kScriptAllowStale, "allow-stale"},
      {kScriptNoCluster, "no-cluster"},
      {kScriptAllowCrossSlot, "allow-cross-slot-keys"}};
  size_t n = 0;
  for (const auto& [bit, name] : kNames) n += (flags & bit) ? 1 : 0;
  w.Set(n);
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) w.Simple(name);
  }
}

void FunctionList(CommandContext& ctx) {
  bool with_code = false;
  bool has_pattern = false;
  std::string pattern;
  for (size_t i = 2; i < ctx.argc; ++i) {
    if (!with_code && ctx.ArgIs(i, "withcode")) {
      with_code = true;
      continue;
    }
    if (!has_pattern && ctx.ArgIs(i, "libraryname")) {
      if (i >= ctx.argc - 1) return ctx.reply.Error("ERR library name argument was not given");
      pattern = ctx.arg(++i);
      has_pattern = true;
      continue;
    }
    return ctx.reply.Error("ERR Unknown argument " + ctx.arg(i));
  }
  std::vector<const FunctionStore::Library*> shown;
  for (const auto& [name, lib] : ctx.service.functions().libraries()) {
    if (!has_pattern || GlobMatch(pattern, name, true)) shown.push_back(&lib);
  }
  resp::ReplyWriter& w = ctx.reply;
  w.Array(shown.size());
  for (const FunctionStore::Library* lib : shown) {
    w.Map(with_code ? 4 : 3);
    w.Bulk("library_name");
    w.Bulk(lib->name);
    w.Bulk("engine");
    w.Bulk("LUA");
    w.Bulk("functions");
    w.Array(lib->functions.size());
    for (const FunctionStore::Function& f : lib->functions) {
      w.Map(3);
      w.Bulk("name");
      w.Bulk(f.name);
      w.Bulk("description");
      if (f.has_description) {
        w.Bulk(f.description);
      } else {
        w.Null();
      }
      w.Bulk("flags");
      ReplyFlags(w, f.flags);
    }
    if (with_code) {
      w.Bulk("library_code");
      w.Bulk(lib->code);
    }
  }
}

void FunctionStats(CommandContext& ctx) {
  // Something runs only while a busy script lets other clients in (service_busy_script.cc).
  const ScriptRun* run = ctx.service.script_run();
  if (run != nullptr && run->eval_mode) return ctx.reply.Error(ctx.service.BusyError());
  const FunctionStore& store = ctx.service.functions();
  resp::ReplyWriter& w = ctx.reply;
  w.Map(2);
  w.Bulk("running_script");
  if (run == nullptr) {
    w.Null();
  } else {
    w.Map(3);
    w.Bulk("name");
    w.Bulk(run->funcname);
    w.Bulk("command");
    w.Array(run->caller_argc);
    for (size_t i = 0; i < run->caller_argc; ++i) w.Bulk((*run->caller_argv)[i]);
    w.Bulk("duration_ms");
    w.Integer((ctx.service.clock_us() - run->start_us) / 1000);
  }
  w.Bulk("engines");
  w.Map(1);
  w.Bulk("LUA");
  w.Map(2);
  w.Bulk("libraries_count");
  w.Integer(int64_t(store.library_count()));
  w.Bulk("functions_count");
  w.Integer(int64_t(store.function_count()));
}

void FunctionKill(CommandContext& ctx) {
  ctx.service.KillScript(/*is_eval=*/false, ctx.reply);
}

void FunctionDump(CommandContext& ctx) {
  RdbWriteOptions options;
  options.compression = ctx.config().rdbcompression;
  ctx.reply.Bulk(EncodeFunctionsDump(ctx.service.functions().Codes(), options));
}

void FunctionRestore(CommandContext& ctx) {
  if (ctx.argc > 4) return SubcommandSyntaxError(ctx);
  auto policy = FunctionStore::RestorePolicy::kAppend;
  if (ctx.argc == 4) {
    if (ctx.ArgIs(3, "append")) {
      policy = FunctionStore::RestorePolicy::kAppend;
    } else if (ctx.ArgIs(3, "replace")) {
      policy = FunctionStore::RestorePolicy::kReplace;
    } else if (ctx.ArgIs(3, "flush")) {
      policy = FunctionStore::RestorePolicy::kFlush;
    } else {
      return ctx.reply.Error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  std::vector<std::string> codes;
  std::string err;
  if (!DecodeFunctionsDump(ctx.arg(2), !ctx.service.debug.skip_checksum_validation, &codes, &err) ||
      !ctx.service.functions().Restore(codes, policy, &err)) {
    return ctx.reply.Error("ERR " + err);
  }
  ctx.Dirty();
  ctx.reply.Ok();
}

void FunctionHelp(CommandContext& ctx) {
  static const char* kHelp[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using "
      "FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a "
      "chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help."};
  ctx.reply.Array(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.Simple(line);
}

}  // namespace

void RegisterFunctionCommands(CommandTable& t) {
  constexpr uint32_t kFcallFlags = kCmdNoScript | kCmdSkipMonitor | kCmdStale;
  t.Add({"fcall", -3, kFcallFlags | kCmdMayReplicate, 0, 0, 0, FcallCommand, "scripting", {}});
  t.Add({"fcall_ro", -3, kFcallFlags | kCmdReadonly, 0, 0, 0, FcallRoCommand, "scripting", {}});
  t.Add({"function", -2, 0, 0, 0, 0, nullptr, "scripting", {}});
  const uint32_t kWrite = kCmdWrite | kCmdNoScript;
  t.AddSub("function", {"delete", 3, kWrite, 0, 0, 0, FunctionDelete, "scripting", {}});
  t.AddSub("function", {"dump", 2, kCmdNoScript, 0, 0, 0, FunctionDump, "scripting", {}});
  t.AddSub("function", {"flush", -2, kWrite, 0, 0, 0, FunctionFlush, "scripting", {}});
  t.AddSub("function",
           {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, FunctionHelp, "scripting", {}});
  t.AddSub("function",
           {"kill", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, FunctionKill, "scripting", {}});
  t.AddSub("function", {"list", -2, kCmdNoScript, 0, 0, 0, FunctionList, "scripting", {}});
  t.AddSub("function", {"load", -3, kWrite | kCmdDenyOom, 0, 0, 0, FunctionLoad, "scripting", {}});
  t.AddSub("function",
           {"restore", -3, kWrite | kCmdDenyOom, 0, 0, 0, FunctionRestore, "scripting", {}});
  t.AddSub("function",
           {"stats", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, FunctionStats, "scripting", {}});
}

}  // namespace vigil::datanode
