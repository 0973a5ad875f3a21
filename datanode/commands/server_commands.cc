// Server commands: COMMAND (COUNT INFO DOCS LIST GETKEYS), TIME, LASTSAVE, SHUTDOWN.
#include <map>

#include "common/base/glob.h"
#include "common/resp/value.h"
#include "datanode/acl/acl_catalog.h"
#include "datanode/acl/acl_categories.h"
#include "datanode/acl/acl_key_specs.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/redis_command_info.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void FlagNames(uint32_t f, std::vector<const char*>* out) {
  for (const auto& [bit, name] : CommandFlagNames()) {
    if (f & bit) out->push_back(name);
  }
}

void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& spec) {
  resp::ReplyWriter& r = ctx.reply;
  auto it = RedisCommandInfo().find(spec.name);
  if (it != RedisCommandInfo().end()) return resp::WriteValue(r, it->second);
  r.Array(10);
  r.Bulk(spec.name);
  r.Integer(spec.arity);
  std::vector<const char*> flags;
  FlagNames(spec.flags, &flags);
  r.Set(flags.size());
  for (const char* f : flags) r.Simple(f);
  r.Integer(spec.first_key);
  r.Integer(spec.last_key);
  r.Integer(spec.key_step);
  r.Set(1);
  r.Simple("@" + spec.group);
  r.Set(0);    // tips
  r.Array(0);  // key specs
  r.Array(spec.subcommands.size());
  for (const auto& [name, sub] : spec.subcommands) ReplyCommandInfo(ctx, sub);
}

void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& spec) {
  resp::ReplyWriter& r = ctx.reply;
  r.Bulk(spec.name);
  bool subs = spec.has_subcommands();
  r.Map(subs ? 4 : 3);
  r.Bulk("summary");
  r.Bulk(spec.name + " (" + spec.group + ")");
  r.Bulk("since");
  r.Bulk("1.0.0");
  r.Bulk("group");
  r.Bulk(spec.group);
  if (subs) {
    r.Bulk("subcommands");
    r.Map(spec.subcommands.size());
    for (const auto& [name, sub] : spec.subcommands) ReplyCommandDocs(ctx, sub);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: commands and their
// subcommands by full name ("client|list"), each tested on its own against the filter.
void CommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string arg;
  if (ctx.argc == 5 && ctx.ArgIs(2, "FILTERBY")) {
    if (ctx.ArgIs(3, "MODULE")) {
      filter = Filter::kModule;
    } else if (ctx.ArgIs(3, "ACLCAT")) {
      filter = Filter::kAclCat;
    } else if (ctx.ArgIs(3, "PATTERN")) {
      filter = Filter::kPattern;
    } else {
      return ctx.ErrSyntax();
    }
    arg = ctx.arg(4);
  } else if (ctx.argc != 2) {
    return ctx.ErrSyntax();
  }
  // An unknown category matches nothing (no error), as Redis answers.
  const uint64_t category = filter == Filter::kAclCat ? AclCategoryBit(arg) : 0;
  std::vector<std::string> names;
  auto consider = [&](const CommandSpec& spec) {
    bool keep = true;
    switch (filter) {
      case Filter::kNone:
        break;
      case Filter::kModule:
        keep = false;  // no modules
        break;
      case Filter::kAclCat: {
        const AclCommand* acl = ctx.service.AclCommandOf(spec);
        keep = category != 0 && acl != nullptr && (acl->categories & category) != 0;
        break;
      }
      case Filter::kPattern:
        keep = GlobMatch(arg, spec.name, true);
        break;
    }
    if (keep) names.push_back(spec.name);
  };
  for (const auto& [name, spec] : ctx.service.commands().all()) {
    consider(spec);
    for (const auto& [sub_name, sub] : spec.subcommands) consider(sub);
  }
  ctx.reply.Array(names.size());
  for (const auto& n : names) ctx.reply.Bulk(n);
}

// The key flags COMMAND GETKEYSANDFLAGS shows, in Redis's order.
void ReplyKeyFlags(resp::ReplyWriter& r, uint32_t flags) {
  static const std::pair<uint32_t, const char*> kNames[] = {{kKeyRW, "RW"},
                                                            {kKeyRO, "RO"},
                                                            {kKeyOW, "OW"},
                                                            {kKeyRM, "RM"},
                                                            {kKeyAccess, "access"},
                                                            {kKeyUpdate, "update"},
                                                            {kKeyInsert, "insert"},
                                                            {kKeyDelete, "delete"},
                                                            {kKeyNotKey, "not_key"},
                                                            {kKeyIncomplete, "incomplete"},
                                                            {kKeyVariableFlags, "variable_flags"}};
  size_t n = 0;
  for (const auto& [bit, name] : kNames) n += (flags & bit) != 0;
  r.Set(n);
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) r.Simple(name);
  }
}

