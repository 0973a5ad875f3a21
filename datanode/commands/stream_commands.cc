// Stream commands on entries: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, and the
// registration of the whole stream family.
#include <memory>

#include "datanode/commands/command_table.h"
#include "datanode/commands/stream_reply.h"

namespace vigil::datanode {

void XReadCommand(CommandContext& ctx);
void XReadGroupCommand(CommandContext& ctx);
void RegisterStreamGroupCommands(CommandTable& t);
void RegisterStreamInfoCommands(CommandTable& t);

namespace {

// streamAddTrimArgs: the options XADD and XTRIM share.
struct AddTrimArgs {
  StreamTrimArgs trim;
  size_t trim_arg_idx = 0;  // the MAXLEN/MINID value, rewritten for propagation
  StreamId id;
  bool id_given = false;
  bool seq_given = true;
  bool no_mkstream = false;
};

// Parses from argv[2]; for XADD returns the index of the id, for XTRIM argc. 0 on error
// (answered).
size_t ParseAddOrTrim(CommandContext& ctx, bool xadd, AddTrimArgs* a) {
  size_t i = 2;
  bool limit_given = false;
  for (; i < ctx.argc; ++i) {
    const size_t more = ctx.argc - 1 - i;
    const std::string& opt = ctx.arg(i);
    if (xadd && opt == "*") break;
    const bool maxlen = ctx.ArgIs(i, "maxlen");
    if ((maxlen || ctx.ArgIs(i, "minid")) && more) {
      if (a->trim.strategy != StreamTrimStrategy::kNone) {
        ctx.reply.Error(
            "ERR syntax error, MAXLEN and MINID options at the same time are not "
            "compatible");
        return 0;
      }
      a->trim.approx = false;
      const std::string& next = ctx.arg(i + 1);
      if (more >= 2 && (next == "~" || next == "=")) {
        a->trim.approx = next == "~";
        ++i;
      }
      if (maxlen) {
        if (!ctx.GetInt(i + 1, &a->trim.maxlen)) return 0;
        if (a->trim.maxlen < 0) {
          ctx.reply.Error("ERR The MAXLEN argument must be >= 0.");
          return 0;
        }
        a->trim.strategy = StreamTrimStrategy::kMaxLen;
      } else {
        if (!ParseIdArg(ctx, i + 1, 0, true, &a->trim.minid)) return 0;
        a->trim.strategy = StreamTrimStrategy::kMinId;
      }
      ++i;
      a->trim_arg_idx = i;
    } else if (ctx.ArgIs(i, "limit") && more) {
      if (!ctx.GetInt(i + 1, &a->trim.limit)) return 0;
      if (a->trim.limit < 0) {
        ctx.reply.Error("ERR The LIMIT argument must be >= 0.");
        return 0;
      }
      limit_given = true;
      ++i;
    } else if (xadd && ctx.ArgIs(i, "nomkstream")) {
      a->no_mkstream = true;
    } else if (xadd) {
      if (!ParseIdArg(ctx, i, 0, true, &a->id, &a->seq_given)) return 0;
      a->id_given = true;
      break;
    } else {
      ctx.ErrSyntax();
      return 0;
    }
  }
  if (a->trim.limit && a->trim.strategy == StreamTrimStrategy::kNone) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT cannot be used without specifying a trimming "
        "strategy");
    return 0;
  }
  if (!xadd && a->trim.strategy == StreamTrimStrategy::kNone) {
    ctx.reply.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return 0;
  }
  if (ctx.session.is_master_link) {
    // Replicated and AOF commands carry exact trims already (see RewriteApproxTrim).
    a->trim.limit = 0;
  } else if (limit_given) {
    if (!a->trim.approx) {
      ctx.reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return 0;
    }
  } else if (a->trim.approx) {
    int64_t limit = 100 * ctx.config().stream_node_max_entries;
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
    a->trim.limit = limit;
  } else {
    a->trim.limit = 0;
  }
  return i;
}

// An approximate trim propagates as an exact one to what it left: `= <length>` or
// `= <first id>`, so replicas and the AOF remove the very same entries.
void RewriteApproxTrim(const AddTrimArgs& a, const StreamValue& s, std::vector<std::string>* argv) {
  if (!a.trim.approx) return;
  std::string value;
  if (a.trim.strategy == StreamTrimStrategy::kMaxLen) {
    value = std::to_string(s.length());
  } else {
    StreamId first;
    if (!s.EdgeId(true, &first)) first = StreamId::Max();
    value = first.ToString();
  }
  argv->at(a.trim_arg_idx - 1).assign(1, '=');
  argv->at(a.trim_arg_idx).swap(value);
}

