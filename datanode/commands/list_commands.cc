// The LIST family: pushes, pops (with COUNT), ranges, positional edits, LPOS, LMOVE and the
// blocking forms, with Redis 7.0's replies, errors and propagation rewrites.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/list_value.h"

namespace vigil::datanode {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// ---- argument parsing (Redis's getLong*/getRange*/getTimeout* replies) ----

// getLongFromObjectOrReply: string2ll's strict syntax (no '+', no leading zeros, no "-0").
bool GetLong(CommandContext& ctx, size_t i, int64_t* out) {
  if (ParseCanonicalInt(ctx.arg(i), out)) return true;
  ctx.ErrNotInteger();
  return false;
}

// getRangeLongFromObjectOrReply with a message: `msg` answers both bad syntax and range.
bool GetLongInRange(CommandContext& ctx, size_t i, int64_t min, int64_t max, const char* msg,
                    int64_t* out) {
  if (ParseCanonicalInt(ctx.arg(i), out) && *out >= min && *out <= max) return true;
  ctx.reply.Error(msg);
  return false;
}

// getTimeoutFromObjectOrReply(UNIT_SECONDS): the seconds become ceil(ms) as a long long; a
// value that does not fit converts to LLONG_MIN on x86, which Redis reports as negative.
bool GetTimeout(CommandContext& ctx, size_t i, int64_t* out_ms) {
  long double secs = 0;
  if (!ParseLongDoubleStrict(ctx.arg(i), &secs)) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  const long double ms = std::ceil(secs * 1000.0L);
  int64_t tval = kInt64Min;
  if (!std::isnan(ms) && ms >= -9223372036854775808.0L && ms < 9223372036854775808.0L) {
    tval = int64_t(ms);
  }
  if (tval < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  if (tval > 0 && tval > kInt64Max - ctx.now_ms()) {
    ctx.reply.Error("ERR timeout is out of range");
    return false;
  }
  *out_ms = tval;
  return true;
}

// LEFT / RIGHT, case-insensitive; true = head.
bool GetWhere(CommandContext& ctx, size_t i, bool* head) {
  if (ctx.ArgIs(i, "left")) {
    *head = true;
  } else if (ctx.ArgIs(i, "right")) {
    *head = false;
  } else {
    ctx.ErrSyntax();
    return false;
  }
  return true;
}

// ---- keyspace helpers ----

// Looks the key up for writing; answers WRONGTYPE and returns false for another type.
bool LookupList(CommandContext& ctx, const std::string& key, Entry** e) {
  *e = ctx.LookupWrite(key);
  return ctx.CheckType(*e, ObjType::kList);
}

Entry* CreateList(CommandContext& ctx, const std::string& key) {
  Entry* e = Entry::NewList(key, std::make_unique<ListValue>());
  ctx.AddKey(e);
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  return e;
}

// After elements left `key`: notifies `event`, deletes the key when empty (a `del` event),
// then reports the change.
void ElementsRemoved(CommandContext& ctx, const std::string& key, Entry* e, int64_t count,
                     const char* event) {
  ctx.Notify(notify::kList, event, key);
  if (e->list()->empty()) {
    ctx.db().Delete(key);
    ctx.Notify(notify::kGeneric, "del", key);
  }
  ctx.KeyModified(key, count);
}

const char* PopEvent(bool head) {
  return head ? "lpop" : "rpop";
}
const char* PushEvent(bool head) {
  return head ? "lpush" : "rpush";
}

std::string Pop(ListValue* l, bool head) {
  return head ? l->PopFront() : l->PopBack();
}

void Push(ListValue* l, const std::string& v, bool head) {
  if (head) {
    l->PushFront(v);
  } else {
    l->PushBack(v);
  }
}

// addListRangeReply: elements start..end, normalized as LRANGE does.
void ReplyRange(CommandContext& ctx, const ListValue& l, int64_t start, int64_t end) {
  const int64_t llen = int64_t(l.size());
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    ctx.reply.EmptyArray();
    return;
  }
  if (end >= llen) end = llen - 1;
  ctx.reply.Array(size_t(end - start + 1));
  for (int64_t i = start; i <= end; ++i) ctx.reply.Bulk(l.At(size_t(i)));
}

// Pops up to `count` elements from one end and answers [key, [elements]] (LMPOP's shape).
// Returns how many were popped.
int64_t PopRangeWithKey(CommandContext& ctx, const std::string& key, Entry* e, bool head,
                        int64_t count) {
  ListValue* l = e->list();
  const int64_t n = std::min<int64_t>(count, int64_t(l->size()));
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Array(size_t(n));
  for (int64_t i = 0; i < n; ++i) ctx.reply.Bulk(Pop(l, head));
  ElementsRemoved(ctx, key, e, n, PopEvent(head));
  return n;
}

// ---- commands ----

void PushGeneric(CommandContext& ctx, bool head, bool only_existing) {
  const std::string& key = ctx.arg(1);
  Entry* e = nullptr;
  if (!LookupList(ctx, key, &e)) return;
  if (e == nullptr) {
    if (only_existing) return ctx.reply.Integer(0);
    e = CreateList(ctx, key);
  }
  ListValue* l = e->list();
  for (size_t i = 2; i < ctx.argc; ++i) Push(l, ctx.arg(i), head);
  ctx.reply.Integer(int64_t(l->size()));
  ctx.KeyModified(key, int64_t(ctx.argc - 2));
  ctx.Notify(notify::kList, PushEvent(head), key);
}

void LPushCommand(CommandContext& ctx) {
  PushGeneric(ctx, true, false);
}
void RPushCommand(CommandContext& ctx) {
  PushGeneric(ctx, false, false);
}
void LPushXCommand(CommandContext& ctx) {
  PushGeneric(ctx, true, true);
}
void RPushXCommand(CommandContext& ctx) {
  PushGeneric(ctx, false, true);
}

void PopGeneric(CommandContext& ctx, bool head) {
  if (ctx.argc > 3) return ctx.ErrArity();
  const bool has_count = ctx.argc == 3;
  int64_t count = 0;
  if (has_count && !GetLongInRange(ctx, 2, 0, kInt64Max,
                                   "ERR value is out of range, must be positive", &count)) {
    return;
  }
  const std::string& key = ctx.arg(1);
  Entry* e = nullptr;
  if (!LookupList(ctx, key, &e)) return;
  if (e == nullptr) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (has_count && count == 0) return ctx.reply.EmptyArray();
  ListValue* l = e->list();
  if (!has_count) {
    ctx.reply.Bulk(Pop(l, head));
    return ElementsRemoved(ctx, key, e, 1, PopEvent(head));
  }
  const int64_t n = std::min<int64_t>(count, int64_t(l->size()));
  ctx.reply.Array(size_t(n));
  for (int64_t i = 0; i < n; ++i) ctx.reply.Bulk(Pop(l, head));
  ElementsRemoved(ctx, key, e, n, PopEvent(head));
}

void LPopCommand(CommandContext& ctx) {
  PopGeneric(ctx, true);
}
void RPopCommand(CommandContext& ctx) {
  PopGeneric(ctx, false);
}

void LLenCommand(CommandContext& ctx) {
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (!ctx.CheckType(e, ObjType::kList)) return;
  ctx.reply.Integer(e == nullptr ? 0 : int64_t(e->list()->size()));
}

void LRangeCommand(CommandContext& ctx) {
  int64_t start = 0, end = 0;
  if (!GetLong(ctx, 2, &start) || !GetLong(ctx, 3, &end)) return;
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (!ctx.CheckType(e, ObjType::kList)) return;
  if (e == nullptr) return ctx.reply.EmptyArray();
  ReplyRange(ctx, *e->list(), start, end);
}

void LIndexCommand(CommandContext& ctx) {
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  if (!ctx.CheckType(e, ObjType::kList)) return;
  int64_t index = 0;
  if (!GetLong(ctx, 2, &index)) return;
  size_t pos = 0;
  if (!e->list()->ResolveIndex(index, &pos)) return ctx.reply.Null();
  ctx.reply.Bulk(e->list()->At(pos));
}

void LSetCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupList(ctx, ctx.arg(1), &e)) return;
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  int64_t index = 0;
  if (!GetLong(ctx, 2, &index)) return;
  size_t pos = 0;
  if (!e->list()->ResolveIndex(index, &pos)) return ctx.reply.Error("ERR index out of range");
  e->list()->Set(pos, ctx.arg(3));
  ctx.reply.Ok();
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kList, "lset", ctx.arg(1));
}