// Keys found by position only (no key spec applied): no flags to show.
void ReplyKeys(CommandContext& ctx, const std::vector<size_t>& pos, bool with_flags) {
  ctx.reply.Array(pos.size());
  for (size_t p : pos) {
    if (with_flags) {
      ctx.reply.Array(2);
      ctx.reply.Bulk(ctx.arg(p + 2));
      ReplyKeyFlags(ctx.reply, 0);
    } else {
      ctx.reply.Bulk(ctx.arg(p + 2));
    }
  }
}

void CommandCommand(CommandContext& ctx) {
  const CommandTable& table = ctx.service.commands();
  std::string sub = ctx.argc >= 2 ? config::Lower(ctx.arg(1)) : "";
  if (sub.empty()) {
    ctx.reply.Array(table.size());
    for (const auto& [name, spec] : table.all()) ReplyCommandInfo(ctx, spec);
    return;
  }
  if (sub == "count") return ctx.reply.Integer(int64_t(table.size()));
  if (sub == "info" || sub == "docs") {
    std::vector<const CommandSpec*> specs;
    if (ctx.argc == 2) {
      for (const auto& [name, spec] : table.all()) specs.push_back(&spec);
    } else {
      for (size_t i = 2; i < ctx.argc; ++i) specs.push_back(table.Find(ctx.arg(i)));
    }
    if (sub == "info") {
      ctx.reply.Array(specs.size());
      for (const CommandSpec* s : specs) s ? ReplyCommandInfo(ctx, *s) : ctx.reply.Null();
      return;
    }
    size_t n = 0;
    for (const CommandSpec* s : specs) n += s != nullptr;
    ctx.reply.Map(n);
    for (const CommandSpec* s : specs) {
      if (s != nullptr) ReplyCommandDocs(ctx, *s);
    }
    return;
  }
  if (sub == "list") return CommandList(ctx);
  if (sub == "getkeys" || sub == "getkeysandflags") {
    const bool with_flags = sub == "getkeysandflags";
    const CommandSpec* spec = table.Find(ctx.arg(2));
    if (spec == nullptr) return ctx.reply.Error("ERR Invalid command specified");
    size_t argc = ctx.argc - 2;
    if ((spec->arity > 0 && int64_t(argc) != spec->arity) || int64_t(argc) < -spec->arity) {
      return ctx.reply.Error("ERR Invalid number of arguments specified for command");
    }
    if (spec->has_subcommands() && argc >= 2) {
      auto it = spec->subcommands.find(config::Lower(ctx.arg(3)));
      if (it != spec->subcommands.end()) spec = &it->second;
    }
    const AclCommand* acl = ctx.service.AclCommandOf(*spec);
    std::vector<KeyRef> refs;
    const bool numkeys_family = spec->name == "eval" || spec->name == "evalsha" ||
                                spec->name == "eval_ro" || spec->name == "evalsha_ro" ||
                                spec->name == "fcall" || spec->name == "fcall_ro";
    if (acl != nullptr && !numkeys_family) {
      // Redis's getKeysFromCommandWithSpecs: the key specs, or the command's own finder.
      FindKeys(acl->keys, std::span<const std::string>(ctx.argv.data() + 2, argc), &refs);
    }
    if (!refs.empty()) {
      ctx.reply.Array(refs.size());
      for (const KeyRef& k : refs) {
        if (!with_flags) {
          ctx.reply.Bulk(ctx.arg(size_t(k.pos) + 2));
          continue;
        }
        ctx.reply.Array(2);
        ctx.reply.Bulk(ctx.arg(size_t(k.pos) + 2));
        ReplyKeyFlags(ctx.reply, k.flags);
      }
      return;
    }
    auto pos = CommandTable::KeyPositions(*spec, argc);
    if (acl != nullptr &&
        (acl->keys.finder == KeyFinder::kSort || acl->keys.finder == KeyFinder::kSortRo ||
         acl->keys.finder == KeyFinder::kMigrate || acl->keys.finder == KeyFinder::kGeoradius)) {
      // Keys found by parsing the options (Redis's getkeys_proc).
      refs.clear();
      FindKeys(acl->keys, std::span<const std::string>(ctx.argv.data() + 2, argc), &refs);
      pos.clear();
      for (const KeyRef& r : refs) pos.push_back(size_t(r.pos));
    }
    if (spec->name == "xread" || spec->name == "xreadgroup") {
      // Keys are the first half of what follows STREAMS (Redis's xreadGetKeys).
      for (size_t i = 1; i < argc; ++i) {
        if (!ctx.ArgIs(i + 2, "streams")) continue;
        const size_t n = (argc - i - 1) / 2;
        for (size_t k = 0; k < n; ++k) pos.push_back(i + 1 + k);
        break;
      }
    }
    if (spec->name == "eval" || spec->name == "evalsha" || spec->name == "eval_ro" ||
        spec->name == "evalsha_ro" || spec->name == "fcall" || spec->name == "fcall_ro") {
      // numkeys keys follow the script (Redis's evalGetKeys); none is a valid answer, as the
      // family has no mandatory keys.
      int64_t numkeys = 0;
      pos.clear();
      if (ParseInt64Strict(ctx.arg(4), &numkeys) && numkeys >= 0 && numkeys <= int64_t(argc) - 3) {
        for (int64_t k = 0; k < numkeys; ++k) pos.push_back(size_t(3 + k));
      }
      ReplyKeys(ctx, pos, with_flags);
      return;
    }
    if (pos.empty()) return ctx.reply.Error("ERR The command has no key arguments");
    ReplyKeys(ctx, pos, with_flags);
    return;
  }
  static const char* kHelp[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help."};
  ctx.reply.Array(std::size(kHelp));
  for (const char* l : kHelp) ctx.reply.Simple(l);
}

void TimeCommand(CommandContext& ctx) {
  int64_t ms = ctx.now_ms();
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(ms / 1000));
  ctx.reply.Bulk(std::to_string((ms % 1000) * 1000));
}

