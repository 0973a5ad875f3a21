// The SORTED SET family, part two: the range reads (ZRANGE and its BYSCORE/BYLEX/REV forms,
// ZRANGESTORE) and set algebra (ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD), with
// Redis 7.0's argument rules, replies and errors.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/entry.h"
#include "datanode/store/set_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

using Node = ZSetValue::Node;

struct Scored {
  std::string member;
  double score;
};

// A freshly built result: skiplist while filling, then the encoding Redis would pick for it.
std::unique_ptr<ZSetValue> BuildResult(CommandContext& ctx, const std::vector<Scored>& items) {
  auto z = std::make_unique<ZSetValue>();
  for (const auto& it : items) z->Set(it.member, it.score, 0, 0);
  z->ChooseEncoding(size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_entries)),
                    size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_value)));
  return z;
}

// Stores a result at `dst` (replacing any value and its TTL), or deletes `dst` when empty.
void StoreResult(CommandContext& ctx, const std::string& dst, const std::vector<Scored>& items,
                 const char* event) {
  ctx.LookupWrite(dst);
  if (items.empty()) {
    ctx.reply.Integer(0);
    if (ctx.db().Delete(dst)) {
      ctx.KeyModified(dst);
      ctx.Notify(notify::kGeneric, "del", dst);
    }
    return;
  }
  auto z = BuildResult(ctx, items);
  const size_t n = z->size();
  Entry* e = Entry::NewZSet(dst, std::move(z));
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  ctx.UpsertKey(e, false);
  ctx.KeyModified(dst);
  ctx.reply.Integer(int64_t(n));
  ctx.Notify(notify::kZset, event, dst);
}

// RESP2: a flat array (member, score, ...); RESP3: an array of [member, score] pairs.
void ReplyScored(CommandContext& ctx, const std::vector<Scored>& items, bool withscores) {
  const bool nested = withscores && ctx.reply.proto() >= 3;
  ctx.reply.Array(withscores && !nested ? items.size() * 2 : items.size());
  for (const auto& it : items) {
    if (nested) ctx.reply.Array(2);
    ctx.reply.Bulk(it.member);
    if (withscores) ctx.reply.Double(it.score);
  }
}

enum class RangeType { kAuto, kRank, kScore, kLex };

struct RangeArgs {
  RangeType type = RangeType::kAuto;
  bool reverse = false;
  bool direction_set = false;  // ZRANGEBYSCORE & co. fix it; only ZRANGE takes REV
  bool withscores = false;
  int64_t offset = 0, limit = -1;
};

