// The SORTED SET family, part one: membership, scores, ranks, pops (blocking too), range
// removals, ZSCAN and ZRANDMEMBER, with Redis 7.0's replies, errors and encoding rules. The
// range reads and the set-algebra commands live in zset_range_commands.cc.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/base/glob.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/entry.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {

void RegisterZSetRangeCommands(CommandTable& t);  // zset_range_commands.cc

namespace {

constexpr int64_t kLongMax = INT64_MAX;

size_t MaxEntries(CommandContext& ctx) {
  return size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_entries));
}
size_t MaxValue(CommandContext& ctx) {
  return size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_value));
}

// The sorted set at `key`: nullptr with *ok when missing, !*ok after a WRONGTYPE reply.
ZSetValue* ReadZSet(CommandContext& ctx, const std::string& key, bool* ok) {
  Entry* e = ctx.LookupRead(key);
  *ok = ctx.CheckType(e, ObjType::kZSet);
  return (*ok && e != nullptr) ? e->zset() : nullptr;
}

ZSetValue* WriteZSet(CommandContext& ctx, const std::string& key, bool* ok) {
  Entry* e = ctx.LookupWrite(key);
  *ok = ctx.CheckType(e, ObjType::kZSet);
  return (*ok && e != nullptr) ? e->zset() : nullptr;
}

// One member with its score: RESP3 nests [member, score] when `nested`.
void ReplyPair(CommandContext& ctx, std::string_view member, double score, bool nested) {
  if (nested) ctx.reply.Array(2);
  ctx.reply.Bulk(member);
  ctx.reply.Double(score);
}

struct ZaddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// ZADD and ZINCRBY (which is ZADD INCR with the pair at argument 2).
void ZaddGeneric(CommandContext& ctx, bool zincrby) {
  ZaddFlags f;
  f.incr = zincrby;
  size_t idx = 2;
  for (; !zincrby && idx < ctx.argc; ++idx) {
    if (ctx.ArgIs(idx, "nx")) {
      f.nx = true;
    } else if (ctx.ArgIs(idx, "xx")) {
      f.xx = true;
    } else if (ctx.ArgIs(idx, "ch")) {
      f.ch = true;
    } else if (ctx.ArgIs(idx, "incr")) {
      f.incr = true;
    } else if (ctx.ArgIs(idx, "gt")) {
      f.gt = true;
    } else if (ctx.ArgIs(idx, "lt")) {
      f.lt = true;
    } else {
      break;
    }
  }
  const size_t elements = (ctx.argc - idx) / 2;
  if ((ctx.argc - idx) % 2 != 0 || elements == 0) return ctx.ErrSyntax();
  if (f.nx && f.xx)
    return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (f.incr && elements > 1) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    if (!ctx.GetDouble(idx + 2 * j, &scores[j])) return;
  }
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kZSet)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (e == nullptr && !f.xx) {
    e = Entry::NewZSet(key, std::make_unique<ZSetValue>());
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    ctx.AddKey(e);
  }
  bool nan_error = false;
  for (size_t j = 0; e != nullptr && j < elements; ++j) {
    ZSetValue* z = e->zset();
    const std::string& member = ctx.arg(idx + 2 * j + 1);
    score = scores[j];
    double cur = 0;
    if (z->Score(member, &cur)) {
      if (f.nx) continue;
      if (f.incr) {
        score += cur;
        if (std::isnan(score)) {
          nan_error = true;
          break;
        }
      }
      if ((f.lt && score >= cur) || (f.gt && score <= cur)) continue;
      ++processed;
      if (score != cur) {
        z->Set(member, score, MaxEntries(ctx), MaxValue(ctx));
        ++updated;
      }
    } else if (!f.xx) {
      z->Set(member, score, MaxEntries(ctx), MaxValue(ctx));
      ++added;
      ++processed;
    }
    z->Score(member, &score);
  }
  if (added + updated > 0) ctx.KeyModified(key, added + updated);
  if (nan_error) {
    ctx.reply.Error("ERR resulting score is not a number (NaN)");
  } else if (f.incr) {
    if (processed > 0) {
      ctx.reply.Double(score);
    } else {
      ctx.reply.Null();
    }
  } else {
    ctx.reply.Integer(f.ch ? added + updated : added);
  }
  // After the reply, as Redis notifies.
  if (added + updated > 0) ctx.Notify(notify::kZset, f.incr ? "zincr" : "zadd", key);
}

