#include "datanode/commands/stream_reply.h"

namespace vigil::datanode {

bool LookupStream(CommandContext& ctx, std::string_view key, bool write, Entry** out) {
  Entry* e = write ? ctx.LookupWrite(key) : ctx.LookupRead(key);
  if (!ctx.CheckType(e, ObjType::kStream)) return false;
  *out = e;
  return true;
}

bool ParseIdArg(CommandContext& ctx, size_t i, uint64_t missing_seq, bool strict, StreamId* out,
                bool* seq_given) {
  if (ParseStreamId(ctx.arg(i), missing_seq, strict, out, seq_given)) return true;
  ctx.reply.Error(kErrInvalidStreamId);
  return false;
}

bool ParseRangeBound(CommandContext& ctx, size_t i, uint64_t missing_seq, StreamId* out,
                     bool* exclusive) {
  const std::string& a = ctx.arg(i);
  *exclusive = a.size() > 1 && a[0] == '(';
  bool ok = *exclusive ? ParseStreamId(std::string_view(a).substr(1), missing_seq, true, out)
                       : ParseStreamId(a, missing_seq, false, out);
  if (!ok) ctx.reply.Error(kErrInvalidStreamId);
  return ok;
}

StreamNodeLimits NodeLimits(const CommandContext& ctx) {
  StreamNodeLimits l;
  l.max_bytes = size_t(ctx.config().stream_node_max_bytes);
  l.max_entries = ctx.config().stream_node_max_entries;
  return l;
}

std::vector<const StreamRecord*> CollectRange(const StreamValue& s, const StreamId& start,
                                              const StreamId& end, bool rev, size_t count) {
  std::vector<const StreamRecord*> recs;
  s.ForEachInRange(start, end, rev, [&](const StreamRecord& r) {
    recs.push_back(&r);
    return count == 0 || recs.size() < count;
  });
  return recs;
}

void ReplyId(resp::ReplyWriter& r, const StreamId& id) {
  r.Bulk(id.ToString());
}

void ReplyRecord(resp::ReplyWriter& r, const StreamRecord& rec) {
  r.Array(2);
  ReplyId(r, rec.id);
  r.Array(rec.fields_values.size());
  for (const auto& s : rec.fields_values) r.Bulk(s);
}

std::vector<std::string> XClaimPropagation(std::string_view key, std::string_view group,
                                           const StreamId& id, const PendingEntry& p,
                                           const StreamId& last_id) {
  return {"XCLAIM",
          std::string(key),
          std::string(group),
          p.consumer,
          "0",
          id.ToString(),
          "TIME",
          std::to_string(p.delivery_time),
          "RETRYCOUNT",
          std::to_string(p.delivery_count),
          "FORCE",
          "JUSTID",
          "LASTID",
          last_id.ToString()};
}

std::vector<std::string> SetIdPropagation(std::string_view key, std::string_view group,
                                          const ConsumerGroup& g) {
  return {"XGROUP",
          "SETID",
          std::string(key),
          std::string(group),
          g.last_id.ToString(),
          "ENTRIESREAD",
          std::to_string(g.entries_read)};
}

size_t DeliverNewEntries(CommandContext& ctx, std::string_view key, StreamValue& s,
                         const std::string& group_name, ConsumerGroup& g,
                         const std::string& consumer, size_t count, bool noack) {
  StreamId start = g.last_id;
  start.Incr();
  const auto recs = CollectRange(s, start, StreamId::Max(), false, count);
  ctx.reply.Array(recs.size());
  for (const StreamRecord* r : recs) {
    if (r->id > g.last_id) s.AdvanceGroup(&g, r->id);
    ReplyRecord(ctx.reply, *r);
    if (noack) continue;
    PendingEntry& p = g.Deliver(r->id, consumer, ctx.now_ms());
    ctx.PropagateAs(XClaimPropagation(key, group_name, r->id, p, g.last_id));
  }
  // Redis 7.0 propagates the group's new last id only for NOACK reads; otherwise the
  // XCLAIMs' LASTID carry it.
  if (noack && !recs.empty()) ctx.PropagateAs(SetIdPropagation(key, group_name, g));
  return recs.size();
}

size_t ReplyConsumerHistory(CommandContext& ctx, StreamValue& s, ConsumerGroup& g,
                            StreamConsumer& c, const StreamId& start, size_t count) {
  std::vector<StreamId> ids;
  for (auto it = c.pel.lower_bound(start); it != c.pel.end(); ++it) {
    if (count != 0 && ids.size() >= count) break;
    ids.push_back(*it);
  }
  ctx.reply.Array(ids.size());
  for (const StreamId& id : ids) {
    const StreamRecord* r = s.Find(id);
    if (r == nullptr) {
      // Acknowledged-never, deleted since: the id with a null body, as Redis answers.
      ctx.reply.Array(2);
      ReplyId(ctx.reply, id);
      ctx.reply.NullArray();
      continue;
    }
    ReplyRecord(ctx.reply, *r);
    auto p = g.pel.find(id);
    if (p != g.pel.end()) {
      p->second.delivery_time = ctx.now_ms();
      p->second.delivery_count++;
    }
  }
  return ids.size();
}

std::string NoGroupError(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" + std::string(group) +
         "'";
}

}  // namespace vigil::datanode
