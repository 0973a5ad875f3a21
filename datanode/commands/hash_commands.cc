// The HASH family, with Redis 7.0's replies, errors, listpack/hashtable conversion rules and
// propagation (HINCRBYFLOAT replicates as HSET with the result).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/base/glob.h"
#include "common/resp/reply_writer.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/hash_value.h"

namespace vigil::datanode {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// Looks the key up for writing; answers WRONGTYPE and returns false for another type.
bool LookupHash(CommandContext& ctx, Entry** e) {
  *e = ctx.LookupWrite(ctx.arg(1));
  return ctx.CheckType(*e, ObjType::kHash);
}

// Read-side lookup; same contract.
bool LookupHashRead(CommandContext& ctx, Entry** e) {
  *e = ctx.LookupRead(ctx.arg(1));
  return ctx.CheckType(*e, ObjType::kHash);
}

Entry* CreateHash(CommandContext& ctx) {
  Entry* e = Entry::NewHash(ctx.arg(1), std::make_unique<HashValue>());
  ctx.AddKey(e);
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  return e;
}

bool SetField(CommandContext& ctx, HashValue* h, std::string_view f, std::string_view v) {
  const auto& cfg = ctx.config();
  return h->Set(f, v, size_t(std::max<int64_t>(0, cfg.hash_max_listpack_entries)),
                size_t(std::max<int64_t>(0, cfg.hash_max_listpack_value)));
}

// ---- commands ----

// HSET key field value [field value ...]; HMSET answers +OK instead of the count.
void HSetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.argc % 2 == 1) return ctx.ErrArity();
  Entry* e = nullptr;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) e = CreateHash(ctx);
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc; i += 2) {
    if (SetField(ctx, e->hash(), ctx.arg(i), ctx.arg(i + 1))) ++created;
  }
  if (hmset) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(created);
  }
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kHash, "hset", ctx.arg(1));
}

void HSetCommand(CommandContext& ctx) {
  HSetGeneric(ctx, false);
}
void HMSetCommand(CommandContext& ctx) {
  HSetGeneric(ctx, true);
}

void HSetNxCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHash(ctx, &e)) return;
  if (e != nullptr && e->hash()->Contains(ctx.arg(2))) return ctx.reply.Integer(0);
  if (e == nullptr) e = CreateHash(ctx);
  SetField(ctx, e->hash(), ctx.arg(2), ctx.arg(3));
  ctx.reply.Integer(1);
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kHash, "hset", ctx.arg(1));
}

void HGetCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  std::string_view v;
  if (e == nullptr || !e->hash()->Get(ctx.arg(2), &v)) return ctx.reply.Null();
  ctx.reply.Bulk(v);
}

void HMGetCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  ctx.reply.Array(ctx.argc - 2);
  for (size_t i = 2; i < ctx.argc; ++i) {
    std::string_view v;
    if (e != nullptr && e->hash()->Get(ctx.arg(i), &v)) {
      ctx.reply.Bulk(v);
    } else {
      ctx.reply.Null();
    }
  }
}

void HDelCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHash(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t deleted = 0;
  bool key_removed = false;
  for (size_t i = 2; i < ctx.argc; ++i) {
    if (!e->hash()->Delete(ctx.arg(i))) continue;
    ++deleted;
    if (e->hash()->empty()) {
      ctx.db().Delete(ctx.arg(1));
      key_removed = true;
      break;
    }
  }
  if (deleted > 0 || key_removed) ctx.KeyModified(ctx.arg(1), deleted);
  if (deleted > 0) ctx.Notify(notify::kHash, "hdel", ctx.arg(1));
  if (key_removed) ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
  ctx.reply.Integer(deleted);
}

void HLenCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  ctx.reply.Integer(e == nullptr ? 0 : int64_t(e->hash()->size()));
}

void HExistsCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  ctx.reply.Integer(e != nullptr && e->hash()->Contains(ctx.arg(2)) ? 1 : 0);
}

void HStrLenCommand(CommandContext& ctx) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  std::string_view v;
  ctx.reply.Integer(e != nullptr && e->hash()->Get(ctx.arg(2), &v) ? int64_t(v.size()) : 0);
}

// HGETALL (a map), HKEYS, HVALS. Listpack order is insertion order; hashtable order is the
// table's, unspecified as in Redis.
void GetAllGeneric(CommandContext& ctx, bool keys, bool values) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  const size_t n = e == nullptr ? 0 : e->hash()->size();
  if (keys && values) {
    ctx.reply.Map(n);
  } else {
    ctx.reply.Array(n);
  }
  if (e == nullptr) return;
  e->hash()->ForEach([&](std::string_view f, std::string_view v) {
    if (keys) ctx.reply.Bulk(f);
    if (values) ctx.reply.Bulk(v);
  });
}

