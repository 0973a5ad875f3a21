// Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER), XACK,
// XPENDING, XCLAIM, XAUTOCLAIM. Claims propagate as the idempotent XCLAIM form Redis emits.
#include <algorithm>
#include <climits>
#include <memory>

#include "datanode/commands/command_table.h"
#include "datanode/commands/stream_reply.h"

namespace vigil::datanode {
namespace {

void SubcommandSyntaxError(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" + ctx.arg(1) +
                  "'. Try XGROUP HELP.");
}

void XGroupCommand(CommandContext& ctx) {
  const std::string op = config::Lower(ctx.arg(1));
  if (op == "help") {
    static const char* kHelp[] = {"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                  "CREATE <key> <groupname> <id|$> [option]",
                                  "    Create a new consumer group. Options are:",
                                  "    * MKSTREAM",
                                  "      Create the empty stream if it does not exist.",
                                  "    * ENTRIESREAD entries_read",
                                  "      Set the group's entries_read counter (internal use).",
                                  "CREATECONSUMER <key> <groupname> <consumer>",
                                  "    Create a new consumer in the specified group.",
                                  "DELCONSUMER <key> <groupname> <consumer>",
                                  "    Remove the specified consumer.",
                                  "DESTROY <key> <groupname>",
                                  "    Remove the specified group.",
                                  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                                  "    Set the current group ID and entries_read counter.",
                                  "HELP",
                                  "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
    return;
  }
  const bool create = op == "create";
  bool mkstream = false;
  int64_t entries_read = kInvalidEntriesRead;
  if (create || op == "setid") {
    for (size_t i = 5; i < ctx.argc;) {
      if (create && ctx.ArgIs(i, "mkstream")) {
        mkstream = true;
        ++i;
      } else if (ctx.ArgIs(i, "entriesread") && i + 1 < ctx.argc) {
        if (!ctx.GetInt(i + 1, &entries_read)) return;
        if (entries_read < 0 && entries_read != kInvalidEntriesRead) {
          return ctx.reply.Error("ERR value for ENTRIESREAD must be positive or -1");
        }
        i += 2;
      } else {
        return SubcommandSyntaxError(ctx);
      }
    }
  }
  const std::string& key = ctx.arg(2);
  const std::string& name = ctx.arg(3);
  Entry* e = nullptr;
  if (!LookupStream(ctx, key, true, &e)) return;
  StreamValue* s = e ? e->stream() : nullptr;
  ConsumerGroup* g = nullptr;
  if (!mkstream) {
    if (s == nullptr) {
      return ctx.reply.Error(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
          "want to use the MKSTREAM option to create an empty stream automatically.");
    }
    g = s->FindGroup(name);
    if (g == nullptr && (op == "setid" || op == "createconsumer" || op == "delconsumer")) {
      return ctx.reply.Error("NOGROUP No such consumer group '" + name + "' for key name '" + key +
                             "'");
    }
  }
  if (create && ctx.argc <= 8) {
    StreamId id;
    if (ctx.arg(4) == "$") {
      id = s ? s->last_id() : StreamId{};
    } else if (!ParseIdArg(ctx, 4, 0, true, &id)) {
      return;
    }
    if (s == nullptr) {
      e = Entry::NewStream(key, std::make_unique<StreamValue>());
      ctx.AddKey(e);
      s = e->stream();
      ctx.KeyModified(key, 0);
    }
    auto [it, inserted] = s->groups().try_emplace(name);
    if (!inserted) return ctx.reply.Error("BUSYGROUP Consumer Group name already exists");
    it->second.last_id = id;
    it->second.entries_read = entries_read;
    ctx.KeyModified(key);
    ctx.reply.Ok();
    return ctx.Notify(notify::kStream, "xgroup-create", key);
  }
  if (op == "setid" && (ctx.argc == 5 || ctx.argc == 7)) {
    StreamId id;
    if (ctx.arg(4) == "$") {
      id = s->last_id();
    } else if (!ParseIdArg(ctx, 4, 0, false, &id)) {
      return;
    }
    g->last_id = id;
    g->entries_read = entries_read;
    ctx.KeyModified(key);
    ctx.reply.Ok();
    return ctx.Notify(notify::kStream, "xgroup-setid", key);
  }
  if (op == "destroy" && ctx.argc == 4) {
    if (g == nullptr) return ctx.reply.Integer(0);
    s->groups().erase(name);
    // Clients blocked in XREADGROUP on it wake up to -NOGROUP.
    ctx.KeyModified(key);
    ctx.reply.Integer(1);
    return ctx.Notify(notify::kStream, "xgroup-destroy", key);
  }
  if (op == "createconsumer" && ctx.argc == 5) {
    bool created = false;
    if (g->consumers.count(ctx.arg(4)) == 0) {
      g->LookupConsumer(ctx.arg(4), ctx.now_ms(), &created);
      ctx.KeyModified(key);
      ctx.Notify(notify::kStream, "xgroup-createconsumer", key);
    }
    return ctx.reply.Integer(created ? 1 : 0);
  }
  if (op == "delconsumer" && ctx.argc == 5) {
    // Only an existing consumer is a change (dirty, propagation, notification), as in Redis.
    if (g->consumers.count(ctx.arg(4)) == 0) return ctx.reply.Integer(0);
    const uint64_t pending = g->DeleteConsumer(ctx.arg(4));
    ctx.KeyModified(key);
    ctx.Notify(notify::kStream, "xgroup-delconsumer", key);
    return ctx.reply.Integer(int64_t(pending));
  }
  SubcommandSyntaxError(ctx);
}

void XAckCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), false, &e)) return;
  ConsumerGroup* g = e ? e->stream()->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamId> ids(ctx.argc - 3);
  for (size_t j = 3; j < ctx.argc; ++j) {
    if (!ParseIdArg(ctx, j, 0, true, &ids[j - 3])) return;
  }
  int64_t acked = 0;
  for (const StreamId& id : ids) acked += g->Ack(id) ? 1 : 0;
  if (acked) ctx.KeyModified(ctx.arg(1), acked);
  ctx.reply.Integer(acked);
}

