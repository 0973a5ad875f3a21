// The SET family (SADD ... SSCAN) with Redis 7.0's replies, errors and encoding rules.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/base/glob.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/entry.h"
#include "datanode/store/set_value.h"

namespace vigil::datanode {
namespace {

constexpr int64_t kLongMax = INT64_MAX;

size_t MaxIntset(CommandContext& ctx) {
  return size_t(std::max<int64_t>(0, ctx.config().set_max_intset_entries));
}

// The set at `key` for reading: nullptr with *ok when missing, !*ok after a WRONGTYPE reply.
SetValue* ReadSet(CommandContext& ctx, const std::string& key, bool* ok) {
  Entry* e = ctx.LookupRead(key);
  *ok = ctx.CheckType(e, ObjType::kSet);
  return (*ok && e != nullptr) ? e->set() : nullptr;
}

SetValue* WriteSet(CommandContext& ctx, const std::string& key, bool* ok) {
  Entry* e = ctx.LookupWrite(key);
  *ok = ctx.CheckType(e, ObjType::kSet);
  return (*ok && e != nullptr) ? e->set() : nullptr;
}

SetValue* CreateSet(CommandContext& ctx, const std::string& key) {
  Entry* e = Entry::NewSet(key, std::make_unique<SetValue>());
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  ctx.AddKey(e);
  return e->set();
}

void ReplyMembers(CommandContext& ctx, const SetValue& s) {
  ctx.reply.Set(s.size());
  s.ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
}

// Stores a computed set at `dst` (replacing any value and its TTL) or deletes `dst` when the
// result is empty, replying with the result's size, as Redis's *STORE commands do.
void StoreResult(CommandContext& ctx, const std::string& dst, std::unique_ptr<SetValue> v,
                 const char* event) {
  ctx.LookupWrite(dst);
  if (v->empty()) {
    ctx.reply.Integer(0);
    if (ctx.db().Delete(dst)) {
      ctx.KeyModified(dst);
      ctx.Notify(notify::kGeneric, "del", dst);
    }
    return;
  }
  const size_t n = v->size();
  Entry* e = Entry::NewSet(dst, std::move(v));
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  ctx.UpsertKey(e, false);
  ctx.KeyModified(dst);
  ctx.reply.Integer(int64_t(n));
  ctx.Notify(notify::kSet, event, dst);
}

void SaddCommand(CommandContext& ctx) {
  bool ok = false;
  SetValue* s = WriteSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (s == nullptr) s = CreateSet(ctx, ctx.arg(1));
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc; ++i) added += s->Add(ctx.arg(i), MaxIntset(ctx)) ? 1 : 0;
  if (added > 0) {
    ctx.KeyModified(ctx.arg(1), added);
    ctx.Notify(notify::kSet, "sadd", ctx.arg(1));
  }
  ctx.reply.Integer(added);
}

void SremCommand(CommandContext& ctx) {
  bool ok = false;
  SetValue* s = WriteSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  int64_t removed = 0;
  for (size_t i = 2; s != nullptr && i < ctx.argc && !s->empty(); ++i) {
    removed += s->Remove(ctx.arg(i)) ? 1 : 0;
  }
  if (removed > 0) {
    const bool now_empty = s->empty();
    if (now_empty) ctx.db().Delete(ctx.arg(1));
    ctx.KeyModified(ctx.arg(1), removed);
    ctx.Notify(notify::kSet, "srem", ctx.arg(1));
    if (now_empty) ctx.Notify(notify::kGeneric, "del", ctx.arg(1));
  }
  ctx.reply.Integer(removed);
}

void SmembersCommand(CommandContext& ctx) {
  bool ok = false;
  SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (s == nullptr) {
    ctx.reply.Set(0);
    return;
  }
  ReplyMembers(ctx, *s);
}

void SismemberCommand(CommandContext& ctx) {
  bool ok = false;
  SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ctx.reply.Integer(s != nullptr && s->Contains(ctx.arg(2)) ? 1 : 0);
}

void SmismemberCommand(CommandContext& ctx) {
  bool ok = false;
  SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ctx.reply.Array(ctx.argc - 2);
  for (size_t i = 2; i < ctx.argc; ++i) {
    ctx.reply.Integer(s != nullptr && s->Contains(ctx.arg(i)) ? 1 : 0);
  }
}

void ScardCommand(CommandContext& ctx) {
  bool ok = false;
  SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ctx.reply.Integer(s == nullptr ? 0 : int64_t(s->size()));
}

std::string PopRandom(CommandContext& ctx, SetValue* s) {
  std::string m = s->SampleAt(size_t(ctx.keyspace().prng().Uniform(s->size())));
  s->Remove(m);
  return m;
}

// SPOP key count. Redis replicates the removed members as SREM batches of at most 1024 (or a
// DEL when the whole set goes), so replicas and the AOF do not depend on our random choices.
void SpopWithCount(CommandContext& ctx) {
  int64_t count = 0;
  if (!ctx.GetIntInRange(2, 0, kLongMax, &count, "ERR value is out of range, must be positive")) {
    return;
  }
  const std::string& key = ctx.arg(1);
  bool ok = false;
  SetValue* s = WriteSet(ctx, key, &ok);
  if (!ok) return;
  if (s == nullptr || count == 0) {
    ctx.reply.Set(0);
    return;
  }
  ctx.Notify(notify::kSet, "spop", key);
  if (uint64_t(count) >= s->size()) {
    ReplyMembers(ctx, *s);
    ctx.db().Delete(key);
    ctx.Notify(notify::kGeneric, "del", key);
    ctx.PropagateAs({"DEL", key});
    ctx.KeyModified(key);
    return;
  }
  std::vector<std::string> popped;
  const size_t remaining = s->size() - size_t(count);
  if (remaining * 5 > size_t(count)) {
    for (int64_t i = 0; i < count; ++i) popped.push_back(PopRandom(ctx, s));
  } else {
    // Few members stay: move those to a fresh set (which may be an intset again) and hand out
    // everything else, as Redis's third SPOP strategy does.
    auto fresh = std::make_unique<SetValue>();
    for (size_t i = 0; i < remaining; ++i) fresh->Add(PopRandom(ctx, s), MaxIntset(ctx));
    popped = s->Members();
    Entry* e = Entry::NewSet(key, std::move(fresh));
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    ctx.db().Overwrite(e, true);
  }
  ctx.reply.Set(popped.size());
  for (const auto& m : popped) ctx.reply.Bulk(m);
  for (size_t i = 0; i < popped.size(); i += 1024) {
    std::vector<std::string> srem = {"SREM", key};
    for (size_t j = i; j < popped.size() && j < i + 1024; ++j) srem.push_back(popped[j]);
    ctx.PropagateAs(std::move(srem));
  }
  ctx.KeyModified(key, count);
}

void SpopCommand(CommandContext& ctx) {
  if (ctx.argc == 3) {
    SpopWithCount(ctx);
    return;
  }
  if (ctx.argc > 3) {
    ctx.ErrSyntax();
    return;
  }
  const std::string& key = ctx.arg(1);
  bool ok = false;
  SetValue* s = WriteSet(ctx, key, &ok);
  if (!ok) return;
  if (s == nullptr) {
    ctx.reply.Null();
    return;
  }
  std::string m = PopRandom(ctx, s);
  ctx.Notify(notify::kSet, "spop", key);
  ctx.reply.Bulk(m);
  if (s->empty()) {
    ctx.db().Delete(key);
    ctx.Notify(notify::kGeneric, "del", key);
  }
  ctx.PropagateAs({"SREM", key, m});
  ctx.KeyModified(key);
}

void SrandmemberCommand(CommandContext& ctx) {
  if (ctx.argc > 3) {
    ctx.ErrSyntax();
    return;
  }
  Prng& prng = ctx.keyspace().prng();
  if (ctx.argc == 2) {
    bool ok = false;
    SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
    if (!ok) return;
    if (s == nullptr) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(s->SampleAt(size_t(prng.Uniform(s->size()))));
    }
    return;
  }
  int64_t l = 0;
  if (!ctx.GetInt(2, &l)) return;
  if (l < -kLongMax) {
    ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return;
  }
  bool ok = false;
  SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (s == nullptr || l == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  const bool uniq = l > 0;
  const uint64_t count = uniq ? uint64_t(l) : uint64_t(-l);
  if (!uniq || count == 1) {
    ctx.reply.Array(count);
    for (uint64_t i = 0; i < count; ++i)
      ctx.reply.Bulk(s->SampleAt(size_t(prng.Uniform(s->size()))));
    return;
  }
  if (count >= s->size()) {
    ctx.reply.Array(s->size());
    s->ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
    return;
  }
  ctx.reply.Array(count);
  if (count * 3 <= s->size()) {
    // Few of many: draw positions until `count` distinct ones came up (Redis's fourth case),
    // without an index array the size of the set.
    std::unordered_set<size_t> chosen;
    while (chosen.size() < count) {
      const size_t i = size_t(prng.Uniform(s->size()));
      if (chosen.insert(i).second) ctx.reply.Bulk(s->SampleAt(i));
    }
    return;
  }
  // Distinct random positions (partial Fisher-Yates over the index range).
  std::vector<size_t> idx(s->size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  for (size_t i = 0; i < count; ++i) {
    size_t j = i + size_t(prng.Uniform(idx.size() - i));
    std::swap(idx[i], idx[j]);
    ctx.reply.Bulk(s->SampleAt(idx[i]));
  }
}

void SmoveCommand(CommandContext& ctx) {
  const std::string& src_key = ctx.arg(1);
  const std::string& dst_key = ctx.arg(2);
  const std::string& member = ctx.arg(3);
  Entry* src = ctx.LookupWrite(src_key);
  Entry* dst = ctx.LookupWrite(dst_key);
  if (src == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (!ctx.CheckType(src, ObjType::kSet) || !ctx.CheckType(dst, ObjType::kSet)) return;
  if (src == dst) {
    ctx.reply.Integer(src->set()->Contains(member) ? 1 : 0);
    return;
  }
  if (!src->set()->Remove(member)) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.Notify(notify::kSet, "srem", src_key);
  if (src->set()->empty()) {
    ctx.db().Delete(src_key);
    ctx.Notify(notify::kGeneric, "del", src_key);
  }
  SetValue* d = dst != nullptr ? dst->set() : CreateSet(ctx, dst_key);
  ctx.KeyModified(src_key);
  if (d->Add(member, MaxIntset(ctx))) {
    ctx.KeyModified(dst_key);
    ctx.Notify(notify::kSet, "sadd", dst_key);
  }
  ctx.reply.Integer(1);
}

// Looks up every set for SINTER/SUNION/SDIFF; missing keys are nullptr. False after WRONGTYPE.
bool LookupSets(CommandContext& ctx, size_t first, size_t n, std::vector<SetValue*>* out) {
  for (size_t i = first; i < first + n; ++i) {
    Entry* e = ctx.LookupRead(ctx.arg(i));
    if (!ctx.CheckType(e, ObjType::kSet)) return false;
    out->push_back(e != nullptr ? e->set() : nullptr);
  }
  return true;
}

// Intersection of `sets` (all present), iterating the smallest one first. Stops after `limit`
// members when limit > 0.
std::unique_ptr<SetValue> Intersect(std::vector<SetValue*> sets, size_t limit, size_t max_intset) {
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
  auto out = std::make_unique<SetValue>();
  sets[0]->ForEach([&](std::string_view m) {
    if (limit > 0 && out->size() >= limit) return;
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != sets[0] && !sets[j]->Contains(m)) return;
    }
    out->Add(m, max_intset);
  });
  return out;
}

enum class SetOp { kInter, kUnion, kDiff };

// SINTER/SUNION/SDIFF and their STORE forms. `first` is the first source key argument.
void SetOpGeneric(CommandContext& ctx, SetOp op, size_t first, const std::string* dst) {
  std::vector<SetValue*> sets;
  if (!LookupSets(ctx, first, ctx.argc - first, &sets)) return;
  const size_t max_intset = MaxIntset(ctx);
  auto result = std::make_unique<SetValue>();
  if (op == SetOp::kInter) {
    if (std::find(sets.begin(), sets.end(), nullptr) == sets.end()) {
      result = Intersect(sets, 0, max_intset);
    }
  } else if (op == SetOp::kUnion) {
    for (SetValue* s : sets) {
      if (s != nullptr) s->ForEach([&](std::string_view m) { result->Add(m, max_intset); });
    }
  } else if (sets[0] != nullptr) {
    const bool sameset = std::find(sets.begin() + 1, sets.end(), sets[0]) != sets.end();
    if (!sameset) {
      sets[0]->ForEach([&](std::string_view m) {
        for (size_t j = 1; j < sets.size(); ++j) {
          if (sets[j] != nullptr && sets[j]->Contains(m)) return;
        }
        result->Add(m, max_intset);
      });
    }
  }
  if (dst == nullptr) {
    ReplyMembers(ctx, *result);
  } else {
    static constexpr const char* kEvents[] = {"sinterstore", "sunionstore", "sdiffstore"};
    StoreResult(ctx, *dst, std::move(result), kEvents[int(op)]);
  }
}

void SinterCommand(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kInter, 1, nullptr);
}
void SunionCommand(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kUnion, 1, nullptr);
}
void SdiffCommand(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kDiff, 1, nullptr);
}
void SinterstoreCommand(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kInter, 2, &ctx.arg(1));
}
void SunionstoreCommand(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kUnion, 2, &ctx.arg(1));
}
void SdiffstoreCommand(CommandContext& ctx) {
  SetOpGeneric(ctx, SetOp::kDiff, 2, &ctx.arg(1));
}

