// CONFIG GET / SET / REWRITE / RESETSTAT / HELP.
#include <set>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void ConfigGet(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.argv.begin() + 2, ctx.argv.begin() + long(ctx.argc));
  auto pairs = ctx.service.options().Get(patterns);
  ctx.reply.Map(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// Redis's checks before any value is set, the first failing argument deciding: an unknown
// name, an immutable or protected setting, one that cannot change while the dataset loads
// (-LOADING), a duplicate. "" when all pass.
std::string ConfigSetRefusal(CommandContext& ctx) {
  using F = config::OptionRegistry;
  config::OptionRegistry& reg = ctx.service.options();
  const int protected_mode = ctx.service.config().enable_protected_configs;
  const bool protected_ok =
      protected_mode == 1 || (protected_mode == 2 && ctx.service.IsLocalClient(ctx.session));
  std::set<std::string> seen;
  for (size_t i = 2; i < ctx.argc; i += 2) {
    const auto* opt = reg.Find(ctx.arg(i));
    const std::string failed =
        "ERR CONFIG SET failed (possibly related to argument '" + ctx.arg(i) + "') - ";
    if (opt == nullptr) {
      return "ERR Unknown option or number of arguments for CONFIG SET - '" + ctx.arg(i) + "'";
    }
    if (opt->flags & F::kImmutable) return failed + "can't set immutable config";
    if ((opt->flags & F::kProtected) && !protected_ok) return failed + "can't set protected config";
    if ((opt->flags & F::kDenyLoading) && ctx.service.loading()) {
      return "LOADING Redis is loading the dataset in memory";
    }
    if (!seen.insert(opt->name).second) return failed + "duplicate parameter";
  }
  return "";
}

void ConfigSet(CommandContext& ctx) {
  if (ctx.argc % 2 != 0) return ctx.ErrArity();
  config::OptionRegistry& reg = ctx.service.options();
  const std::string refusal = ConfigSetRefusal(ctx);
  if (!refusal.empty()) return ctx.reply.Error(refusal);
  // All or nothing, as Redis 7.0: remember the old values and restore them on any failure.
  std::vector<std::pair<std::string, std::string>> previous;
  for (size_t i = 2; i < ctx.argc; i += 2) {
    const auto* opt = reg.Find(ctx.arg(i));
    std::string old = opt && opt->get ? opt->get() : "";
    Status st = reg.SetFromClient(ctx.arg(i), ctx.arg(i + 1));
    if (!st.ok()) {
      for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
        (void)reg.SetFromClient(it->first, it->second);
      }
      return ctx.reply.Error(st.message());
    }
    previous.emplace_back(ctx.arg(i), old);
  }
  ctx.service.ApplyConfig();
  if (ServerHooks* hooks = ctx.service.hooks()) {
    for (size_t i = 0; i < previous.size(); ++i) {
      const auto& p = previous[i];
      const std::string& name = reg.Find(p.first)->name;
      Status st = hooks->ApplyConfig(name);
      if (st.ok()) continue;
      for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
        (void)reg.SetFromClient(it->first, it->second);
      }
      // What was applied before the failure is applied again with the old values (Redis's
      // restoreBackupConfig): an oom_score_adj already written goes back too.
      for (size_t j = 0; j < i; ++j) (void)hooks->ApplyConfig(reg.Find(previous[j].first)->name);
      ctx.service.ApplyConfig();
      return ctx.reply.Error("ERR CONFIG SET failed (possibly related to argument '" + p.first +
                             "') - " + st.message());
    }
    for (const auto& p : previous) hooks->OnConfigChanged(reg.Find(p.first)->name);
  }
  ctx.reply.Ok();
}

void ConfigRewrite(CommandContext& ctx) {
  ServerHooks* hooks = ctx.service.hooks();
  if (hooks == nullptr) return ctx.reply.Error("ERR The server is running without a config file");
  Status st = hooks->RewriteConfig();
  if (!st.ok()) return ctx.reply.Error(st.message());
  ctx.reply.Ok();
}

void ConfigResetstat(CommandContext& ctx) {
  ServerStats& stats = ctx.service.stats();
  // Zero in place: commands cache pointers to their commandstats entries.
  ServerStats fresh;
  fresh.start_ms = stats.start_ms;
  fresh.commandstats = std::move(stats.commandstats);
  for (auto& [name, st] : fresh.commandstats) st = CommandStat{};
  stats = std::move(fresh);
  ctx.keyspace().hits = ctx.keyspace().misses = 0;
  ctx.keyspace().expired_keys = ctx.keyspace().evicted_keys = 0;
  if (LazyFreer* freer = ctx.keyspace().lazy_free().freer) freer->ResetFreedCount();
  ctx.reply.Ok();
}

void ConfigCommand(CommandContext& ctx) {
  std::string sub = config::Lower(ctx.arg(1));
  if (sub == "get") return ConfigGet(ctx);
  if (sub == "set") return ConfigSet(ctx);
  if (sub == "rewrite") return ConfigRewrite(ctx);
  if (sub == "resetstat") return ConfigResetstat(ctx);
  static const char* kHelp[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help."};
  ctx.reply.Array(std::size(kHelp));
  for (const char* l : kHelp) ctx.reply.Simple(l);
}

}  // namespace

void RegisterConfigCommands(CommandTable& t) {
  constexpr uint32_t kAdm = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({"config", -2, 0, 0, 0, 0, ConfigCommand, "server", {}});
  t.AddSub("config", {"get", -3, kAdm, 0, 0, 0, ConfigCommand, "server", {}});
  t.AddSub("config", {"set", -4, kAdm | kCmdMayReplicate, 0, 0, 0, ConfigCommand, "server", {}});
  t.AddSub("config", {"rewrite", 2, kAdm, 0, 0, 0, ConfigCommand, "server", {}});
  t.AddSub("config", {"resetstat", 2, kAdm, 0, 0, 0, ConfigCommand, "server", {}});
  t.AddSub("config", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, ConfigCommand, "server", {}});
}

}  // namespace vigil::datanode