void ZaddCommand(CommandContext& ctx) {
  ZaddGeneric(ctx, false);
}
void ZincrbyCommand(CommandContext& ctx) {
  ZaddGeneric(ctx, true);
}

void ZremCommand(CommandContext& ctx) {
  bool ok = false;
  const std::string& key = ctx.arg(1);
  ZSetValue* z = WriteZSet(ctx, key, &ok);
  if (!ok) return;
  int64_t deleted = 0;
  bool removed_key = false;
  for (size_t j = 2; z != nullptr && j < ctx.argc; ++j) {
    if (z->Remove(ctx.arg(j))) ++deleted;
    if (z->empty()) {
      ctx.db().Delete(key);
      removed_key = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.KeyModified(key, deleted);
    ctx.Notify(notify::kZset, "zrem", key);
    if (removed_key) ctx.Notify(notify::kGeneric, "del", key);
  }
  ctx.reply.Integer(deleted);
}

void ZscoreCommand(CommandContext& ctx) {
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  double score = 0;
  if (z != nullptr && z->Score(ctx.arg(2), &score)) {
    ctx.reply.Double(score);
  } else {
    ctx.reply.Null();
  }
}

void ZmscoreCommand(CommandContext& ctx) {
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ctx.reply.Array(ctx.argc - 2);
  for (size_t j = 2; j < ctx.argc; ++j) {
    double score = 0;
    if (z != nullptr && z->Score(ctx.arg(j), &score)) {
      ctx.reply.Double(score);
    } else {
      ctx.reply.Null();
    }
  }
}

void ZcardCommand(CommandContext& ctx) {
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ctx.reply.Integer(z == nullptr ? 0 : int64_t(z->size()));
}

void ZcountCommand(CommandContext& ctx) {
  ZScoreRange r;
  if (!ParseZScoreRange(ctx.arg(2), ctx.arg(3), &r)) {
    return ctx.reply.Error("ERR min or max is not a float");
  }
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  const ZSetValue::Node* a = z != nullptr ? z->FirstInRange(r) : nullptr;
  if (a == nullptr) return ctx.reply.Integer(0);
  ctx.reply.Integer(int64_t(z->RankOf(z->LastInRange(r)) - z->RankOf(a) + 1));
}

void ZlexcountCommand(CommandContext& ctx) {
  ZLexRange r;
  if (!ParseZLexRange(ctx.arg(2), ctx.arg(3), &r)) {
    return ctx.reply.Error("ERR min or max not valid string range item");
  }
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  const ZSetValue::Node* a = z != nullptr ? z->FirstInLexRange(r) : nullptr;
  if (a == nullptr) return ctx.reply.Integer(0);
  ctx.reply.Integer(int64_t(z->RankOf(z->LastInLexRange(r)) - z->RankOf(a) + 1));
}

void ZrankGeneric(CommandContext& ctx, bool reverse) {
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  int64_t rank = z != nullptr ? z->Rank(ctx.arg(2)) : -1;
  if (rank < 0) return ctx.reply.Null();
  ctx.reply.Integer(reverse ? int64_t(z->size()) - 1 - rank : rank);
}

void ZrankCommand(CommandContext& ctx) {
  ZrankGeneric(ctx, false);
}
void ZrevrankCommand(CommandContext& ctx) {
  ZrankGeneric(ctx, true);
}

// Pops up to `count` members from the set at `key` (which exists): the shared body of ZPOPMIN,
// ZPOPMAX and their blocking forms (`emit_key`).
void PopFrom(CommandContext& ctx, const std::string& key, ZSetValue* z, bool max, int64_t count,
             bool nested, bool emit_key) {
  const size_t n = std::min(size_t(count), z->size());
  if (emit_key && nested) {  // ZMPOP, BZMPOP: [key, [[member, score], ...]]
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    ctx.reply.Array(n);
  } else if (emit_key) {
    ctx.reply.Array(n * 2 + 1);
    ctx.reply.Bulk(key);
  } else {
    ctx.reply.Array(nested ? n : n * 2);
  }
  for (size_t i = 0; i < n; ++i) {
    const ZSetValue::Node* node = max ? z->last() : z->first();
    std::string member(node->member());
    double score = node->score();
    z->Remove(member);
    // Redis notifies after removing the first member, inside the reply's array: a RESP3 client
    // watching its own events gets the pushes right after the array header.
    if (i == 0) ctx.Notify(notify::kZset, max ? "zpopmax" : "zpopmin", key);
    ReplyPair(ctx, member, score, nested);
  }
  if (z->empty()) {
    ctx.db().Delete(key);
    ctx.Notify(notify::kGeneric, "del", key);
  }
  ctx.KeyModified(key, int64_t(n));
}

void ZpopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argc > 3) return ctx.ErrSyntax();
  int64_t count = 1;
  if (ctx.argc == 3 &&
      !ctx.GetIntInRange(2, 0, kLongMax, &count, "ERR value is out of range, must be positive")) {
    return;
  }
  bool ok = false;
  ZSetValue* z = WriteZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (z == nullptr || count == 0) return ctx.reply.EmptyArray();
  PopFrom(ctx, ctx.arg(1), z, max, count, ctx.argc == 3 && ctx.reply.proto() >= 3, false);
}

