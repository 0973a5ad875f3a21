// The GEO family, part one: GEOADD, GEOPOS, GEOHASH, GEODIST. A geo set is an ordinary sorted
// set whose scores are 52-bit geohashes (datanode/store/geohash.h), so every sorted-set
// command works on it and it travels through RDB, DUMP and replication as a sorted set. The
// searches (GEORADIUS*, GEOSEARCH*) live in geo_search_commands.cc.
#include <memory>
#include <string>
#include <vector>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/geo_args.h"
#include "datanode/store/entry.h"
#include "datanode/store/geo_shape.h"
#include "datanode/store/geohash.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {

void RegisterGeoSearchCommands(CommandTable& t);  // geo_search_commands.cc

namespace {

// GEOADD key [NX|XX] [CH] lon lat member ...: Redis turns it into ZADD key [options] score
// member ..., so that ZADD is what replicas and the AOF receive.
void GeoaddCommand(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.argc; ++first) {
    if (ctx.ArgIs(first, "nx")) {
      nx = true;
    } else if (ctx.ArgIs(first, "xx")) {
      xx = true;
    } else if (ctx.ArgIs(first, "ch")) {
      ch = true;
    } else {
      break;
    }
  }
  // No triple at all is ZADD's syntax error too, once the vector is rewritten.
  if ((ctx.argc - first) % 3 != 0 || (xx && nx) || first == ctx.argc) return ctx.ErrSyntax();
  const size_t elements = (ctx.argc - first) / 3;
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    double xy[2];
    if (!geo::ParseLonLat(ctx, first + 3 * j, xy)) return;
    geo::HashBits hash;
    geo::Encode(xy[0], xy[1], geo::kStepMax, &hash);
    scores[j] = double(geo::Align52(hash));
  }
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kZSet)) return;
  if (e == nullptr && xx) return ctx.reply.Integer(0);
  if (e == nullptr) {
    e = Entry::NewZSet(key, std::make_unique<ZSetValue>());
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    ctx.AddKey(e);
  }
  const size_t max_entries = size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_entries));
  const size_t max_value = size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_value));
  ZSetValue* z = e->zset();
  int64_t added = 0, updated = 0;
  for (size_t j = 0; j < elements; ++j) {
    const std::string& member = ctx.arg(first + 3 * j + 2);
    double cur = 0;
    if (z->Score(member, &cur)) {
      if (nx || cur == scores[j]) continue;
      z->Set(member, scores[j], max_entries, max_value);
      ++updated;
    } else if (!xx) {
      z->Set(member, scores[j], max_entries, max_value);
      ++added;
    }
  }
  if (added + updated > 0) {
    ctx.KeyModified(key, added + updated);
    ctx.Notify(notify::kZset, "zadd", key);  // GEOADD runs as ZADD in Redis
    std::vector<std::string> zadd;
    zadd.reserve(first + 2 * elements);
    zadd.emplace_back("zadd");
    for (size_t i = 1; i < first; ++i) zadd.push_back(ctx.arg(i));
    for (size_t j = 0; j < elements; ++j) {
      zadd.push_back(std::to_string(uint64_t(scores[j])));
      zadd.push_back(ctx.arg(first + 3 * j + 2));
    }
    ctx.PropagateAs(std::move(zadd));
  }
  ctx.reply.Integer(ch ? added + updated : added);
}

// The sorted set at argument 1 for a read: nullptr when missing; false after WRONGTYPE.
bool ReadGeoSet(CommandContext& ctx, ZSetValue** out) {
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (!ctx.CheckType(e, ObjType::kZSet)) return false;
  *out = e != nullptr ? e->zset() : nullptr;
  return true;
}

void GeoposCommand(CommandContext& ctx) {
  ZSetValue* z = nullptr;
  if (!ReadGeoSet(ctx, &z)) return;
  ctx.reply.Array(ctx.argc - 2);
  for (size_t i = 2; i < ctx.argc; ++i) {
    double score, xy[2];
    if (z == nullptr || !z->Score(ctx.arg(i), &score) || !geo::DecodeScore(score, xy)) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.Array(2);
    geo::ReplyCoordinate(ctx, xy[0]);
    geo::ReplyCoordinate(ctx, xy[1]);
  }
}

void GeohashCommand(CommandContext& ctx) {
  ZSetValue* z = nullptr;
  if (!ReadGeoSet(ctx, &z)) return;
  ctx.reply.Array(ctx.argc - 2);
  for (size_t i = 2; i < ctx.argc; ++i) {
    double score;
    std::string hash;
    if (z != nullptr && z->Score(ctx.arg(i), &score)) hash = geo::GeohashString(score);
    if (hash.empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(hash);
    }
  }
}

// GEODIST key member1 member2 [unit]: the unit is checked before the key is looked at.
void GeodistCommand(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.argc == 5) {
    to_meters = geo::ParseUnit(ctx, ctx.arg(4));
    if (to_meters < 0) return;
  } else if (ctx.argc > 5) {
    return ctx.ErrSyntax();
  }
  ZSetValue* z = nullptr;
  if (!ReadGeoSet(ctx, &z)) return;
  double s1, s2, a[2], b[2];
  if (z == nullptr || !z->Score(ctx.arg(2), &s1) || !z->Score(ctx.arg(3), &s2) ||
      !geo::DecodeScore(s1, a) || !geo::DecodeScore(s2, b)) {
    return ctx.reply.Null();
  }
  geo::ReplyDistance(ctx, geo::Distance(a[0], a[1], b[0], b[1]) / to_meters);
}

}  // namespace

void RegisterGeoCommands(CommandTable& t) {
  const uint32_t r = kCmdReadonly;
  t.Add({"geoadd", -5, kCmdWrite | kCmdDenyOom, 1, 1, 1, GeoaddCommand, "geo", {}});
  t.Add({"geopos", -2, r, 1, 1, 1, GeoposCommand, "geo", {}});
  t.Add({"geohash", -2, r, 1, 1, 1, GeohashCommand, "geo", {}});
  t.Add({"geodist", -4, r, 1, 1, 1, GeodistCommand, "geo", {}});
  RegisterGeoSearchCommands(t);
}

}  // namespace vigil::datanode