void XPendingCommand(CommandContext& ctx) {
  const bool summary = ctx.argc == 3;
  if (ctx.argc != 3 && (ctx.argc < 6 || ctx.argc > 9)) return ctx.ErrSyntax();
  StreamId start, end;
  int64_t count = 0, min_idle = 0;
  size_t consumer_idx = 0;
  if (ctx.argc >= 6) {
    size_t si = 3;
    if (ctx.ArgIs(3, "idle")) {
      if (!ctx.GetInt(4, &min_idle)) return;
      if (ctx.argc < 8) return ctx.ErrSyntax();
      si += 2;
    }
    if (!ctx.GetInt(si + 2, &count)) return;
    if (count < 0) count = 0;
    bool ex = false;
    if (!ParseRangeBound(ctx, si, 0, &start, &ex)) return;
    if (ex && !start.Incr()) return ctx.reply.Error("ERR invalid start ID for the interval");
    if (!ParseRangeBound(ctx, si + 1, UINT64_MAX, &end, &ex)) return;
    if (ex && !end.Decr()) return ctx.reply.Error("ERR invalid end ID for the interval");
    if (si + 3 < ctx.argc) consumer_idx = si + 3;
  }
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), false, &e)) return;
  ConsumerGroup* g = e ? e->stream()->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) {
    return ctx.reply.Error("NOGROUP No such key '" + ctx.arg(1) + "' or consumer group '" +
                           ctx.arg(2) + "'");
  }
  if (summary) {
    ctx.reply.Array(4);
    ctx.reply.Integer(int64_t(g->pel.size()));
    if (g->pel.empty()) {
      ctx.reply.Null();
      ctx.reply.Null();
      ctx.reply.NullArray();
      return;
    }
    ReplyId(ctx.reply, g->pel.begin()->first);
    ReplyId(ctx.reply, g->pel.rbegin()->first);
    size_t n = 0;
    for (const auto& [name, c] : g->consumers) n += c.pel.empty() ? 0 : 1;
    ctx.reply.Array(n);
    for (const auto& [name, c] : g->consumers) {
      if (c.pel.empty()) continue;
      ctx.reply.Array(2);
      ctx.reply.Bulk(name);
      ctx.reply.BulkInt(int64_t(c.pel.size()));
    }
    return;
  }
  const StreamConsumer* consumer = nullptr;
  if (consumer_idx) {
    auto it = g->consumers.find(ctx.arg(consumer_idx));
    if (it == g->consumers.end()) return ctx.reply.EmptyArray();
    consumer = &it->second;
  }
  const int64_t now = ctx.now_ms();
  std::vector<std::pair<StreamId, const PendingEntry*>> out;
  for (auto it = g->pel.lower_bound(start); count > 0 && it != g->pel.end() && it->first <= end;
       ++it) {
    if (consumer != nullptr && it->second.consumer != ctx.arg(consumer_idx)) continue;
    if (min_idle && now - it->second.delivery_time < min_idle) continue;
    out.emplace_back(it->first, &it->second);
    --count;
  }
  ctx.reply.Array(out.size());
  for (const auto& [id, p] : out) {
    ctx.reply.Array(4);
    ReplyId(ctx.reply, id);
    ctx.reply.Bulk(p->consumer);
    ctx.reply.Integer(std::max<int64_t>(0, now - p->delivery_time));
    ctx.reply.Integer(int64_t(p->delivery_count));
  }
}