// Collects the members a rank range selects.
void CollectByRank(const ZSetValue& z, int64_t start, int64_t end, bool reverse,
                   std::vector<Scored>* out) {
  const int64_t len = int64_t(z.size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return;
  if (end >= len) end = len - 1;
  const Node* n = z.ByRank(size_t(reverse ? len - 1 - start : start));
  for (int64_t i = start; i <= end && n != nullptr; ++i) {
    out->push_back({std::string(n->member()), n->score()});
    n = reverse ? n->prev() : n->next();
  }
}

// Walks from `n` skipping `offset` and taking up to `limit` (negative: all) while `in_range`.
template <typename InRange>
void CollectFrom(const Node* n, int64_t offset, int64_t limit, bool reverse, InRange in_range,
                 std::vector<Scored>* out) {
  while (n != nullptr && offset-- != 0) n = reverse ? n->prev() : n->next();
  while (n != nullptr && limit-- != 0) {
    if (!in_range(n)) break;
    out->push_back({std::string(n->member()), n->score()});
    n = reverse ? n->prev() : n->next();
  }
}

// Redis's zrangeGenericCommand. `src` is the index of the source key; `dst` is set for
// ZRANGESTORE.
void RangeGeneric(CommandContext& ctx, size_t src, const std::string* dst, RangeArgs a) {
  for (size_t j = src + 3; j < ctx.argc; ++j) {
    const size_t left = ctx.argc - j - 1;
    if (dst == nullptr && ctx.ArgIs(j, "withscores")) {
      a.withscores = true;
    } else if (ctx.ArgIs(j, "limit") && left >= 2) {
      if (!ctx.GetInt(j + 1, &a.offset) || !ctx.GetInt(j + 2, &a.limit)) return;
      j += 2;
    } else if (!a.direction_set && ctx.ArgIs(j, "rev")) {
      a.reverse = a.direction_set = true;
    } else if (a.type == RangeType::kAuto && ctx.ArgIs(j, "bylex")) {
      a.type = RangeType::kLex;
    } else if (a.type == RangeType::kAuto && ctx.ArgIs(j, "byscore")) {
      a.type = RangeType::kScore;
    } else {
      return ctx.ErrSyntax();
    }
  }
  if (a.type == RangeType::kAuto) a.type = RangeType::kRank;
  if (a.limit != -1 && a.type == RangeType::kRank) {
    return ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (a.withscores && a.type == RangeType::kLex) {
    return ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  size_t min_idx = src + 1, max_idx = src + 2;
  if (a.reverse && a.type != RangeType::kRank) std::swap(min_idx, max_idx);
  int64_t start = 0, end = 0;
  ZScoreRange sr;
  ZLexRange lr;
  if (a.type == RangeType::kRank) {
    if (!ctx.GetInt(min_idx, &start) || !ctx.GetInt(max_idx, &end)) return;
  } else if (a.type == RangeType::kScore) {
    if (!ParseZScoreRange(ctx.arg(min_idx), ctx.arg(max_idx), &sr)) {
      return ctx.reply.Error("ERR min or max is not a float");
    }
  } else if (!ParseZLexRange(ctx.arg(min_idx), ctx.arg(max_idx), &lr)) {
    return ctx.reply.Error("ERR min or max not valid string range item");
  }
  Entry* e = ctx.LookupRead(ctx.arg(src));
  if (e != nullptr && !ctx.CheckType(e, ObjType::kZSet)) return;
  std::vector<Scored> items;
  if (e != nullptr) {
    const ZSetValue& z = *e->zset();
    if (a.type == RangeType::kRank) {
      CollectByRank(z, start, end, a.reverse, &items);
    } else if (a.offset > 0 && uint64_t(a.offset) >= z.size()) {
      // An offset past the end selects nothing.
    } else if (a.type == RangeType::kScore) {
      const Node* n = a.reverse ? z.LastInRange(sr) : z.FirstInRange(sr);
      CollectFrom(
          n, a.offset, a.limit, a.reverse,
          [&](const Node* x) {
            return a.reverse ? ZSetValue::ScoreGteMin(x->score(), sr)
                             : ZSetValue::ScoreLteMax(x->score(), sr);
          },
          &items);
    } else {
      const Node* n = a.reverse ? z.LastInLexRange(lr) : z.FirstInLexRange(lr);
      CollectFrom(
          n, a.offset, a.limit, a.reverse,
          [&](const Node* x) {
            return a.reverse ? ZSetValue::LexGteMin(x->member(), lr)
                             : ZSetValue::LexLteMax(x->member(), lr);
          },
          &items);
    }
  }
  if (dst != nullptr) return StoreResult(ctx, *dst, items, "zrangestore");
  ReplyScored(ctx, items, a.withscores);
}

RangeArgs Fixed(RangeType t, bool reverse) {
  RangeArgs a;
  a.type = t;
  a.reverse = reverse;
  a.direction_set = true;
  return a;
}

void ZrangeCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 1, nullptr, RangeArgs{});
}
void ZrangestoreCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 2, &ctx.arg(1), RangeArgs{});
}
void ZrevrangeCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 1, nullptr, Fixed(RangeType::kRank, true));
}
void ZrangebyscoreCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 1, nullptr, Fixed(RangeType::kScore, false));
}
void ZrevrangebyscoreCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 1, nullptr, Fixed(RangeType::kScore, true));
}
void ZrangebylexCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 1, nullptr, Fixed(RangeType::kLex, false));
}
void ZrevrangebylexCommand(CommandContext& ctx) {
  RangeGeneric(ctx, 1, nullptr, Fixed(RangeType::kLex, true));
}

// An input of ZUNION & co.: a sorted set, or a set whose members all score 1.
struct Source {
  const ZSetValue* z = nullptr;
  const SetValue* s = nullptr;
  double weight = 1.0;