void HGetAllCommand(CommandContext& ctx) {
  GetAllGeneric(ctx, true, true);
}
void HKeysCommand(CommandContext& ctx) {
  GetAllGeneric(ctx, true, false);
}
void HValsCommand(CommandContext& ctx) {
  GetAllGeneric(ctx, false, true);
}

void HIncrByCommand(CommandContext& ctx) {
  int64_t incr = 0;
  if (!ParseCanonicalInt(ctx.arg(3), &incr)) return ctx.ErrNotInteger();
  Entry* e = nullptr;
  if (!LookupHash(ctx, &e)) return;
  int64_t value = 0;
  std::string_view current;
  if (e != nullptr && e->hash()->Get(ctx.arg(2), &current) && !ParseCanonicalInt(current, &value)) {
    return ctx.reply.Error("ERR hash value is not an integer");
  }
  if ((incr < 0 && value < 0 && incr < kInt64Min - value) ||
      (incr > 0 && value > 0 && incr > kInt64Max - value)) {
    return ctx.reply.Error("ERR increment or decrement would overflow");
  }
  value += incr;
  if (e == nullptr) e = CreateHash(ctx);
  SetField(ctx, e->hash(), ctx.arg(2), std::to_string(value));
  ctx.reply.Integer(value);
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kHash, "hincrby", ctx.arg(1));
}

void HIncrByFloatCommand(CommandContext& ctx) {
  long double incr = 0;
  if (!ParseLongDoubleStrict(ctx.arg(3), &incr)) return ctx.ErrNotFloat();
  if (std::isnan(incr) || std::isinf(incr)) return ctx.reply.Error("ERR value is NaN or Infinity");
  Entry* e = nullptr;
  if (!LookupHash(ctx, &e)) return;
  long double value = 0;
  std::string_view current;
  if (e != nullptr && e->hash()->Get(ctx.arg(2), &current) &&
      !ParseLongDoubleStrict(current, &value)) {
    return ctx.reply.Error("ERR hash value is not a float");
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  const std::string result = resp::FormatLongDouble(value);
  if (e == nullptr) e = CreateHash(ctx);
  SetField(ctx, e->hash(), ctx.arg(2), result);
  ctx.reply.Bulk(result);
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kHash, "hincrbyfloat", ctx.arg(1));
  // Replicas and the AOF get the result, so float formatting can never diverge.
  ctx.PropagateAs({"HSET", ctx.arg(1), ctx.arg(2), result});
}

