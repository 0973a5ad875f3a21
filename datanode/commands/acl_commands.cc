// ACL SETUSER GETUSER DELUSER USERS LIST WHOAMI CAT GENPASS LOG DRYRUN SAVE LOAD HELP, with
// Redis 7.0's replies and error texts.

#include "datanode/acl/acl_categories.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

// Error replies are one line (addReplyErrorSdsSafe).
std::string OneLine(std::string s) {
  for (auto& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

void SetUser(CommandContext& ctx) {
  const std::string& name = ctx.arg(2);
  if (AclHasSpaces(name)) {
    return ctx.reply.Error("ERR Usernames can't contain spaces or null characters");
  }
  Service& svc = ctx.service;
  std::vector<std::string> rules(ctx.argv.begin() + 3, ctx.argv.begin() + long(ctx.argc));
  std::unique_ptr<AclUser> before;
  std::string err = svc.acl().SetUser(name, rules, &before);
  if (!err.empty()) return ctx.reply.Error(OneLine("ERR " + err));
  if (before) svc.KillPubsubClientsIfNeeded(*before, *svc.acl().Find(name), &ctx.session);
  ctx.reply.Ok();
}

void DelUser(CommandContext& ctx) {
  for (size_t i = 2; i < ctx.argc; ++i) {
    if (ctx.arg(i) == "default") {
      return ctx.reply.Error("ERR The 'default' user cannot be removed");
    }
  }
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc; ++i) {
    std::unique_ptr<AclUser> gone = ctx.service.acl().Remove(ctx.arg(i));
    if (!gone) continue;
    ctx.service.DisconnectUser(gone.get(), &ctx.session);
    ++deleted;
  }
  ctx.reply.Integer(deleted);
}

void ReplySelector(resp::ReplyWriter& r, const AclSelector& s) {
  r.Bulk("commands");
  r.Bulk(s.DescribeCommands());
  r.Bulk("keys");
  r.Bulk(s.KeysText());
  r.Bulk("channels");
  r.Bulk(s.ChannelsText());
}

void GetUser(CommandContext& ctx) {
  const AclUser* u = ctx.service.acl().Find(ctx.arg(2));
  if (u == nullptr) return ctx.reply.Null();
  resp::ReplyWriter& r = ctx.reply;
  r.Map(6);
  r.Bulk("flags");
  static const std::pair<uint32_t, const char*> kFlags[] = {
      {AclUser::kEnabled, "on"},
      {AclUser::kDisabled, "off"},
      {AclUser::kNoPass, "nopass"},
      {AclUser::kSkipSanitizePayload, "skip-sanitize-payload"},
      {AclUser::kSanitizePayload, "sanitize-payload"}};
  size_t n = 0;
  for (const auto& [bit, name] : kFlags) n += (u->flags() & bit) != 0;
  r.Set(n);
  for (const auto& [bit, name] : kFlags) {
    if (u->flags() & bit) r.Bulk(name);
  }
  r.Bulk("passwords");
  r.Array(u->password_hashes().size());
  for (const auto& p : u->password_hashes()) r.Bulk(p);
  ReplySelector(r, u->root());
  r.Bulk("selectors");
  r.Array(u->selectors().size() - 1);
  for (size_t i = 1; i < u->selectors().size(); ++i) {
    r.Map(3);
    ReplySelector(r, u->selectors()[i]);
  }
}

void ListUsers(CommandContext& ctx, bool names_only) {
  const auto& users = ctx.service.acl().users();
  ctx.reply.Array(users.size());
  for (const auto& [name, user] : users) {
    ctx.reply.Bulk(names_only ? name : "user " + name + " " + user->Describe());
  }
}

void Cat(CommandContext& ctx) {
  if (ctx.argc == 2) {
    ctx.reply.Array(kAclCategoryCount);
    for (const char* c : kAclCategoryNames) ctx.reply.Bulk(c);
    return;
  }
  const uint64_t bit = AclCategoryBit(ctx.arg(2));
  if (bit == 0) return ctx.reply.Error("ERR Unknown category '" + ctx.arg(2).substr(0, 128) + "'");
  const AclCatalog& catalog = ctx.service.acl_catalog();
  std::vector<const std::string*> names;
  for (uint32_t id : catalog.top_level()) {
    const AclCommand& cmd = catalog.at(id);
    if (cmd.categories & bit) names.push_back(&cmd.fullname);
    for (uint32_t sub : cmd.subcommands) {
      if (catalog.at(sub).categories & bit) names.push_back(&catalog.at(sub).fullname);
    }
  }
  ctx.reply.Array(names.size());
  for (const auto* n : names) ctx.reply.Bulk(*n);
}

void GenPass(CommandContext& ctx) {
  constexpr int64_t kMaxBits = 4096;
  int64_t bits = 256;
  if (ctx.argc == 3 && !ctx.GetInt(2, &bits)) return;
  if (bits <= 0 || bits > kMaxBits) {
    return ctx.reply.Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a "
        "positive number up to 4096");
  }
  // A password wants the OS's randomness; without a shell (tests), the seeded generator.
  static constexpr char kHex[] = "0123456789abcdef";
  ServerHooks* hooks = ctx.service.hooks();
  std::string pass(size_t((bits + 3) / 4), '0');
  for (size_t i = 0; i < pass.size(); i += 8) {
    uint32_t word =
        hooks != nullptr ? hooks->SecureRandom32() : uint32_t(ctx.service.keyspace().prng().Next());
    for (size_t j = i; j < std::min(pass.size(), i + 8); ++j, word >>= 4) pass[j] = kHex[word & 15];
  }
  ctx.reply.Bulk(pass);
}

