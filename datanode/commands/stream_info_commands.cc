// XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP with Redis 7.0's reply shapes.
#include "datanode/commands/command_table.h"
#include "datanode/commands/stream_reply.h"

namespace vigil::datanode {
namespace {

// Redis reports its rax's node count; Vigil has no rax, so it reports what a rax holding one
// 16-byte key per node would need at least (documented in KNOWN_DIFFERENCES.md).
int64_t RadixTreeNodes(const StreamValue& s) {
  return s.nodes().empty() ? 1 : int64_t(s.nodes().size()) + 1;
}

bool ReplyEdge(resp::ReplyWriter& r, const StreamValue& s, bool first) {
  const auto recs = CollectRange(s, StreamId{}, StreamId::Max(), !first, 1);
  if (recs.empty()) return false;
  ReplyRecord(r, *recs[0]);
  return true;
}

// entries-read (null when unknown) and lag (null when it cannot be computed).
void ReplyReadCounters(resp::ReplyWriter& r, const StreamValue& s, const ConsumerGroup& g) {
  r.Bulk("entries-read");
  if (g.entries_read != kInvalidEntriesRead) {
    r.Integer(g.entries_read);
  } else {
    r.Null();
  }
  r.Bulk("lag");
  int64_t lag = 0;
  if (s.Lag(g, &lag)) {
    r.Integer(lag);
  } else {
    r.Null();
  }
}

void ReplyGroupFull(CommandContext& ctx, const StreamValue& s, const std::string& name,
                    const ConsumerGroup& g, int64_t count) {
  resp::ReplyWriter& r = ctx.reply;
  r.Map(7);
  r.Bulk("name");
  r.Bulk(name);
  r.Bulk("last-delivered-id");
  ReplyId(r, g.last_id);
  ReplyReadCounters(r, s, g);
  r.Bulk("pel-count");
  r.Integer(int64_t(g.pel.size()));
  r.Bulk("pending");
  size_t n = count ? std::min<size_t>(size_t(count), g.pel.size()) : g.pel.size();
  r.Array(n);
  for (auto it = g.pel.begin(); n > 0; ++it, --n) {
    r.Array(4);
    ReplyId(r, it->first);
    r.Bulk(it->second.consumer);
    r.Integer(it->second.delivery_time);
    r.Integer(int64_t(it->second.delivery_count));
  }
  r.Bulk("consumers");
  r.Array(g.consumers.size());
  for (const auto& [cname, c] : g.consumers) {
    r.Map(4);
    r.Bulk("name");
    r.Bulk(cname);
    r.Bulk("seen-time");
    r.Integer(c.seen_time);
    r.Bulk("pel-count");
    r.Integer(int64_t(c.pel.size()));
    r.Bulk("pending");
    size_t m = count ? std::min<size_t>(size_t(count), c.pel.size()) : c.pel.size();
    r.Array(m);
    for (auto it = c.pel.begin(); m > 0; ++it, --m) {
      const PendingEntry& p = g.pel.at(*it);
      r.Array(3);
      ReplyId(r, *it);
      r.Integer(p.delivery_time);
      r.Integer(int64_t(p.delivery_count));
    }
  }
}

void InfoStream(CommandContext& ctx, const StreamValue& s) {
  bool full = false;
  int64_t count = 10;
  if (ctx.argc > 3) {
    auto syntax = [&ctx] {
      ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" + ctx.arg(1) +
                      "'. Try XINFO HELP.");
    };
    if (!ctx.ArgIs(3, "full")) return syntax();
    full = true;
    if (ctx.argc > 4) {
      if (ctx.argc != 6 || !ctx.ArgIs(4, "count")) return syntax();
      if (!ctx.GetInt(5, &count)) return;
      if (count < 0) count = 10;
    }
  }
  resp::ReplyWriter& r = ctx.reply;
  r.Map(full ? 9 : 10);
  r.Bulk("length");
  r.Integer(int64_t(s.length()));
  r.Bulk("radix-tree-keys");
  r.Integer(int64_t(s.nodes().size()));
  r.Bulk("radix-tree-nodes");
  r.Integer(RadixTreeNodes(s));
  r.Bulk("last-generated-id");
  ReplyId(r, s.last_id());
  r.Bulk("max-deleted-entry-id");
  ReplyId(r, s.max_deleted_id());
  r.Bulk("entries-added");
  r.Integer(int64_t(s.entries_added()));
  r.Bulk("recorded-first-entry-id");
  ReplyId(r, s.first_id());
  if (!full) {
    r.Bulk("groups");
    r.Integer(int64_t(s.groups().size()));
    r.Bulk("first-entry");
    if (!ReplyEdge(r, s, true)) r.Null();
    r.Bulk("last-entry");
    if (!ReplyEdge(r, s, false)) r.Null();
    return;
  }
  r.Bulk("entries");
  const auto recs = CollectRange(s, StreamId{}, StreamId::Max(), false, size_t(count));
  r.Array(recs.size());
  for (const StreamRecord* rec : recs) ReplyRecord(r, *rec);
  r.Bulk("groups");
  r.Array(s.groups().size());
  for (const auto& [name, g] : s.groups()) ReplyGroupFull(ctx, s, name, g, count);
}

void XInfoCommand(CommandContext& ctx) {
  if (ctx.ArgIs(1, "help")) {
    static const char* kHelp[] = {"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                  "CONSUMERS <key> <groupname>",
                                  "    Show consumers of <groupname>.",
                                  "GROUPS <key>",
                                  "    Show the stream consumer groups.",
                                  "STREAM <key> [FULL [COUNT <count>]",
                                  "    Show information about the stream.",
                                  "HELP",
                                  "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
    return;
  }
  const std::string& key = ctx.arg(2);
  Entry* e = nullptr;
  if (!LookupStream(ctx, key, false, &e)) return;
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  StreamValue& s = *e->stream();
  if (ctx.ArgIs(1, "stream")) return InfoStream(ctx, s);
  resp::ReplyWriter& r = ctx.reply;
  if (ctx.ArgIs(1, "groups")) {
    r.Array(s.groups().size());
    for (const auto& [name, g] : s.groups()) {
      r.Map(6);
      r.Bulk("name");
      r.Bulk(name);
      r.Bulk("consumers");
      r.Integer(int64_t(g.consumers.size()));
      r.Bulk("pending");
      r.Integer(int64_t(g.pel.size()));
      r.Bulk("last-delivered-id");
      ReplyId(r, g.last_id);
      ReplyReadCounters(r, s, g);
    }
    return;
  }
  // CONSUMERS
  const ConsumerGroup* g = s.FindGroup(ctx.arg(3));
  if (g == nullptr) {
    return r.Error("NOGROUP No such consumer group '" + ctx.arg(3) + "' for key name '" + key +
                   "'");
  }
  const int64_t now = ctx.now_ms();
  r.Array(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    r.Map(3);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("pending");
    r.Integer(int64_t(c.pel.size()));
    r.Bulk("idle");
    r.Integer(std::max<int64_t>(0, now - c.seen_time));
  }
}

}  // namespace

void RegisterStreamInfoCommands(CommandTable& t) {
  constexpr uint32_t kR = kCmdReadonly;
  const std::string g = "stream";
  t.Add({"xinfo", -2, 0, 0, 0, 0, XInfoCommand, g, {}});
  t.AddSub("xinfo", {"stream", -3, kR, 2, 2, 1, XInfoCommand, g, {}});
  t.AddSub("xinfo", {"groups", 3, kR, 2, 2, 1, XInfoCommand, g, {}});
  t.AddSub("xinfo", {"consumers", 4, kR, 2, 2, 1, XInfoCommand, g, {}});
  t.AddSub("xinfo", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, XInfoCommand, g, {}});
}

}  // namespace vigil::datanode
