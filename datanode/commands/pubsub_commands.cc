// Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and the sharded
// SSUBSCRIBE SUNSUBSCRIBE SPUBLISH (one shard: the whole node, as Redis outside cluster mode).
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// The count is of channels and patterns, or for the sharded kinds of shard channels only.
void Confirm(CommandContext& ctx, const char* kind, const std::string* channel,
             bool shard = false) {
  const size_t from = ctx.session.out.size();
  ctx.reply.Push(3);
  ctx.reply.Bulk(kind);
  channel ? ctx.reply.Bulk(*channel) : ctx.reply.Null();
  ctx.reply.Integer(
      int64_t(shard ? ctx.session.shard_channels.size() : ctx.session.global_subscription_count()));
  ctx.session.NotePush(from);
}

void SubscribeCommand(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc; ++i) {
    ctx.service.pubsub().Subscribe(&ctx.session, ctx.arg(i));
    Confirm(ctx, "subscribe", &ctx.arg(i));
  }
}

void PsubscribeCommand(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc; ++i) {
    ctx.service.pubsub().PSubscribe(&ctx.session, ctx.arg(i));
    Confirm(ctx, "psubscribe", &ctx.arg(i));
  }
}

void UnsubscribeGeneric(CommandContext& ctx, bool patterns) {
  PubSubRegistry& ps = ctx.service.pubsub();
  const char* kind = patterns ? "punsubscribe" : "unsubscribe";
  std::vector<std::string> targets;
  if (ctx.argc > 1) {
    targets.assign(ctx.argv.begin() + 1, ctx.argv.begin() + long(ctx.argc));
  } else {
    const auto& current = patterns ? ctx.session.patterns : ctx.session.channels;
    targets.assign(current.begin(), current.end());
    if (targets.empty()) return Confirm(ctx, kind, nullptr);
  }
  for (const auto& t : targets) {
    patterns ? ps.PUnsubscribe(&ctx.session, t) : ps.Unsubscribe(&ctx.session, t);
    Confirm(ctx, kind, &t);
  }
}

void SsubscribeCommand(CommandContext& ctx) {
  // A transaction or a script expects one reply per command.
  if (ctx.session.in_multi || !ctx.may_block()) {
    return ctx.reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  }
  for (size_t i = 1; i < ctx.argc; ++i) {
    ctx.service.pubsub().SSubscribe(&ctx.session, ctx.arg(i));
    Confirm(ctx, "ssubscribe", &ctx.arg(i), true);
  }
}

void SunsubscribeCommand(CommandContext& ctx) {
  PubSubRegistry& ps = ctx.service.pubsub();
  std::vector<std::string> targets;
  if (ctx.argc > 1) {
    targets.assign(ctx.argv.begin() + 1, ctx.argv.begin() + long(ctx.argc));
  } else {
    targets.assign(ctx.session.shard_channels.begin(), ctx.session.shard_channels.end());
    if (targets.empty()) return Confirm(ctx, "sunsubscribe", nullptr, true);
  }
  for (const auto& t : targets) {
    ps.SUnsubscribe(&ctx.session, t);
    Confirm(ctx, "sunsubscribe", &t, true);
  }
}

void SpublishCommand(CommandContext& ctx) {
  std::vector<Session*> woken;
  int64_t n = ctx.service.pubsub().SPublish(ctx.arg(1), ctx.arg(2), &woken);
  for (Session* s : woken) {
    if (s != &ctx.session) ctx.service.NoteWoken(s);
  }
  ctx.service.PropagateToReplicas(ctx.session, ctx.session.db,
                                  {"SPUBLISH", ctx.arg(1), ctx.arg(2)});
  ctx.reply.Integer(n);
}

void UnsubscribeCommand(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, false);
}
void PunsubscribeCommand(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, true);
}