void ZpopminCommand(CommandContext& ctx) {
  ZpopGeneric(ctx, false);
}
void ZpopmaxCommand(CommandContext& ctx) {
  ZpopGeneric(ctx, true);
}

enum class FirstPop { kPopped, kFailed, kNone };

// Pops from the first non-empty set among the arguments [first, end), collecting the keys for
// blocking: the scan BZPOPMIN/BZPOPMAX and ZMPOP/BZMPOP share. Replicated as the
// ZPOPMIN/ZPOPMAX that ran (with the popped count for the *MPOP forms).
FirstPop PopFromFirst(CommandContext& ctx, size_t first, size_t end, bool max, int64_t count,
                      bool mpop, std::vector<std::string>* keys) {
  for (size_t j = first; j < end; ++j) {
    const std::string& key = ctx.arg(j);
    keys->push_back(key);
    if (ctx.SkipWhileServing(key)) continue;
    bool ok = false;
    ZSetValue* z = WriteZSet(ctx, key, &ok);
    if (!ok) return FirstPop::kFailed;
    if (z == nullptr || z->empty()) continue;
    const size_t popped = std::min(size_t(count), z->size());
    PopFrom(ctx, key, z, max, count, /*nested=*/mpop, /*emit_key=*/true);
    std::vector<std::string> as{max ? "ZPOPMAX" : "ZPOPMIN", key};
    if (mpop) as.push_back(std::to_string(popped));
    ctx.PropagateAs(std::move(as));
    return FirstPop::kPopped;
  }
  return FirstPop::kNone;
}

// BZPOPMIN/BZPOPMAX key [key ...] timeout: pops from the first non-empty key, or blocks.
void BzpopGeneric(CommandContext& ctx, bool max) {
  int64_t timeout_ms = 0;
  if (!ctx.GetTimeoutSeconds(ctx.argc - 1, &timeout_ms)) return;
  std::vector<std::string> keys;
  if (PopFromFirst(ctx, 1, ctx.argc - 1, max, 1, false, &keys) != FirstPop::kNone) return;
  if (!ctx.may_block()) return ctx.reply.NullArray();
  ctx.session.block.null_bulk_on_timeout = false;
  ctx.BlockOnKeys(keys, timeout_ms, ObjType::kZSet);
}