  size_t size() const { return z != nullptr ? z->size() : (s != nullptr ? s->size() : 0); }
  bool Find(std::string_view m, double* score) const {
    if (z != nullptr) return z->Score(m, score);
    *score = 1.0;
    return s != nullptr && s->Contains(m);
  }
  template <typename Fn>
  void ForEach(Fn fn) const {
    if (z != nullptr) {
      for (const Node* n = z->first(); n != nullptr; n = n->next()) fn(n->member(), n->score());
    } else if (s != nullptr) {
      s->ForEach([&](std::string_view m) { fn(m, 1.0); });
    }
  }
};

enum class Aggregate { kSum, kMin, kMax };
enum class SetAlgebra { kUnion, kInter, kDiff };

void AggregateInto(double* target, double v, Aggregate agg) {
  if (agg == Aggregate::kSum) {
    *target += v;
    if (std::isnan(*target)) *target = 0.0;
  } else if (agg == Aggregate::kMin) {
    *target = std::min(*target, v);
  } else {
    *target = std::max(*target, v);
  }
}

std::vector<Scored> Compute(std::vector<Source> src, SetAlgebra op, Aggregate agg, size_t limit) {
  std::vector<Scored> out;
  if (op != SetAlgebra::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  if (op == SetAlgebra::kInter) {
    src[0].ForEach([&](std::string_view m, double s0) {
      if (limit > 0 && out.size() >= limit) return;
      double score = src[0].weight * s0;
      if (std::isnan(score)) score = 0;
      for (size_t j = 1; j < src.size(); ++j) {
        double v = 0;
        if (!src[j].Find(m, &v)) return;
        AggregateInto(&score, v * src[j].weight, agg);
      }
      out.push_back({std::string(m), score});
    });
  } else if (op == SetAlgebra::kUnion) {
    std::unordered_map<std::string, size_t> pos;
    for (const Source& s : src) {
      s.ForEach([&](std::string_view m, double v) {
        double score = s.weight * v;
        if (std::isnan(score)) score = 0;
        auto [it, inserted] = pos.emplace(std::string(m), out.size());
        if (inserted) {
          out.push_back({std::string(m), score});
        } else {
          AggregateInto(&out[it->second].score, score, agg);
        }
      });
    }
  } else {
    src[0].ForEach([&](std::string_view m, double s0) {
      double v = 0;
      for (size_t j = 1; j < src.size(); ++j) {
        if (src[j].Find(m, &v)) return;
      }
      out.push_back({std::string(m), s0});
    });
  }
  return out;
}

// Redis's zunionInterDiffGenericCommand: numkeys at `numkeys_idx`, results stored at `dst`,
// replied, or (ZINTERCARD) counted.
void AlgebraGeneric(CommandContext& ctx, const std::string* dst, size_t numkeys_idx, SetAlgebra op,
                    bool cardinality_only) {
  int64_t setnum = 0;
  if (!ctx.GetInt(numkeys_idx, &setnum)) return;
  if (setnum < 1) {
    std::string name = ctx.arg(0);
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ctx.reply.Error("ERR at least 1 input key is needed for '" + name + "' command");
  }
  if (setnum > int64_t(ctx.argc - numkeys_idx - 1)) return ctx.ErrSyntax();
  std::vector<Source> src(static_cast<size_t>(setnum));
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < src.size(); ++i, ++j) {
    Entry* e = ctx.LookupRead(ctx.arg(j));  // a read lookup even for the STORE forms, as Redis
    if (e == nullptr) continue;
    if (e->type() == ObjType::kZSet) {
      src[i].z = e->zset();
    } else if (e->type() == ObjType::kSet) {
      src[i].s = e->set();
    } else {
      return ctx.ErrWrongType();
    }
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  while (j < ctx.argc) {
    const size_t remaining = ctx.argc - j;
    const bool algebra_opts = op != SetAlgebra::kDiff && !cardinality_only;
    if (algebra_opts && remaining >= src.size() + 1 && ctx.ArgIs(j, "weights")) {
      ++j;
      for (size_t i = 0; i < src.size(); ++i, ++j) {
        if (!ParseDoubleStrict(ctx.arg(j), &src[i].weight)) {
          return ctx.reply.Error("ERR weight value is not a float");
        }
      }
    } else if (algebra_opts && remaining >= 2 && ctx.ArgIs(j, "aggregate")) {
      if (ctx.ArgIs(j + 1, "sum")) {
        agg = Aggregate::kSum;
      } else if (ctx.ArgIs(j + 1, "min")) {
        agg = Aggregate::kMin;
      } else if (ctx.ArgIs(j + 1, "max")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.ErrSyntax();
      }
      j += 2;
    } else if (dst == nullptr && !cardinality_only && ctx.ArgIs(j, "withscores")) {
      withscores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && ctx.ArgIs(j, "limit")) {
      if (!ctx.GetIntInRange(j + 1, 0, INT64_MAX, &limit, "ERR LIMIT can't be negative")) return;
      j += 2;
    } else {
      return ctx.ErrSyntax();
    }
  }
  std::vector<Scored> items = Compute(std::move(src), op, agg, size_t(limit));
  if (cardinality_only) return ctx.reply.Integer(int64_t(items.size()));
  static constexpr const char* kEvents[] = {"zunionstore", "zinterstore", "zdiffstore"};
  if (dst != nullptr) return StoreResult(ctx, *dst, items, kEvents[int(op)]);
  auto z = BuildResult(ctx, items);
  items.clear();
  for (const Node* n = z->first(); n != nullptr; n = n->next()) {
    items.push_back({std::string(n->member()), n->score()});
  }
  ReplyScored(ctx, items, withscores);
}

void ZunionstoreCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, &ctx.arg(1), 2, SetAlgebra::kUnion, false);
}
void ZinterstoreCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, &ctx.arg(1), 2, SetAlgebra::kInter, false);
}
void ZdiffstoreCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, &ctx.arg(1), 2, SetAlgebra::kDiff, false);
}
void ZunionCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, nullptr, 1, SetAlgebra::kUnion, false);
}
void ZinterCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, nullptr, 1, SetAlgebra::kInter, false);
}
void ZdiffCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, nullptr, 1, SetAlgebra::kDiff, false);
}
void ZintercardCommand(CommandContext& ctx) {
  AlgebraGeneric(ctx, nullptr, 1, SetAlgebra::kInter, true);
}

