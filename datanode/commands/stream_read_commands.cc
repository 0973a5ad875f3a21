// XREAD and XREADGROUP (xreadCommand in Redis): synchronous reads, blocking on stream keys
// through the shared KeyWaiters machinery, and the propagation of group reads as XCLAIM /
// XGROUP SETID / XGROUP CREATECONSUMER.
#include "datanode/commands/command_table.h"
#include "datanode/commands/stream_reply.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr int64_t kBlockedDefaultCount = 1000;  // XREAD_BLOCKED_DEFAULT_COUNT

struct ReadArgs {
  int64_t timeout_ms = -1;  // -1: no BLOCK
  int64_t count = 0;
  size_t streams_arg = 0;
  size_t streams_count = 0;
  bool noack = false;
  size_t group_idx = 0;  // argv index of the group name (consumer follows), 0 = none
};

bool ParseReadArgs(CommandContext& ctx, bool group_form, ReadArgs* a) {
  for (size_t i = 1; i < ctx.argc; ++i) {
    const size_t more = ctx.argc - i - 1;
    if (ctx.ArgIs(i, "block") && more) {
      const ScriptRun* run = ctx.service.script_run();
      if (run != nullptr && run->client == &ctx.session) {
        // Redis refuses BLOCK from scripts outright (it could never block there).
        ctx.reply.Error("ERR " + ctx.arg(0) +
                        " command is not allowed with BLOCK option from scripts");
        return false;
      }
      ++i;
      int64_t t = 0;
      if (!ParseInt64Strict(ctx.arg(i), &t)) {
        ctx.reply.Error("ERR timeout is not an integer or out of range");
        return false;
      }
      if (t < 0) {
        ctx.reply.Error("ERR timeout is negative");
        return false;
      }
      a->timeout_ms = t;
    } else if (ctx.ArgIs(i, "count") && more) {
      if (!ctx.GetInt(++i, &a->count)) return false;
      if (a->count < 0) a->count = 0;
    } else if (ctx.ArgIs(i, "streams") && more) {
      a->streams_arg = i + 1;
      const size_t n = ctx.argc - a->streams_arg;
      if (n % 2 != 0) {
        ctx.reply.Error(std::string("ERR Unbalanced '") + (group_form ? "xreadgroup" : "xread") +
                        "' list of streams: for each stream key an ID or '" +
                        (group_form ? ">" : "$") + "' must be specified.");
        return false;
      }
      a->streams_count = n / 2;
      break;
    } else if (ctx.ArgIs(i, "group") && more >= 2) {
      if (!group_form) {
        ctx.reply.Error(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->group_idx = i + 1;
      i += 2;
    } else if (ctx.ArgIs(i, "noack")) {
      if (!group_form) {
        ctx.reply.Error(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->noack = true;
    } else {
      ctx.ErrSyntax();
      return false;
    }
  }
  if (a->streams_arg == 0) {
    ctx.ErrSyntax();
    return false;
  }
  if (group_form && a->group_idx == 0) {
    ctx.reply.Error("ERR Missing GROUP option for XREADGROUP");
    return false;
  }
  return true;
}

void ReadGeneric(CommandContext& ctx, bool group_form) {
  ReadArgs a;
  if (!ParseReadArgs(ctx, group_form, &a)) return;
  const bool serving = !ctx.session.serving_key.empty();
  const std::string group_name = a.group_idx ? ctx.arg(a.group_idx) : std::string();
  const std::string consumer_name = a.group_idx ? ctx.arg(a.group_idx + 1) : std::string();
  const size_t n = a.streams_count;
  std::vector<StreamId> ids(n);
  std::vector<bool> new_only(n, false);  // XREADGROUP '>'
  std::vector<Entry*> entries(n, nullptr);
  for (size_t k = 0; k < n; ++k) {
    const std::string& key = ctx.arg(a.streams_arg + k);
    const size_t id_arg = a.streams_arg + n + k;
    Entry* e = ctx.LookupRead(key);
    if (!ctx.CheckType(e, ObjType::kStream)) return;
    entries[k] = e;
    if (group_form && (e == nullptr || e->stream()->FindGroup(group_name) == nullptr)) {
      if (serving && key == ctx.session.serving_key) {
        return ctx.reply.Error(
            "NOGROUP the consumer group this client was blocked on no longer exists");
      }
      return ctx.reply.Error("NOGROUP No such key '" + key + "' or consumer group '" + group_name +
                             "' in XREADGROUP with GROUP option");
    }
    const std::string& arg = ctx.arg(id_arg);
    if (arg == "$") {
      if (group_form) {
        return ctx.reply.Error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
      }
      ids[k] = e ? e->stream()->last_id() : StreamId{};
      continue;
    }
    if (arg == ">") {
      if (!group_form) {
        return ctx.reply.Error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            "<group> <consumer> option.");
      }
      new_only[k] = true;
      continue;
    }
    if (!ParseIdArg(ctx, id_arg, 0, true, &ids[k])) return;
  }

  int64_t count = a.count;
  if (serving && count == 0) count = kBlockedDefaultCount;
  // Serve synchronously every stream that has something to give: judged by its last entry
  // that still exists, not last_id (deleted entries would give an empty answer, as Redis 7.0's
  // streamLastValidID avoids).
  std::vector<size_t> ready;
  for (size_t k = 0; k < n; ++k) {
    const std::string& key = ctx.arg(a.streams_arg + k);
    if (entries[k] == nullptr || ctx.SkipWhileServing(key)) continue;
    const StreamValue& s = *entries[k]->stream();
    StreamId last_valid;
    const bool has_entries = s.length() > 0 && s.EdgeId(/*first=*/false, &last_valid);
    if (group_form && !new_only[k]) {
      ready.push_back(k);
    } else if (group_form) {
      if (has_entries && last_valid > s.groups().at(group_name).last_id) ready.push_back(k);
    } else if (has_entries && last_valid > ids[k]) {
      ready.push_back(k);
    }
  }
  if (!ready.empty()) {
    if (ctx.session.proto >= 3) {
      ctx.reply.Map(ready.size());
    } else {
      ctx.reply.Array(ready.size());
    }
    for (size_t k : ready) {
      const std::string& key = ctx.arg(a.streams_arg + k);
      StreamValue& s = *entries[k]->stream();
      if (ctx.session.proto < 3) ctx.reply.Array(2);
      ctx.reply.Bulk(key);
      if (!group_form) {
        StreamId start = ids[k];
        start.Incr();
        const auto recs = CollectRange(s, start, StreamId::Max(), false, size_t(count));
        ctx.reply.Array(recs.size());
        for (const StreamRecord* r : recs) ReplyRecord(ctx.reply, *r);
        continue;
      }
      ConsumerGroup& g = s.groups().at(group_name);
      bool created = false;
      StreamConsumer& c = g.LookupConsumer(consumer_name, ctx.now_ms(), &created);
      if (created) ctx.Notify(notify::kStream, "xgroup-createconsumer", key);
      if (created && a.noack) {
        ctx.PropagateAs({"XGROUP", "CREATECONSUMER", key, group_name, consumer_name});
      }
      if (new_only[k]) {
        DeliverNewEntries(ctx, key, s, group_name, g, consumer_name, size_t(count), a.noack);
      } else {
        StreamId start = ids[k];
        start.Incr();
        ReplyConsumerHistory(ctx, s, g, c, start, size_t(count));
      }
      ctx.KeyModifiedIn(ctx.session.db, key, 1);
    }
    if (group_form && ctx.rewritten().empty()) ctx.NoPropagate();
    return;
  }
  if (a.timeout_ms < 0 || !ctx.may_block()) {
    ctx.NoPropagate();
    return ctx.reply.NullArray();
  }
  std::vector<std::string> keys;
  for (size_t k = 0; k < n; ++k) keys.push_back(ctx.arg(a.streams_arg + k));
  ctx.BlockOnKeys(keys, a.timeout_ms, ObjType::kStream);
  // '$' means "after what is there now": remember the ids it resolved to.
  for (size_t k = 0; k < n; ++k) {
    if (!group_form) ctx.session.block.argv[a.streams_arg + n + k] = ids[k].ToString();
  }
}

}  // namespace

void XReadCommand(CommandContext& ctx) {
  ReadGeneric(ctx, false);
}

void XReadGroupCommand(CommandContext& ctx) {
  ReadGeneric(ctx, true);
}

}  // namespace vigil::datanode