void XAddCommand(CommandContext& ctx) {
  AddTrimArgs a;
  const size_t idpos = ParseAddOrTrim(ctx, true, &a);
  if (idpos == 0) return;
  const size_t field_pos = idpos + 1;
  if (ctx.argc < field_pos + 2 || (ctx.argc - field_pos) % 2 == 1) return ctx.ErrArity();
  if (a.id_given && a.seq_given && a.id.IsZero()) {
    return ctx.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
  }
  const std::string& key = ctx.arg(1);
  Entry* e = nullptr;
  if (!LookupStream(ctx, key, true, &e)) return;
  if (e == nullptr) {
    if (a.no_mkstream) return ctx.reply.Null();
    e = Entry::NewStream(key, std::make_unique<StreamValue>());
    ctx.AddKey(e);
  }
  StreamValue& s = *e->stream();
  if (s.last_id() == StreamId::Max()) {
    return ctx.reply.Error(
        "ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  StreamId id;
  bool ok = true;
  if (!a.id_given) {
    const uint64_t now = uint64_t(ctx.now_ms());
    if (now > s.last_id().ms) {
      id = StreamId{now, 0};
    } else {
      id = s.last_id();
      id.Incr();
    }
  } else if (a.seq_given) {
    id = a.id;
  } else if (s.last_id().ms == a.id.ms) {
    ok = s.last_id().seq != UINT64_MAX;
    id = s.last_id();
    id.Incr();
  } else {
    id = a.id;
  }
  if (!ok || id <= s.last_id()) {
    // A stream created just now stays (empty), as in Redis.
    ctx.KeyModified(key, 0);
    return ctx.reply.Error(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item");
  }
  std::vector<std::string> fv(ctx.argv.begin() + long(field_pos),
                              ctx.argv.begin() + long(ctx.argc));
  s.Append(id, fv, NodeLimits(ctx));
  ctx.reply.Bulk(id.ToString());
  ctx.Notify(notify::kStream, "xadd", key);
  if (a.trim.strategy != StreamTrimStrategy::kNone && s.Trim(a.trim) > 0) {
    ctx.Notify(notify::kStream, "xtrim", key);
  }
  ctx.KeyModified(key);
  std::vector<std::string> argv(ctx.argv.begin(), ctx.argv.begin() + long(ctx.argc));
  if (!a.id_given || !a.seq_given) argv[idpos] = id.ToString();
  RewriteApproxTrim(a, s, &argv);
  ctx.PropagateAs(std::move(argv));
}

void XTrimCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), true, &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  AddTrimArgs a;
  if (ParseAddOrTrim(ctx, false, &a) == 0) return;
  StreamValue& s = *e->stream();
  const int64_t removed = s.Trim(a.trim);
  if (removed > 0) ctx.Notify(notify::kStream, "xtrim", ctx.arg(1));
  ctx.reply.Integer(removed);
  if (removed == 0) return;
  ctx.KeyModified(ctx.arg(1), removed);
  std::vector<std::string> argv(ctx.argv.begin(), ctx.argv.begin() + long(ctx.argc));
  RewriteApproxTrim(a, s, &argv);
  ctx.PropagateAs(std::move(argv));
}

void XLenCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), false, &e)) return;
  ctx.reply.Integer(e == nullptr ? 0 : int64_t(e->stream()->length()));
}

void RangeGeneric(CommandContext& ctx, bool rev) {
  StreamId start, end;
  bool start_ex = false, end_ex = false;
  if (!ParseRangeBound(ctx, rev ? 3 : 2, 0, &start, &start_ex)) return;
  if (start_ex && !start.Incr()) return ctx.reply.Error("ERR invalid start ID for the interval");
  if (!ParseRangeBound(ctx, rev ? 2 : 3, UINT64_MAX, &end, &end_ex)) return;
  if (end_ex && !end.Decr()) return ctx.reply.Error("ERR invalid end ID for the interval");
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc; ++j) {
    if (ctx.ArgIs(j, "count") && j + 1 < ctx.argc) {
      if (!ctx.GetInt(++j, &count)) return;
      if (count < 0) count = 0;
    } else {
      return ctx.ErrSyntax();
    }
  }
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), false, &e)) return;
  if (e == nullptr) return ctx.reply.EmptyArray();
  if (count == 0) return ctx.reply.NullArray();
  const auto recs = CollectRange(*e->stream(), start, end, rev, count < 0 ? 0 : size_t(count));
  ctx.reply.Array(recs.size());
  for (const StreamRecord* r : recs) ReplyRecord(ctx.reply, *r);
}