void BzpopminCommand(CommandContext& ctx) {
  BzpopGeneric(ctx, false);
}
void BzpopmaxCommand(CommandContext& ctx) {
  BzpopGeneric(ctx, true);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]; BZMPOP timeout numkeys ...: pops from the
// first set among the keys (the first existing key must be a set).
void ZmpopGeneric(CommandContext& ctx, size_t numkeys_idx, bool blocking) {
  int64_t numkeys = 0;
  if (!ctx.GetIntInRange(numkeys_idx, 1, kLongMax, &numkeys,
                         "ERR numkeys should be greater than 0")) {
    return;
  }
  if (uint64_t(numkeys) >= ctx.argc - numkeys_idx - 1) return ctx.ErrSyntax();
  const size_t where_idx = numkeys_idx + size_t(numkeys) + 1;
  bool max = false;
  if (ctx.ArgIs(where_idx, "max")) {
    max = true;
  } else if (!ctx.ArgIs(where_idx, "min")) {
    return ctx.ErrSyntax();
  }
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < ctx.argc; ++j) {
    if (count == -1 && ctx.ArgIs(j, "count") && j + 1 < ctx.argc) {
      if (!ctx.GetIntInRange(++j, 1, kLongMax, &count, "ERR count should be greater than 0")) {
        return;
      }
    } else {
      return ctx.ErrSyntax();
    }
  }
  if (count == -1) count = 1;
  int64_t timeout_ms = 0;
  if (blocking && !ctx.GetTimeoutSeconds(1, &timeout_ms)) return;
  std::vector<std::string> keys;
  if (PopFromFirst(ctx, numkeys_idx + 1, where_idx, max, count, true, &keys) != FirstPop::kNone) {
    return;
  }
  if (!blocking || !ctx.may_block()) return ctx.reply.NullArray();
  ctx.session.block.null_bulk_on_timeout = false;
  ctx.BlockOnKeys(keys, timeout_ms, ObjType::kZSet);
}

void ZmpopCommand(CommandContext& ctx) {
  ZmpopGeneric(ctx, 1, false);
}
void BzmpopCommand(CommandContext& ctx) {
  ZmpopGeneric(ctx, 2, true);
}

enum class RemRange { kRank, kScore, kLex };

void ZremrangeGeneric(CommandContext& ctx, RemRange kind) {
  int64_t start = 0, end = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  if (kind == RemRange::kRank) {
    if (!ctx.GetInt(2, &start) || !ctx.GetInt(3, &end)) return;
  } else if (kind == RemRange::kScore) {
    if (!ParseZScoreRange(ctx.arg(2), ctx.arg(3), &score_range)) {
      return ctx.reply.Error("ERR min or max is not a float");
    }
  } else if (!ParseZLexRange(ctx.arg(2), ctx.arg(3), &lex_range)) {
    return ctx.reply.Error("ERR min or max not valid string range item");
  }
  const std::string& key = ctx.arg(1);
  bool ok = false;
  ZSetValue* z = WriteZSet(ctx, key, &ok);
  if (!ok) return;
  if (z == nullptr) return ctx.reply.Integer(0);
  size_t deleted = 0;
  if (kind == RemRange::kRank) {
    const int64_t len = int64_t(z->size());
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return ctx.reply.Integer(0);
    deleted = z->RemoveRangeByRank(size_t(start), size_t(std::min(end, len - 1)));
  } else if (kind == RemRange::kScore) {
    deleted = z->RemoveRangeByScore(score_range);
  } else {
    deleted = z->RemoveRangeByLex(lex_range);
  }
  const bool removed_key = z->empty();
  if (removed_key) ctx.db().Delete(key);
  if (deleted > 0) {
    ctx.KeyModified(key, int64_t(deleted));
    static constexpr const char* kEvents[] = {"zremrangebyrank", "zremrangebyscore",
                                              "zremrangebylex"};
    ctx.Notify(notify::kZset, kEvents[int(kind)], key);
    if (removed_key) ctx.Notify(notify::kGeneric, "del", key);
  }
  ctx.reply.Integer(int64_t(deleted));
}