void SintercardCommand(CommandContext& ctx) {
  int64_t numkeys = 0;
  if (!ctx.GetIntInRange(1, 1, kLongMax, &numkeys, "ERR numkeys should be greater than 0")) return;
  if (numkeys > int64_t(ctx.argc) - 2) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  int64_t limit = 0;
  for (size_t j = 2 + size_t(numkeys); j < ctx.argc; ++j) {
    if (ctx.ArgIs(j, "limit") && j + 1 < ctx.argc) {
      ++j;
      if (!ctx.GetIntInRange(j, 0, kLongMax, &limit, "ERR LIMIT can't be negative")) return;
    } else {
      ctx.ErrSyntax();
      return;
    }
  }
  std::vector<SetValue*> sets;
  if (!LookupSets(ctx, 2, size_t(numkeys), &sets)) return;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.reply.Integer(int64_t(Intersect(sets, size_t(limit), 0)->size()));
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

void SscanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseCursor(ctx, 2, &cursor)) return;
  bool ok = false;
  SetValue* s = ReadSet(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (s == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.EmptyArray();
    return;
  }
  int64_t count = 10;
  const std::string* pattern = nullptr;
  for (size_t i = 3; i < ctx.argc; i += 2) {
    if (ctx.ArgIs(i, "count") && i + 1 < ctx.argc) {
      if (!ctx.GetInt(i + 1, &count)) return;
      if (count < 1) {
        ctx.ErrSyntax();
        return;
      }
    } else if (ctx.ArgIs(i, "match") && i + 1 < ctx.argc) {
      pattern = &ctx.arg(i + 1);
    } else {
      ctx.ErrSyntax();
      return;
    }
  }
  const bool match_all = pattern == nullptr || *pattern == "*";
  std::vector<std::string> items;
  uint64_t next = s->Scan(cursor, size_t(count), [&](std::string_view m) {
    if (match_all || GlobMatch(*pattern, m)) items.emplace_back(m);
  });
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(items.size());
  for (const auto& m : items) ctx.reply.Bulk(m);
}