// Looks up key and group for XCLAIM/XAUTOCLAIM; answers NOGROUP when either is missing.
bool ClaimTarget(CommandContext& ctx, Entry** e, ConsumerGroup** g) {
  if (!LookupStream(ctx, ctx.arg(1), false, e)) return false;
  *g = *e ? (*e)->stream()->FindGroup(ctx.arg(2)) : nullptr;
  if (*g != nullptr) return true;
  ctx.reply.Error("NOGROUP No such key '" + ctx.arg(1) + "' or consumer group '" + ctx.arg(2) +
                  "'");
  return false;
}

using Claimed = std::vector<std::pair<StreamId, const StreamRecord*>>;

// The claimed entries, or only their ids with JUSTID.
// `created_for`: the key whose consumer the claim created. Redis notifies that while it claims,
// after the array's (deferred) header, so a RESP3 client watching its own events gets the push
// inside the array.
void ReplyClaimed(CommandContext& ctx, const Claimed& claimed, bool justid,
                  const std::string* created_for) {
  ctx.reply.Array(claimed.size());
  if (created_for != nullptr) {
    ctx.Notify(notify::kStream, "xgroup-createconsumer", *created_for);
  }
  for (const auto& [id, rec] : claimed) {
    if (justid) {
      ReplyId(ctx.reply, id);
    } else {
      ReplyRecord(ctx.reply, *rec);
    }
  }
}

bool GetIntOr(CommandContext& ctx, size_t i, const char* err, int64_t* out) {
  if (ParseInt64Strict(ctx.arg(i), out)) return true;
  ctx.reply.Error(std::string("ERR ") + err);
  return false;
}

void XClaimCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  ConsumerGroup* g = nullptr;
  if (!ClaimTarget(ctx, &e, &g)) return;
  int64_t min_idle = 0, retrycount = -1, delivery = -1;
  if (!GetIntOr(ctx, 4, "Invalid min-idle-time argument for XCLAIM", &min_idle)) return;
  if (min_idle < 0) min_idle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < ctx.argc; ++j) {
    StreamId id;
    if (!ParseStreamId(ctx.arg(j), 0, true, &id)) break;
    ids.push_back(id);
  }
  const int64_t now = ctx.now_ms();
  bool force = false, justid = false, propagate_last_id = false;
  StreamId last_id;
  for (; j < ctx.argc; ++j) {
    const bool more = j + 1 < ctx.argc;
    if (ctx.ArgIs(j, "force")) {
      force = true;
    } else if (ctx.ArgIs(j, "justid")) {
      justid = true;
    } else if (ctx.ArgIs(j, "idle") && more) {
      if (!GetIntOr(ctx, ++j, "Invalid IDLE option argument for XCLAIM", &delivery)) return;
      delivery = now - delivery;
    } else if (ctx.ArgIs(j, "time") && more) {
      if (!GetIntOr(ctx, ++j, "Invalid TIME option argument for XCLAIM", &delivery)) return;
    } else if (ctx.ArgIs(j, "retrycount") && more) {
      if (!GetIntOr(ctx, ++j, "Invalid RETRYCOUNT option argument for XCLAIM", &retrycount)) {
        return;
      }
    } else if (ctx.ArgIs(j, "lastid") && more) {
      if (!ParseIdArg(ctx, ++j, 0, true, &last_id)) return;
    } else {
      return ctx.reply.Error("ERR Unrecognized XCLAIM option '" + ctx.arg(j) + "'");
    }
  }
  if (last_id > g->last_id) {
    g->last_id = last_id;
    propagate_last_id = true;
  }
  if (delivery == -1 || delivery < 0 || delivery > now) delivery = now;
  StreamValue& s = *e->stream();
  const std::string& key = ctx.arg(1);
  const std::string& group = ctx.arg(2);
  const std::string& consumer = ctx.arg(3);
  bool consumer_seen = false, consumer_created = false;
  Claimed claimed;
  int64_t changes = 0;
  for (const StreamId& id : ids) {
    auto nack = g->pel.find(id);
    const StreamRecord* rec = s.Find(id);
    if (rec == nullptr) {
      // The entry is gone: drop it from the PEL, and tell replicas the same way.
      if (nack != g->pel.end()) {
        ctx.PropagateAs(XClaimPropagation(key, group, id, nack->second, g->last_id));
        propagate_last_id = false;
        ++changes;
        g->Ack(id);
      }
      continue;
    }
    if (force && nack == g->pel.end()) {
      nack = g->pel.emplace(id, PendingEntry{now, 1, std::string()}).first;
    }
    if (nack == g->pel.end()) continue;
    PendingEntry& p = nack->second;
    if (!p.consumer.empty() && min_idle && now - p.delivery_time < min_idle) continue;
    if (!consumer_seen) {
      g->LookupConsumer(consumer, now, &consumer_created);
      consumer_seen = true;
    }
    g->Reassign(id, p, consumer);
    p.delivery_time = delivery;
    if (retrycount >= 0) {
      p.delivery_count = uint64_t(retrycount);
    } else if (!justid) {
      p.delivery_count++;
    }
    claimed.emplace_back(id, rec);
    ctx.PropagateAs(XClaimPropagation(key, group, id, p, g->last_id));
    propagate_last_id = false;
    ++changes;
  }
  if (propagate_last_id) {
    ctx.PropagateAs(SetIdPropagation(key, group, *g));
    ++changes;
  }
  ReplyClaimed(ctx, claimed, justid, consumer_created ? &key : nullptr);
  if (changes) {
    ctx.KeyModified(key, changes);
  } else {
    ctx.NoPropagate();
  }
}