void ZremrangebyrankCommand(CommandContext& ctx) {
  ZremrangeGeneric(ctx, RemRange::kRank);
}
void ZremrangebyscoreCommand(CommandContext& ctx) {
  ZremrangeGeneric(ctx, RemRange::kScore);
}
void ZremrangebylexCommand(CommandContext& ctx) {
  ZremrangeGeneric(ctx, RemRange::kLex);
}

// Redis's parseScanCursorOrReply: strtoul rules (so "-1" and "+5" parse), no leading space.
bool ParseCursor(CommandContext& ctx, size_t i, uint64_t* out) {
  const std::string& s = ctx.arg(i);
  char* end = nullptr;
  errno = 0;
  *out = std::strtoull(s.c_str(), &end, 10);
  if ((!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) || *end != '\0' ||
      errno == ERANGE) {
    ctx.reply.Error("ERR invalid cursor");
    return false;
  }
  return true;
}

// Score text as SCAN shows it (Redis's d2string).
std::string ScoreText(double d) {
  return resp::FormatDouble(d);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]. A listpack answers everything at once; a
// skiplist walks by rank (a member whose rank moves backwards during a scan may be missed).
void ZscanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseCursor(ctx, 2, &cursor)) return;
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (z == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    return ctx.reply.EmptyArray();
  }
  int64_t count = 10;
  const std::string* pattern = nullptr;
  for (size_t i = 3; i < ctx.argc; i += 2) {
    if (ctx.ArgIs(i, "count") && i + 1 < ctx.argc) {
      if (!ctx.GetInt(i + 1, &count)) return;
      if (count < 1) return ctx.ErrSyntax();
    } else if (ctx.ArgIs(i, "match") && i + 1 < ctx.argc) {
      pattern = &ctx.arg(i + 1);
    } else {
      return ctx.ErrSyntax();
    }
  }
  size_t pos = z->encoding() == Encoding::kListpack ? 0 : size_t(cursor);
  size_t stop = z->encoding() == Encoding::kListpack ? z->size() : pos + size_t(count);
  std::vector<std::string> items;
  const ZSetValue::Node* n = pos < z->size() ? z->ByRank(pos) : nullptr;
  for (; n != nullptr && pos < stop; n = n->next(), ++pos) {
    if (pattern == nullptr || *pattern == "*" || GlobMatch(*pattern, n->member())) {
      items.emplace_back(n->member());
      items.push_back(ScoreText(n->score()));
    }
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(n == nullptr ? "0" : std::to_string(pos));
  ctx.reply.Array(items.size());
  for (const auto& s : items) ctx.reply.Bulk(s);
}