void XRangeCommand(CommandContext& ctx) {
  RangeGeneric(ctx, false);
}
void XRevRangeCommand(CommandContext& ctx) {
  RangeGeneric(ctx, true);
}

void XDelCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), true, &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamId> ids(ctx.argc - 2);
  for (size_t j = 2; j < ctx.argc; ++j) {
    if (!ParseIdArg(ctx, j, 0, true, &ids[j - 2])) return;
  }
  StreamValue& s = *e->stream();
  int64_t deleted = 0;
  for (const StreamId& id : ids) {
    if (!s.Delete(id)) continue;
    if (id > s.max_deleted_id()) s.set_max_deleted_id(id);
    ++deleted;
  }
  if (deleted) {
    ctx.KeyModified(ctx.arg(1), deleted);
    ctx.Notify(notify::kStream, "xdel", ctx.arg(1));
  }
  ctx.reply.Integer(deleted);
}

void XSetIdCommand(CommandContext& ctx) {
  StreamId id, max_xdel;
  int64_t entries_added = -1;
  if (!ParseIdArg(ctx, 2, 0, true, &id)) return;
  for (size_t i = 3; i < ctx.argc;) {
    const bool more = i + 1 < ctx.argc;
    if (ctx.ArgIs(i, "entriesadded") && more) {
      if (!ctx.GetInt(i + 1, &entries_added)) return;
      if (entries_added < 0) return ctx.reply.Error("ERR entries_added must be positive");
      i += 2;
    } else if (ctx.ArgIs(i, "maxdeletedid") && more) {
      if (!ParseIdArg(ctx, i + 1, 0, true, &max_xdel)) return;
      if (id < max_xdel) {
        return ctx.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided "
            "max_deleted_entry_id");
      }
      i += 2;
    } else {
      return ctx.ErrSyntax();
    }
  }
  Entry* e = nullptr;
  if (!LookupStream(ctx, ctx.arg(1), true, &e)) return;
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  StreamValue& s = *e->stream();
  if (s.length() > 0) {
    StreamId top;
    s.EdgeId(false, &top);
    if (id < top) {
      return ctx.reply.Error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && s.length() > uint64_t(entries_added)) {
      return ctx.reply.Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  if (id < s.max_deleted_id()) {
    return ctx.reply.Error(
        "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
  }
  s.set_last_id(id);
  if (entries_added != -1) s.set_entries_added(uint64_t(entries_added));
  if (!max_xdel.IsZero()) s.set_max_deleted_id(max_xdel);
  ctx.KeyModified(ctx.arg(1));
  ctx.reply.Ok();
  ctx.Notify(notify::kStream, "xsetid", ctx.arg(1));
}

}  // namespace

void RegisterStreamCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kF = kCmdFast;
  const std::string g = "stream";
  t.Add({"xadd", -5, kW | kOom | kF, 1, 1, 1, XAddCommand, g, {}});
  t.Add({"xtrim", -4, kW, 1, 1, 1, XTrimCommand, g, {}});
  t.Add({"xlen", 2, kR | kF, 1, 1, 1, XLenCommand, g, {}});
  t.Add({"xrange", -4, kR, 1, 1, 1, XRangeCommand, g, {}});
  t.Add({"xrevrange", -4, kR, 1, 1, 1, XRevRangeCommand, g, {}});
  t.Add({"xdel", -3, kW | kF, 1, 1, 1, XDelCommand, g, {}});
  t.Add({"xsetid", -3, kW | kOom, 1, 1, 1, XSetIdCommand, g, {}});
  t.Add({"xread", -4, kR | kCmdBlocking, 0, 0, 0, XReadCommand, g, {}});
  t.Add({"xreadgroup", -7, kW | kCmdBlocking, 0, 0, 0, XReadGroupCommand, g, {}});
  RegisterStreamGroupCommands(t);
  RegisterStreamInfoCommands(t);
}

}  // namespace vigil::datanode