void Log(CommandContext& ctx) {
  AclLog& log = ctx.service.acl_log();
  int64_t count = 10;
  if (ctx.argc == 3) {
    if (ctx.ArgIs(2, "reset")) {
      log.Reset();
      return ctx.reply.Ok();
    }
    if (!ctx.GetInt(2, &count)) return;
    if (count < 0) count = 0;
  }
  const size_t n = std::min(size_t(count), log.entries().size());
  resp::ReplyWriter& r = ctx.reply;
  r.Array(n);
  for (size_t i = 0; i < n; ++i) {
    const AclLogEntry& e = log.entries()[i];
    r.Map(7);
    r.Bulk("count");
    r.Integer(int64_t(e.count));
    r.Bulk("reason");
    r.Bulk(AclLog::ReasonName(e.reason));
    r.Bulk("context");
    r.Bulk(AclLog::ContextName(e.context));
    r.Bulk("object");
    r.Bulk(e.object);
    r.Bulk("username");
    r.Bulk(e.username);
    r.Bulk("age-seconds");
    r.Double(double(ctx.now_ms() - e.updated_ms) / 1000);
    r.Bulk("client-info");
    r.Bulk(e.client_info);
  }
}

void DryRun(CommandContext& ctx) {
  Service& svc = ctx.service;
  const AclUser* u = svc.acl().Find(ctx.arg(2));
  if (u == nullptr) return ctx.reply.Error("ERR User '" + ctx.arg(2) + "' not found");
  const AclCatalog& catalog = svc.acl_catalog();
  const AclCommand* cmd = catalog.Find(ctx.arg(3));
  if (cmd != nullptr && !cmd->subcommands.empty() && ctx.argc - 3 >= 2) {
    cmd = catalog.Find(cmd->fullname + "|" + ctx.arg(4));
  }
  if (cmd == nullptr) return ctx.reply.Error("ERR Command '" + ctx.arg(3) + "' not found");
  const int64_t argc = int64_t(ctx.argc) - 3, arity = cmd->keys.arity;
  if ((arity > 0 && arity != argc) || argc < -arity) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + cmd->fullname + "' command");
  }
  std::span<const std::string> args(ctx.argv.data() + 3, size_t(argc));
  int errpos = 0;
  const AclDenial d = u->unrestricted() ? AclDenial::kNone : u->Check(*cmd, args, &errpos);
  if (d == AclDenial::kCommand) {
    return ctx.reply.Bulk("This user has no permissions to run the '" + cmd->fullname +
                          "' command");
  }
  if (d == AclDenial::kKey) {
    return ctx.reply.Bulk("This user has no permissions to access the '" + args[size_t(errpos)] +
                          "' key");
  }
  if (d == AclDenial::kChannel) {
    return ctx.reply.Bulk("This user has no permissions to access the '" + args[size_t(errpos)] +
                          "' channel");
  }
  ctx.reply.Ok();
}

void Help(CommandContext& ctx) {
  static const char* kHelp[] = {
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username."};
  std::string cmd = ctx.arg(0);
  for (auto& c : cmd) c = char(std::toupper(static_cast<unsigned char>(c)));
  ctx.reply.Array(std::size(kHelp) + 3);
  ctx.reply.Simple(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (const char* l : kHelp) ctx.reply.Simple(l);
  ctx.reply.Simple("HELP");
  ctx.reply.Simple("    Prints this help.");
}

void AclDispatch(CommandContext& ctx) {
  const std::string sub = config::Lower(ctx.arg(1));
  if (ctx.argc > 3 && (sub == "cat" || sub == "genpass" || sub == "log")) {
    return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                           ctx.arg(1).substr(0, 128) + "'. Try ACL HELP.");
  }
  if (sub == "setuser") return SetUser(ctx);
  if (sub == "deluser") return DelUser(ctx);
  if (sub == "getuser") return GetUser(ctx);
  if (sub == "list" || sub == "users") return ListUsers(ctx, sub == "users");
  if (sub == "whoami") {
    const AclUser* u = ctx.session.user;
    return u ? ctx.reply.Bulk(u->name()) : ctx.reply.Null();
  }
  if (sub == "load" || sub == "save") {
    if (ctx.config().aclfile.empty()) return ctx.reply.Error(kNoAclFile);
    std::string err = sub == "load" ? ctx.service.AclLoad(&ctx.session) : ctx.service.AclSave();
    return err.empty() ? ctx.reply.Ok() : ctx.reply.Error(OneLine(err));
  }
  if (sub == "cat") return Cat(ctx);
  if (sub == "genpass") return GenPass(ctx);
  if (sub == "log") return Log(ctx);
  if (sub == "dryrun") return DryRun(ctx);
  Help(ctx);
}

}  // namespace

void RegisterAclCommands(CommandTable& t) {
  constexpr uint32_t kAdm = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kAny = kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({"acl", -2, 0, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"setuser", -3, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"getuser", 3, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"deluser", -3, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"users", 2, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"list", 2, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"whoami", 2, kAny, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"cat", -2, kAny, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"genpass", -2, kAny, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"log", -2, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"dryrun", -4, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"save", 2, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"load", 2, kAdm, 0, 0, 0, AclDispatch, "server", {}});
  t.AddSub("acl", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, AclDispatch, "server", {}});
}

}  // namespace vigil::datanode