void XAutoClaimCommand(CommandContext& ctx) {
  int64_t min_idle = 0, count = 100;
  if (!GetIntOr(ctx, 4, "Invalid min-idle-time argument for XAUTOCLAIM", &min_idle)) return;
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  bool ex = false;
  if (!ParseRangeBound(ctx, 5, 0, &start, &ex)) return;
  if (ex && !start.Incr()) return ctx.reply.Error("ERR invalid start ID for the interval");
  bool justid = false;
  for (size_t j = 6; j < ctx.argc; ++j) {
    if (ctx.ArgIs(j, "count") && j + 1 < ctx.argc) {
      const int64_t max_count = LONG_MAX / 16;
      if (!ParseInt64Strict(ctx.arg(j + 1), &count) || count < 1 || count > max_count) {
        return ctx.reply.Error("ERR COUNT must be > 0");
      }
      ++j;
    } else if (ctx.ArgIs(j, "justid")) {
      justid = true;
    } else {
      return ctx.ErrSyntax();
    }
  }
  Entry* e = nullptr;
  ConsumerGroup* g = nullptr;
  if (!ClaimTarget(ctx, &e, &g)) return;
  StreamValue& s = *e->stream();
  const std::string& key = ctx.arg(1);
  const std::string& group = ctx.arg(2);
  const std::string& consumer = ctx.arg(3);
  const int64_t now = ctx.now_ms();
  int64_t attempts = count * 10;
  bool consumer_seen = false, consumer_created = false;
  Claimed claimed;
  std::vector<StreamId> deleted;
  auto it = g->pel.lower_bound(start);
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    const StreamId id = it->first;
    PendingEntry& p = it->second;
    const StreamRecord* rec = s.Find(id);
    if (rec == nullptr) {
      ctx.PropagateAs(XClaimPropagation(key, group, id, p, g->last_id));
      ++it;
      g->Ack(id);
      deleted.push_back(id);
      --count;
      continue;
    }
    ++it;
    if (min_idle && now - p.delivery_time < min_idle) continue;
    if (!consumer_seen) {
      g->LookupConsumer(consumer, now, &consumer_created);
      consumer_seen = true;
    }
    g->Reassign(id, p, consumer);
    p.delivery_time = now;
    if (!justid) p.delivery_count++;
    claimed.emplace_back(id, rec);
    --count;
    ctx.PropagateAs(XClaimPropagation(key, group, id, p, g->last_id));
  }
  const StreamId next = it == g->pel.end() ? StreamId{} : it->first;
  ctx.reply.Array(3);
  ReplyId(ctx.reply, next);
  ReplyClaimed(ctx, claimed, justid, consumer_created ? &key : nullptr);
  ctx.reply.Array(deleted.size());
  for (const StreamId& id : deleted) ReplyId(ctx.reply, id);
  if (!ctx.rewritten().empty()) {
    ctx.KeyModified(key, int64_t(ctx.rewritten().size()));
  } else {
    ctx.NoPropagate();
  }
}

}  // namespace

void RegisterStreamGroupCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kOom = kCmdDenyOom, kF = kCmdFast, kR = kCmdReadonly;
  const std::string g = "stream";
  t.Add({"xgroup", -2, 0, 0, 0, 0, XGroupCommand, g, {}});
  t.AddSub("xgroup", {"create", -5, kW | kOom, 2, 2, 1, XGroupCommand, g, {}});
  t.AddSub("xgroup", {"setid", -5, kW, 2, 2, 1, XGroupCommand, g, {}});
  t.AddSub("xgroup", {"destroy", 4, kW, 2, 2, 1, XGroupCommand, g, {}});
  t.AddSub("xgroup", {"createconsumer", 5, kW | kOom, 2, 2, 1, XGroupCommand, g, {}});
  t.AddSub("xgroup", {"delconsumer", 5, kW, 2, 2, 1, XGroupCommand, g, {}});
  t.AddSub("xgroup", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, XGroupCommand, g, {}});
  t.Add({"xack", -4, kW | kF, 1, 1, 1, XAckCommand, g, {}});
  t.Add({"xpending", -3, kR, 1, 1, 1, XPendingCommand, g, {}});
  t.Add({"xclaim", -6, kW | kF, 1, 1, 1, XClaimCommand, g, {}});
  t.Add({"xautoclaim", -6, kW | kF, 1, 1, 1, XAutoClaimCommand, g, {}});
}

}  // namespace vigil::datanode