void PublishCommand(CommandContext& ctx) {
  std::vector<Session*> woken;
  int64_t n = ctx.service.pubsub().Publish(ctx.arg(1), ctx.arg(2), &woken);
  for (Session* s : woken) {
    if (s != &ctx.session) ctx.service.NoteWoken(s);
  }
  ctx.service.PropagateToReplicas(ctx.session, ctx.session.db, {"PUBLISH", ctx.arg(1), ctx.arg(2)});
  ctx.reply.Integer(n);
}

void PubsubCommand(CommandContext& ctx) {
  std::string sub = ctx.arg(1);
  for (auto& c : sub) c = char(std::tolower(static_cast<unsigned char>(c)));
  PubSubRegistry& ps = ctx.service.pubsub();
  const bool shard = sub.rfind("shard", 0) == 0;  // SHARDCHANNELS / SHARDNUMSUB
  if (sub == "channels" || sub == "shardchannels") {
    const std::string_view pattern = ctx.argc == 3 ? std::string_view(ctx.arg(2)) : "";
    auto chans = shard ? ps.ShardChannels(pattern) : ps.Channels(pattern);
    ctx.reply.Array(chans.size());
    for (const auto& c : chans) ctx.reply.Bulk(c);
  } else if (sub == "numsub" || sub == "shardnumsub") {
    ctx.reply.Array((ctx.argc - 2) * 2);
    for (size_t i = 2; i < ctx.argc; ++i) {
      ctx.reply.Bulk(ctx.arg(i));
      ctx.reply.Integer(shard ? ps.ShardNumSub(ctx.arg(i)) : ps.NumSub(ctx.arg(i)));
    }
  } else if (sub == "numpat") {
    ctx.reply.Integer(int64_t(ps.pattern_count()));
  } else {
    static const char* kHelp[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  }
}

}  // namespace

void RegisterPubSubCommands(CommandTable& t) {
  constexpr uint32_t kPs = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({"subscribe", -2, kPs, 0, 0, 0, SubscribeCommand, "pubsub", {}});
  t.Add({"psubscribe", -2, kPs, 0, 0, 0, PsubscribeCommand, "pubsub", {}});
  t.Add({"unsubscribe", -1, kPs, 0, 0, 0, UnsubscribeCommand, "pubsub", {}});
  t.Add({"punsubscribe", -1, kPs, 0, 0, 0, PunsubscribeCommand, "pubsub", {}});
  t.Add({"ssubscribe", -2, kPs, 1, -1, 1, SsubscribeCommand, "pubsub", {}});
  t.Add({"sunsubscribe", -1, kPs, 1, -1, 1, SunsubscribeCommand, "pubsub", {}});
  t.Add({"spublish",
         3,
         kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate,
         1,
         1,
         1,
         SpublishCommand,
         "pubsub",
         {}});
  t.Add({"publish",
         3,
         kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate,
         0,
         0,
         0,
         PublishCommand,
         "pubsub",
         {}});
  t.Add({"pubsub", -2, 0, 0, 0, 0, PubsubCommand, "pubsub", {}});
  t.AddSub(
      "pubsub",
      {"channels", -2, kCmdPubSub | kCmdLoading | kCmdStale, 0, 0, 0, PubsubCommand, "pubsub", {}});
  t.AddSub(
      "pubsub",
      {"numsub", -2, kCmdPubSub | kCmdLoading | kCmdStale, 0, 0, 0, PubsubCommand, "pubsub", {}});
  t.AddSub(
      "pubsub",
      {"numpat", 2, kCmdPubSub | kCmdLoading | kCmdStale, 0, 0, 0, PubsubCommand, "pubsub", {}});
  t.AddSub("pubsub", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, PubsubCommand, "pubsub", {}});
  t.AddSub("pubsub", {"shardchannels",
                      -2,
                      kCmdPubSub | kCmdLoading | kCmdStale,
                      0,
                      0,
                      0,
                      PubsubCommand,
                      "pubsub",
                      {}});
  t.AddSub("pubsub", {"shardnumsub",
                      -2,
                      kCmdPubSub | kCmdLoading | kCmdStale,
                      0,
                      0,
                      0,
                      PubsubCommand,
                      "pubsub",
                      {}});
}

}  // namespace vigil::datanode