void ZrandmemberCommand(CommandContext& ctx) {
  Prng& prng = ctx.keyspace().prng();
  int64_t l = 1;
  bool withscores = false;
  const bool has_count = ctx.argc >= 3;
  if (has_count) {
    if (!ctx.GetInt(2, &l)) return;
    if (l < -kLongMax) {
      return ctx.reply.Error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    if (ctx.argc > 4 || (ctx.argc == 4 && !ctx.ArgIs(3, "withscores"))) return ctx.ErrSyntax();
    withscores = ctx.argc == 4;
    if (withscores && (l < -kLongMax / 2 || l > kLongMax / 2)) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  bool ok = false;
  ZSetValue* z = ReadZSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (!has_count) {
    if (z == nullptr) return ctx.reply.Null();
    return ctx.reply.Bulk(z->ByRank(size_t(prng.Uniform(z->size())))->member());
  }
  if (z == nullptr || l == 0) return ctx.reply.EmptyArray();
  const bool uniq = l > 0;
  const uint64_t count = uniq ? uint64_t(l) : uint64_t(-l);
  const bool nested = withscores && ctx.reply.proto() >= 3;
  auto emit = [&](const ZSetValue::Node* n) {
    if (!withscores) return ctx.reply.Bulk(n->member());
    ReplyPair(ctx, n->member(), n->score(), nested);
  };
  auto header = [&](uint64_t n) { ctx.reply.Array(withscores && !nested ? n * 2 : n); };
  if (!uniq || count == 1) {
    header(count);
    for (uint64_t i = 0; i < count; ++i) emit(z->ByRank(size_t(prng.Uniform(z->size()))));
    return;
  }
  if (count >= z->size()) {
    header(z->size());
    for (const ZSetValue::Node* n = z->first(); n != nullptr; n = n->next()) emit(n);
    return;
  }
  std::vector<size_t> idx(z->size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  header(count);
  for (size_t i = 0; i < count; ++i) {
    std::swap(idx[i], idx[i + size_t(prng.Uniform(idx.size() - i))]);
    emit(z->ByRank(idx[i]));
  }
}

void Add(CommandTable& t, const char* name, int arity, uint32_t flags, int first, int last,
         int step, CommandFn fn) {
  t.Add(CommandSpec{name, arity, flags, first, last, step, fn, "sorted_set", {}});
}

}  // namespace

void RegisterZSetCommands(CommandTable& t) {
  const uint32_t w = kCmdWrite, r = kCmdReadonly, oom = kCmdDenyOom, f = kCmdFast;
  Add(t, "zadd", -4, w | oom | f, 1, 1, 1, ZaddCommand);
  Add(t, "zincrby", 4, w | oom | f, 1, 1, 1, ZincrbyCommand);
  Add(t, "zrem", -3, w | f, 1, 1, 1, ZremCommand);
  Add(t, "zscore", 3, r | f, 1, 1, 1, ZscoreCommand);
  Add(t, "zmscore", -3, r | f, 1, 1, 1, ZmscoreCommand);
  Add(t, "zcard", 2, r | f, 1, 1, 1, ZcardCommand);
  Add(t, "zcount", 4, r | f, 1, 1, 1, ZcountCommand);
  Add(t, "zlexcount", 4, r | f, 1, 1, 1, ZlexcountCommand);
  Add(t, "zrank", 3, r | f, 1, 1, 1, ZrankCommand);
  Add(t, "zrevrank", 3, r | f, 1, 1, 1, ZrevrankCommand);
  Add(t, "zpopmin", -2, w | f, 1, 1, 1, ZpopminCommand);
  Add(t, "zpopmax", -2, w | f, 1, 1, 1, ZpopmaxCommand);
  Add(t, "bzpopmin", -3, w | kCmdNoScript | kCmdBlocking | f, 1, -2, 1, BzpopminCommand);
  Add(t, "bzpopmax", -3, w | kCmdNoScript | kCmdBlocking | f, 1, -2, 1, BzpopmaxCommand);
  // Keys come after numkeys (movable): positions from Redis's key specs, as for LMPOP.
  Add(t, "zmpop", -4, w, 0, 0, 0, ZmpopCommand);
  Add(t, "bzmpop", -5, w | kCmdBlocking, 0, 0, 0, BzmpopCommand);
  Add(t, "zremrangebyrank", 4, w, 1, 1, 1, ZremrangebyrankCommand);
  Add(t, "zremrangebyscore", 4, w, 1, 1, 1, ZremrangebyscoreCommand);
  Add(t, "zremrangebylex", 4, w, 1, 1, 1, ZremrangebylexCommand);
  Add(t, "zscan", -3, r, 1, 1, 1, ZscanCommand);
  Add(t, "zrandmember", -2, r, 1, 1, 1, ZrandmemberCommand);
  RegisterZSetRangeCommands(t);
}

}  // namespace vigil::datanode