void LastsaveCommand(CommandContext& ctx) {
  ctx.reply.Integer(ctx.service.last_save_unix_s);
}

void ShutdownCommand(CommandContext& ctx) {
  ShutdownRequest r;
  for (size_t i = 1; i < ctx.argc; ++i) {
    if (ctx.ArgIs(i, "SAVE"))
      r.save = true;
    else if (ctx.ArgIs(i, "NOSAVE"))
      r.nosave = true;
    else if (ctx.ArgIs(i, "NOW"))
      r.now = true;
    else if (ctx.ArgIs(i, "FORCE"))
      r.force = true;
    else if (ctx.ArgIs(i, "ABORT"))
      r.abort = true;
    else
      return ctx.ErrSyntax();
  }
  if ((r.save && r.nosave) || (r.abort && (r.save || r.nosave || r.now || r.force))) {
    return ctx.ErrSyntax();
  }
  // A busy script can only be cut short by a shutdown that does not save what it half did.
  if (ctx.service.ScriptTimedOut() && !r.nosave) return ctx.reply.Error(ctx.service.BusyError());
  ServerHooks* hooks = ctx.service.hooks();
  if (hooks == nullptr) {
    return ctx.reply.Error(r.abort ? "ERR No shutdown in progress."
                                   : "ERR Errors trying to SHUTDOWN. Check logs.");
  }
  std::string err = hooks->Shutdown(&ctx.session, r);
  if (!err.empty()) return ctx.reply.Error(err);
  if (r.abort) ctx.reply.Ok();
}

}  // namespace

void RegisterServerCommands(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  t.Add({"command", -1, kLS, 0, 0, 0, CommandCommand, "server", {}});
  for (const char* sub : {"count", "help"}) {
    t.AddSub("command", {sub, 2, kLS, 0, 0, 0, CommandCommand, "server", {}});
  }
  t.AddSub("command", {"info", -2, kLS, 0, 0, 0, CommandCommand, "server", {}});
  t.AddSub("command", {"docs", -2, kLS, 0, 0, 0, CommandCommand, "server", {}});
  t.AddSub("command", {"list", -2, kLS, 0, 0, 0, CommandCommand, "server", {}});
  t.AddSub("command", {"getkeys", -4, kLS, 0, 0, 0, CommandCommand, "server", {}});
  t.AddSub("command", {"getkeysandflags", -4, kLS, 0, 0, 0, CommandCommand, "server", {}});
  t.Add({"time", 1, kLS | kCmdFast, 0, 0, 0, TimeCommand, "server", {}});
  t.Add({"lastsave", 1, kLS | kCmdFast, 0, 0, 0, LastsaveCommand, "server", {}});
  t.Add({"shutdown",
         -1,
         kCmdAdmin | kCmdNoScript | kLS | kCmdNoMulti | kCmdAllowBusy,
         0,
         0,
         0,
         ShutdownCommand,
         "server",
         {}});
}

}  // namespace vigil::datanode