void Add(CommandTable& t, const char* name, int arity, uint32_t flags, int first, int last,
         int step, CommandFn fn) {
  t.Add(CommandSpec{name, arity, flags, first, last, step, fn, "sorted_set", {}});
}

}  // namespace

void RegisterZSetRangeCommands(CommandTable& t) {
  const uint32_t w = kCmdWrite, r = kCmdReadonly, oom = kCmdDenyOom;
  Add(t, "zrange", -4, r, 1, 1, 1, ZrangeCommand);
  Add(t, "zrangebyscore", -4, r, 1, 1, 1, ZrangebyscoreCommand);
  Add(t, "zrevrange", -4, r, 1, 1, 1, ZrevrangeCommand);
  Add(t, "zrevrangebyscore", -4, r, 1, 1, 1, ZrevrangebyscoreCommand);
  Add(t, "zrangebylex", -4, r, 1, 1, 1, ZrangebylexCommand);
  Add(t, "zrevrangebylex", -4, r, 1, 1, 1, ZrevrangebylexCommand);
  Add(t, "zrangestore", -5, w | oom, 1, 2, 1, ZrangestoreCommand);
  Add(t, "zunionstore", -4, w | oom, 1, 1, 1, ZunionstoreCommand);
  Add(t, "zinterstore", -4, w | oom, 1, 1, 1, ZinterstoreCommand);
  Add(t, "zdiffstore", -4, w | oom, 1, 1, 1, ZdiffstoreCommand);
  Add(t, "zunion", -3, r, 0, 0, 0, ZunionCommand);
  Add(t, "zinter", -3, r, 0, 0, 0, ZinterCommand);
  Add(t, "zdiff", -3, r, 0, 0, 0, ZdiffCommand);
  Add(t, "zintercard", -3, r, 0, 0, 0, ZintercardCommand);
}

}  // namespace vigil::datanode