// Redis's parseScanCursorOrReply: strtoul, so "+5", "-1" (wraps) and "" are accepted.
bool ParseScanCursor(const std::string& s, uint64_t* cursor) {
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  errno = 0;
  *cursor = std::strtoull(s.c_str(), &end, 10);
  return *end == '\0' && errno != ERANGE;
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void HScanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply.Error("ERR invalid cursor");
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  if (e == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    return ctx.reply.Array(0);
  }
  int64_t count = 10;
  const std::string* pattern = nullptr;
  for (size_t i = 3; i < ctx.argc; i += 2) {
    const bool has_value = i + 1 < ctx.argc;
    if (ctx.ArgIs(i, "count") && has_value) {
      if (!ParseCanonicalInt(ctx.arg(i + 1), &count)) return ctx.ErrNotInteger();
      if (count < 1) return ctx.ErrSyntax();
    } else if (ctx.ArgIs(i, "match") && has_value) {
      pattern = ctx.arg(i + 1) == "*" ? nullptr : &ctx.arg(i + 1);
    } else {
      return ctx.ErrSyntax();
    }
  }
  const HashValue& h = *e->hash();
  std::vector<HashValue::Pair> found;
  auto collect = [&found](std::string_view f, std::string_view v) { found.emplace_back(f, v); };
  if (h.is_listpack()) {
    // Small hashes are answered in one go with cursor 0, as Redis does for listpacks.
    h.ForEach(collect);
    cursor = 0;
  } else {
    int64_t max_iterations = count > kInt64Max / 10 ? kInt64Max : count * 10;
    do {
      cursor = h.ScanStep(cursor, collect);
    } while (cursor != 0 && max_iterations-- > 0 && int64_t(found.size()) < count);
  }
  if (pattern != nullptr) {
    std::erase_if(found, [&](const HashValue::Pair& p) { return !GlobMatch(*pattern, p.first); });
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(cursor));
  ctx.reply.Array(found.size() * 2);
  for (const auto& [f, v] : found) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

void ReplyPair(CommandContext& ctx, const HashValue::Pair& p, bool withvalues) {
  if (withvalues && ctx.reply.proto() > 2) ctx.reply.Array(2);
  ctx.reply.Bulk(p.first);
  if (withvalues) ctx.reply.Bulk(p.second);
}

// HRANDFIELD key count [WITHVALUES], following Redis's four cases.
void HRandFieldWithCount(CommandContext& ctx, int64_t l, bool withvalues) {
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.EmptyArray();
  const HashValue& h = *e->hash();
  Prng& prng = ctx.keyspace().prng();
  const bool uniq = l >= 0;
  const uint64_t count = uniq ? uint64_t(l) : uint64_t(-l);
  const uint64_t size = h.size();
  if (count == 0) return ctx.reply.EmptyArray();
  const bool flat = withvalues && ctx.reply.proto() == 2;
  // Case 1: repeats allowed (or a single pick): independent random picks.
  if (!uniq || count == 1) {
    ctx.reply.Array(size_t(flat ? count * 2 : count));
    for (uint64_t i = 0; i < count; ++i) ReplyPair(ctx, h.Random(prng), withvalues);
    return;
  }
  const uint64_t n = std::min(count, size);
  ctx.reply.Array(size_t(flat ? n * 2 : n));
  std::vector<HashValue::Pair> pairs;
  if (count >= size) {
    // Case 2: the whole hash.
    h.ForEach([&](std::string_view f, std::string_view v) { ReplyPair(ctx, {f, v}, withvalues); });
  } else if (h.is_listpack()) {
    // Case 2.5: unique picks in listpack order (selection sampling).
    pairs = h.Pairs();
    uint64_t needed = count;
    for (size_t i = 0; i < pairs.size() && needed > 0; ++i) {
      if (prng.Uniform(pairs.size() - i) < needed) {
        ReplyPair(ctx, pairs[i], withvalues);
        --needed;
      }
    }
  } else if (count * 3 > size) {
    // Case 3: copy everything and drop random pairs until `count` remain.
    pairs = h.Pairs();
    while (pairs.size() > count) {
      const size_t victim = size_t(prng.Uniform(pairs.size()));
      pairs[victim] = pairs.back();
      pairs.pop_back();
    }
    for (const auto& p : pairs) ReplyPair(ctx, p, withvalues);
  } else {
    // Case 4: random picks, skipping repeats, until `count` distinct fields.
    std::set<std::string_view> seen;
    while (seen.size() < count) {
      HashValue::Pair p = h.Random(prng);
      if (!seen.insert(p.first).second) continue;
      ReplyPair(ctx, p, withvalues);
    }
  }
}

void HRandFieldCommand(CommandContext& ctx) {
  if (ctx.argc >= 3) {
    int64_t l = 0;
    if (!ParseCanonicalInt(ctx.arg(2), &l)) return ctx.ErrNotInteger();
    if (l == kInt64Min) {
      return ctx.reply.Error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    bool withvalues = false;
    if (ctx.argc > 4 || (ctx.argc == 4 && !ctx.ArgIs(3, "withvalues"))) return ctx.ErrSyntax();
    if (ctx.argc == 4) {
      withvalues = true;
      if (l < -kInt64Max / 2 || l > kInt64Max / 2) {
        return ctx.reply.Error("ERR value is out of range");
      }
    }
    return HRandFieldWithCount(ctx, l, withvalues);
  }
  Entry* e = nullptr;
  if (!LookupHashRead(ctx, &e)) return;
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(e->hash()->Random(ctx.keyspace().prng()).first);
}

}  // namespace

void RegisterHashCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kF = kCmdFast;
  const std::string g = "hash";
  t.Add({"hset", -4, kW | kOom | kF, 1, 1, 1, HSetCommand, g, {}});
  t.Add({"hmset", -4, kW | kOom | kF, 1, 1, 1, HMSetCommand, g, {}});
  t.Add({"hsetnx", 4, kW | kOom | kF, 1, 1, 1, HSetNxCommand, g, {}});
  t.Add({"hget", 3, kR | kF, 1, 1, 1, HGetCommand, g, {}});
  t.Add({"hmget", -3, kR | kF, 1, 1, 1, HMGetCommand, g, {}});
  t.Add({"hdel", -3, kW | kF, 1, 1, 1, HDelCommand, g, {}});
  t.Add({"hlen", 2, kR | kF, 1, 1, 1, HLenCommand, g, {}});
  t.Add({"hexists", 3, kR | kF, 1, 1, 1, HExistsCommand, g, {}});
  t.Add({"hstrlen", 3, kR | kF, 1, 1, 1, HStrLenCommand, g, {}});
  t.Add({"hgetall", 2, kR, 1, 1, 1, HGetAllCommand, g, {}});
  t.Add({"hkeys", 2, kR, 1, 1, 1, HKeysCommand, g, {}});
  t.Add({"hvals", 2, kR, 1, 1, 1, HValsCommand, g, {}});
  t.Add({"hincrby", 4, kW | kOom | kF, 1, 1, 1, HIncrByCommand, g, {}});
  t.Add({"hincrbyfloat", 4, kW | kOom | kF, 1, 1, 1, HIncrByFloatCommand, g, {}});
  t.Add({"hscan", -3, kR, 1, 1, 1, HScanCommand, g, {}});
  t.Add({"hrandfield", -2, kR, 1, 1, 1, HRandFieldCommand, g, {}});
}

}  // namespace vigil::datanode