void Add(CommandTable& t, const char* name, int arity, uint32_t flags, int first, int last,
         int step, CommandFn fn) {
  t.Add(CommandSpec{name, arity, flags, first, last, step, fn, "set", {}});
}

}  // namespace

void RegisterSetCommands(CommandTable& t) {
  const uint32_t w = kCmdWrite, r = kCmdReadonly, oom = kCmdDenyOom, f = kCmdFast;
  Add(t, "sadd", -3, w | oom | f, 1, 1, 1, SaddCommand);
  Add(t, "srem", -3, w | f, 1, 1, 1, SremCommand);
  Add(t, "smembers", 2, r, 1, 1, 1, SmembersCommand);
  Add(t, "sismember", 3, r | f, 1, 1, 1, SismemberCommand);
  Add(t, "smismember", -3, r | f, 1, 1, 1, SmismemberCommand);
  Add(t, "scard", 2, r | f, 1, 1, 1, ScardCommand);
  Add(t, "spop", -2, w | f, 1, 1, 1, SpopCommand);
  Add(t, "srandmember", -2, r, 1, 1, 1, SrandmemberCommand);
  Add(t, "smove", 4, w | f, 1, 2, 1, SmoveCommand);
  Add(t, "sinter", -2, r, 1, -1, 1, SinterCommand);
  Add(t, "sunion", -2, r, 1, -1, 1, SunionCommand);
  Add(t, "sdiff", -2, r, 1, -1, 1, SdiffCommand);
  Add(t, "sinterstore", -3, w | oom, 1, -1, 1, SinterstoreCommand);
  Add(t, "sunionstore", -3, w | oom, 1, -1, 1, SunionstoreCommand);
  Add(t, "sdiffstore", -3, w | oom, 1, -1, 1, SdiffstoreCommand);
  Add(t, "sintercard", -3, r, 0, 0, 0, SintercardCommand);
  Add(t, "sscan", -3, r, 1, 1, 1, SscanCommand);
}

}  // namespace vigil::datanode