void LInsertCommand(CommandContext& ctx) {
  bool after = false;
  if (ctx.ArgIs(2, "after")) {
    after = true;
  } else if (!ctx.ArgIs(2, "before")) {
    return ctx.ErrSyntax();
  }
  Entry* e = nullptr;
  if (!LookupList(ctx, ctx.arg(1), &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  ListValue* l = e->list();
  const size_t pivot = l->Find(ctx.arg(3));
  if (pivot == l->size()) return ctx.reply.Integer(-1);
  l->InsertAt(after ? pivot + 1 : pivot, ctx.arg(4));
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kList, "linsert", ctx.arg(1));
  ctx.reply.Integer(int64_t(l->size()));
}

void LRemCommand(CommandContext& ctx) {
  int64_t count = 0;
  if (!GetLong(ctx, 2, &count)) return;
  const std::string& key = ctx.arg(1);
  Entry* e = nullptr;
  if (!LookupList(ctx, key, &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  // |count| without overflow: LLONG_MIN removes everything, as in Redis.
  const size_t limit = count < 0 ? size_t(-(count + 1)) + 1 : size_t(count);
  const size_t removed = e->list()->Remove(ctx.arg(3), limit, count < 0);
  const bool now_empty = e->list()->empty();
  if (removed > 0) ctx.Notify(notify::kList, "lrem", key);
  if (now_empty) {
    ctx.db().Delete(key);
    ctx.Notify(notify::kGeneric, "del", key);
  }
  if (removed > 0 || now_empty) ctx.KeyModified(key, int64_t(removed));
  ctx.reply.Integer(int64_t(removed));
}

void LTrimCommand(CommandContext& ctx) {
  int64_t start = 0, end = 0;
  if (!GetLong(ctx, 2, &start) || !GetLong(ctx, 3, &end)) return;
  const std::string& key = ctx.arg(1);
  Entry* e = nullptr;
  if (!LookupList(ctx, key, &e)) return;
  if (e == nullptr) return ctx.reply.Ok();
  const int64_t llen = int64_t(e->list()->size());
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  int64_t ltrim = llen, rtrim = 0;
  if (start <= end && start < llen) {
    if (end >= llen) end = llen - 1;
    ltrim = start;
    rtrim = llen - end - 1;
  }
  e->list()->TrimEnds(size_t(ltrim), size_t(rtrim));
  // `ltrim` is notified even when nothing was trimmed, as Redis does.
  ElementsRemoved(ctx, key, e, ltrim + rtrim, "ltrim");
  ctx.reply.Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void LPosCommand(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.argc; ++j) {
    const bool more = j + 1 < ctx.argc;
    if (ctx.ArgIs(j, "rank") && more) {
      if (!GetLong(ctx, ++j, &rank)) return;
      if (rank == 0) {
        return ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
    } else if (ctx.ArgIs(j, "count") && more) {
      if (!GetLongInRange(ctx, ++j, 0, kInt64Max, "ERR COUNT can't be negative", &count)) return;
    } else if (ctx.ArgIs(j, "maxlen") && more) {
      if (!GetLongInRange(ctx, ++j, 0, kInt64Max, "ERR MAXLEN can't be negative", &maxlen)) return;
    } else {
      return ctx.ErrSyntax();
    }
  }
  bool from_tail = false;
  if (rank < 0) {
    from_tail = true;
    rank = rank == kInt64Min ? kInt64Min : -rank;  // Redis's -LLONG_MIN wraps to itself
  }
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return count != -1 ? ctx.reply.EmptyArray() : ctx.reply.Null();
  if (!ctx.CheckType(e, ObjType::kList)) return;
  const ListValue& l = *e->list();
  const std::string& ele = ctx.arg(2);
  const int64_t llen = int64_t(l.size());
  std::vector<int64_t> found;
  int64_t matches = 0;
  for (int64_t index = 0; index < llen && (maxlen == 0 || index < maxlen); ++index) {
    const int64_t pos = from_tail ? llen - index - 1 : index;
    if (l.At(size_t(pos)) != ele) continue;
    ++matches;
    if (matches < rank) continue;
    found.push_back(pos);
    if (count == -1) break;
    const int64_t served = int64_t(uint64_t(matches) - uint64_t(rank) + 1);
    if (count != 0 && served >= count) break;
  }
  if (count != -1) {
    ctx.reply.Array(found.size());
    for (int64_t pos : found) ctx.reply.Integer(pos);
  } else if (found.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Integer(found.front());
  }
}

// LMOVE's body once the positions are known; shared by RPOPLPUSH and the blocking forms
// (which have already checked the source exists). Redis checks the destination's type only
// when there is something to move.
void MoveGeneric(CommandContext& ctx, bool from_head, bool to_head) {
  const std::string& src = ctx.arg(1);
  const std::string& dst = ctx.arg(2);
  Entry* se = nullptr;
  if (!LookupList(ctx, src, &se)) return;
  if (se == nullptr) return ctx.reply.Null();
  Entry* de = nullptr;
  if (!LookupList(ctx, dst, &de)) return;
  std::string value = Pop(se->list(), from_head);
  if (de == nullptr) de = CreateList(ctx, dst);
  Push(de->list(), value, to_head);
  ctx.KeyModified(dst, 0);
  ctx.Notify(notify::kList, PushEvent(to_head), dst);
  ctx.reply.Bulk(value);
  // When src == dst the element went back in, so the list cannot be empty here.
  ElementsRemoved(ctx, src, se, 1, PopEvent(from_head));
}

void LMoveCommand(CommandContext& ctx) {
  bool from_head = false, to_head = false;
  if (!GetWhere(ctx, 3, &from_head) || !GetWhere(ctx, 4, &to_head)) return;
  MoveGeneric(ctx, from_head, to_head);
}

void RPopLPushCommand(CommandContext& ctx) {
  MoveGeneric(ctx, false, true);
}

// ---- blocking ----

// Blocks on `keys`, or answers at once inside MULTI/EXEC: a null bulk for the moves, a null
// array for the pops. A real timeout is always a null array in 7.0 (replyToBlockedClientTimedOut
// treats every list block alike, BLMOVE included), verified against 7.0.15.
void BlockOrTimeout(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                    bool null_bulk_in_multi) {
  if (!ctx.may_block()) return null_bulk_in_multi ? ctx.reply.Null() : ctx.reply.NullArray();
  ctx.BlockOnKeys(keys, timeout_ms);
  ctx.session.block.null_bulk_on_timeout = false;
}

// blockingPopGenericCommand: BLPOP/BRPOP (count == -1) and BLMPOP (count >= 1).
void BlockingPop(CommandContext& ctx, size_t first_key, size_t numkeys, bool head,
                 size_t timeout_idx, int64_t count) {
  int64_t timeout_ms = 0;
  if (!GetTimeout(ctx, timeout_idx, &timeout_ms)) return;
  std::vector<std::string> keys;
  for (size_t j = first_key; j < first_key + numkeys; ++j) {
    const std::string& key = ctx.arg(j);
    keys.push_back(key);
    if (ctx.SkipWhileServing(key)) continue;
    Entry* e = nullptr;
    if (!LookupList(ctx, key, &e)) return;
    if (e == nullptr) continue;
    const std::string verb = head ? "LPOP" : "RPOP";
    if (count != -1) {
      const int64_t n = PopRangeWithKey(ctx, key, e, head, count);
      ctx.PropagateAs({verb, key, std::to_string(n)});
      return;
    }
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(Pop(e->list(), head));
    ElementsRemoved(ctx, key, e, 1, PopEvent(head));
    ctx.PropagateAs({verb, key});
    return;
  }
  BlockOrTimeout(ctx, std::move(keys), timeout_ms, false);
}

void BLPopCommand(CommandContext& ctx) {
  BlockingPop(ctx, 1, ctx.argc - 2, true, ctx.argc - 1, -1);
}
void BRPopCommand(CommandContext& ctx) {
  BlockingPop(ctx, 1, ctx.argc - 2, false, ctx.argc - 1, -1);
}

void BlockingMove(CommandContext& ctx, bool from_head, bool to_head, int64_t timeout_ms,
                  std::vector<std::string> rewrite) {
  Entry* e = nullptr;
  if (!LookupList(ctx, ctx.arg(1), &e)) return;
  if (e == nullptr) return BlockOrTimeout(ctx, {ctx.arg(1)}, timeout_ms, true);
  const int64_t dirty_before = ctx.dirty();
  MoveGeneric(ctx, from_head, to_head);
  if (ctx.dirty() > dirty_before) ctx.PropagateAs(std::move(rewrite));
}

void BLMoveCommand(CommandContext& ctx) {
  bool from_head = false, to_head = false;
  int64_t timeout_ms = 0;
  if (!GetWhere(ctx, 3, &from_head) || !GetWhere(ctx, 4, &to_head)) return;
  if (!GetTimeout(ctx, 5, &timeout_ms)) return;
  BlockingMove(ctx, from_head, to_head, timeout_ms,
               {"LMOVE", ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)});
}

void BRPopLPushCommand(CommandContext& ctx) {
  int64_t timeout_ms = 0;
  if (!GetTimeout(ctx, 3, &timeout_ms)) return;
  BlockingMove(ctx, false, true, timeout_ms, {"RPOPLPUSH", ctx.arg(1), ctx.arg(2)});
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]; BLMPOP timeout numkeys ...
void MPopGeneric(CommandContext& ctx, size_t numkeys_idx, bool blocking) {
  int64_t numkeys = 0;
  if (!GetLongInRange(ctx, numkeys_idx, 1, kInt64Max, "ERR numkeys should be greater than 0",
                      &numkeys)) {
    return;
  }
  if (uint64_t(numkeys) >= ctx.argc - numkeys_idx - 1) return ctx.ErrSyntax();
  const size_t where_idx = numkeys_idx + size_t(numkeys) + 1;
  bool head = false;
  if (!GetWhere(ctx, where_idx, &head)) return;
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < ctx.argc; ++j) {
    if (count == -1 && ctx.ArgIs(j, "count") && j + 1 < ctx.argc) {
      if (!GetLongInRange(ctx, ++j, 1, kInt64Max, "ERR count should be greater than 0", &count)) {
        return;
      }
    } else {
      return ctx.ErrSyntax();
    }
  }
  if (count == -1) count = 1;
  if (blocking) return BlockingPop(ctx, numkeys_idx + 1, size_t(numkeys), head, 1, count);
  for (size_t j = numkeys_idx + 1; j < where_idx; ++j) {
    const std::string& key = ctx.arg(j);
    Entry* e = nullptr;
    if (!LookupList(ctx, key, &e)) return;
    if (e == nullptr) continue;
    const int64_t n = PopRangeWithKey(ctx, key, e, head, count);
    ctx.PropagateAs({head ? "LPOP" : "RPOP", key, std::to_string(n)});
    return;
  }
  ctx.reply.NullArray();
}

void LMPopCommand(CommandContext& ctx) {
  MPopGeneric(ctx, 1, false);
}
void BLMPopCommand(CommandContext& ctx) {
  MPopGeneric(ctx, 2, true);
}

}  // namespace

void RegisterListCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kF = kCmdFast;
  constexpr uint32_t kB = kCmdBlocking, kNs = kCmdNoScript;
  const std::string g = "list";
  t.Add({"lpush", -3, kW | kOom | kF, 1, 1, 1, LPushCommand, g, {}});
  t.Add({"rpush", -3, kW | kOom | kF, 1, 1, 1, RPushCommand, g, {}});
  t.Add({"lpushx", -3, kW | kOom | kF, 1, 1, 1, LPushXCommand, g, {}});
  t.Add({"rpushx", -3, kW | kOom | kF, 1, 1, 1, RPushXCommand, g, {}});
  t.Add({"lpop", -2, kW | kF, 1, 1, 1, LPopCommand, g, {}});
  t.Add({"rpop", -2, kW | kF, 1, 1, 1, RPopCommand, g, {}});
  t.Add({"lrange", 4, kR, 1, 1, 1, LRangeCommand, g, {}});
  t.Add({"llen", 2, kR | kF, 1, 1, 1, LLenCommand, g, {}});
  t.Add({"lindex", 3, kR, 1, 1, 1, LIndexCommand, g, {}});
  t.Add({"lset", 4, kW | kOom, 1, 1, 1, LSetCommand, g, {}});
  t.Add({"lrem", 4, kW, 1, 1, 1, LRemCommand, g, {}});
  t.Add({"ltrim", 4, kW, 1, 1, 1, LTrimCommand, g, {}});
  t.Add({"linsert", 5, kW | kOom, 1, 1, 1, LInsertCommand, g, {}});
  t.Add({"lpos", -3, kR, 1, 1, 1, LPosCommand, g, {}});
  t.Add({"lmove", 5, kW | kOom, 1, 2, 1, LMoveCommand, g, {}});
  t.Add({"rpoplpush", 3, kW | kOom, 1, 2, 1, RPopLPushCommand, g, {}});
  t.Add({"lmpop", -4, kW, 0, 0, 0, LMPopCommand, g, {}});
  t.Add({"blpop", -3, kW | kNs | kB, 1, -2, 1, BLPopCommand, g, {}});
  t.Add({"brpop", -3, kW | kNs | kB, 1, -2, 1, BRPopCommand, g, {}});
  t.Add({"blmove", 6, kW | kOom | kNs | kB, 1, 2, 1, BLMoveCommand, g, {}});
  t.Add({"brpoplpush", 4, kW | kOom | kNs | kB, 1, 2, 1, BRPopLPushCommand, g, {}});
  t.Add({"blmpop", -5, kW | kB, 0, 0, 0, BLMPopCommand, g, {}});
}

}  // namespace vigil::datanode
