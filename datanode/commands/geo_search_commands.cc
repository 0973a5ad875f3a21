// The GEO family, part two: GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and
// GEOSEARCHSTORE, one parser and one search as in Redis 7.0. A search scans the score ranges of
// the centre's geohash box and its neighbours (datanode/store/geo_shape.h), keeps the points
// inside the shape, sorts them by distance when asked (or when COUNT needs the nearest), and
// replies or stores them as a sorted set.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/geo_args.h"
#include "datanode/store/entry.h"
#include "datanode/store/geo_shape.h"
#include "datanode/store/geohash.h"
#include "datanode/store/partial_quicksort.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

enum SearchFlags : unsigned {
  kFromCoords = 1 << 0,  // GEORADIUS: centre given as lon lat
  kFromMember = 1 << 1,  // GEORADIUSBYMEMBER: centre is a member's position
  kNoStore = 1 << 2,     // the _RO forms: STORE/STOREDIST are syntax errors
  kSearch = 1 << 3,      // GEOSEARCH's FROM*/BY* argument style
  kSearchStore = 1 << 4  // GEOSEARCHSTORE: destination first, STOREDIST without a key
};

enum class Order { kNone, kAsc, kDesc };

struct Point {
  double lon, lat, dist, score;
  std::string member;
};

// Appends the points of `z` with scores in [min, max) that lie inside the shape, stopping once
// `limit` points (0: no limit) have been collected in total.
void CollectRange(const ZSetValue& z, double min, double max, const geo::Shape& shape, size_t limit,
                  std::vector<Point>* out) {
  const ZScoreRange range{min, max, false, true};
  for (const ZSetValue::Node* n = z.FirstInRange(range);
       n != nullptr && ZSetValue::ScoreLteMax(n->score(), range); n = n->next()) {
    double xy[2], dist = 0;
    if (geo::WithinShape(shape, n->score(), xy, &dist)) {
      out->push_back(Point{xy[0], xy[1], dist, n->score(), std::string(n->member())});
    }
    if (!out->empty() && limit != 0 && out->size() >= limit) break;
  }
}

// Scans the centre box then its neighbours in Redis's order. With a very large radius
// adjacent neighbours can be the same box; a box equal to the last one scanned is skipped
// (the comparison only starts once a neighbour, not the centre, has been scanned, as in Redis).
void CollectAll(const ZSetValue& z, const geo::SearchArea& area, const geo::Shape& shape,
                size_t limit, std::vector<Point>* out) {
  const geo::Neighbors& n = area.neighbors;
  const geo::HashBits boxes[9] = {area.hash,    n.north,      n.south,      n.east,      n.west,
                                  n.north_east, n.north_west, n.south_east, n.south_west};
  size_t last = 0;
  for (size_t i = 0; i < 9; ++i) {
    if (boxes[i].zero()) continue;
    if (last != 0 && boxes[i] == boxes[last]) continue;
    if (!out->empty() && limit != 0 && out->size() >= limit) break;
    uint64_t min, max;
    geo::ScoresOfBox(boxes[i], &min, &max);
    CollectRange(z, double(min), double(max), shape, limit, out);
    last = i;
  }
}

int CompareDistance(const Point& a, const Point& b) {
  if (a.dist > b.dist) return 1;
  if (a.dist == b.dist) return 0;
  return -1;
}

// A full sort is glibc's qsort in Redis, a stable merge sort; a partial one is pqsort.
void SortPoints(std::vector<Point>* points, size_t returned, Order order) {
  const bool asc = order == Order::kAsc;
  if (returned == points->size()) {
    std::stable_sort(points->begin(), points->end(), [asc](const Point& a, const Point& b) {
      return asc ? a.dist < b.dist : a.dist > b.dist;
    });
  } else {
    PartialQuicksort(*points, 0, returned - 1, [asc](const Point& a, const Point& b) {
      return asc ? CompareDistance(a, b) : -CompareDistance(a, b);
    });
  }
}

struct SearchRequest {
  size_t src_index = 1;
  unsigned flags = 0;
  geo::Shape shape;
  const std::string* store_key = nullptr;
  bool store_dist = false;
  bool with_dist = false, with_hash = false, with_coord = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  bool any = false;
  Order order = Order::kNone;
  int64_t count = 0;  // 0: unlimited
};

// Parses the options after the fixed arguments; false once an error was answered.
bool ParseOptions(CommandContext& ctx, size_t base, const ZSetValue* z, SearchRequest* q) {
  const unsigned flags = q->flags;
  const bool search = flags & kSearch;
  const bool may_store = !(flags & kNoStore) && !search;
  const size_t remaining = ctx.argc - base;
  for (size_t i = 0; i < remaining; ++i) {
    const size_t at = base + i;
    if (ctx.ArgIs(at, "withdist")) {
      q->with_dist = true;
    } else if (ctx.ArgIs(at, "withhash")) {
      q->with_hash = true;
    } else if (ctx.ArgIs(at, "withcoord")) {
      q->with_coord = true;
    } else if (ctx.ArgIs(at, "any")) {
      q->any = true;
    } else if (ctx.ArgIs(at, "asc")) {
      q->order = Order::kAsc;
    } else if (ctx.ArgIs(at, "desc")) {
      q->order = Order::kDesc;
    } else if (ctx.ArgIs(at, "count") && i + 1 < remaining) {
      if (!ctx.GetInt(at + 1, &q->count)) return false;
      if (q->count <= 0) {
        ctx.reply.Error("ERR COUNT must be > 0");
        return false;
      }
      ++i;
    } else if ((ctx.ArgIs(at, "store") || ctx.ArgIs(at, "storedist")) && i + 1 < remaining &&
               may_store) {
      q->store_key = &ctx.arg(at + 1);
      q->store_dist = ctx.ArgIs(at, "storedist");
      ++i;
    } else if (ctx.ArgIs(at, "storedist") && search && (flags & kSearchStore)) {
      q->store_dist = true;
    } else if (ctx.ArgIs(at, "frommember") && i + 1 < remaining && search && !q->from_lonlat) {
      // Without a source key the member is not looked up: parsing goes on and the missing key
      // decides the reply.
      if (z != nullptr) {
        double score;
        if (!z->Score(ctx.arg(at + 1), &score) || !geo::DecodeScore(score, q->shape.xy)) {
          ctx.reply.Error("ERR could not decode requested zset member");
          return false;
        }
      }
      q->from_member = true;
      ++i;
    } else if (ctx.ArgIs(at, "fromlonlat") && i + 2 < remaining && search && !q->from_member) {
      if (!geo::ParseLonLat(ctx, at + 1, q->shape.xy)) return false;
      q->from_lonlat = true;
      i += 2;
    } else if (ctx.ArgIs(at, "byradius") && i + 2 < remaining && search && !q->by_box) {
      if (!geo::ParseRadius(ctx, at + 1, &q->shape.radius, &q->shape.conversion)) return false;
      q->shape.type = geo::Shape::Type::kCircle;
      q->by_radius = true;
      i += 2;
    } else if (ctx.ArgIs(at, "bybox") && i + 3 < remaining && search && !q->by_radius) {
      if (!geo::ParseBox(ctx, at + 1, &q->shape.width, &q->shape.height, &q->shape.conversion)) {
        return false;
      }
      q->shape.type = geo::Shape::Type::kBox;
      q->by_box = true;
      i += 3;
    } else {
      ctx.ErrSyntax();
      return false;
    }
  }
  return true;
}

// Checks that only make sense once every option is known, in Redis's order.
bool ValidateOptions(CommandContext& ctx, const SearchRequest& q) {
  if (q.store_key != nullptr && (q.with_dist || q.with_hash || q.with_coord)) {
    ctx.reply.Error(std::string("ERR ") +
                    (q.flags & kSearchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                    " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    return false;
  }
  if ((q.flags & kSearch) && !(q.from_member || q.from_lonlat)) {
    ctx.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                    ctx.arg(0));
    return false;
  }
  if ((q.flags & kSearch) && !(q.by_radius || q.by_box)) {
    ctx.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + ctx.arg(0));
    return false;
  }
  if (q.any && q.count == 0) {
    ctx.reply.Error("ERR the ANY argument requires COUNT argument");
    return false;
  }
  return true;
}

void ReplyPoints(CommandContext& ctx, const SearchRequest& q, std::vector<Point>& points,
                 size_t returned) {
  const size_t options = size_t(q.with_dist) + size_t(q.with_hash) + size_t(q.with_coord);
  ctx.reply.Array(returned);
  for (size_t i = 0; i < returned; ++i) {
    const Point& p = points[i];
    if (options > 0) ctx.reply.Array(options + 1);
    ctx.reply.Bulk(p.member);
    if (q.with_dist) geo::ReplyDistance(ctx, p.dist / q.shape.conversion);
    if (q.with_hash) ctx.reply.Integer(int64_t(p.score));
    if (q.with_coord) {
      ctx.reply.Array(2);
      geo::ReplyCoordinate(ctx, p.lon);
      geo::ReplyCoordinate(ctx, p.lat);
    }
  }
}

// Replaces the destination with the first `returned` points (scored by geohash, or by
// distance in the request's unit with STOREDIST); no points delete it.
void StorePoints(CommandContext& ctx, const SearchRequest& q, std::vector<Point>& points,
                 size_t returned) {
  const std::string& dst = *q.store_key;
  if (returned == 0) {
    if (ctx.db().Delete(dst)) {
      ctx.KeyModified(dst);
      ctx.Notify(notify::kGeneric, "del", dst);
    }
    return ctx.reply.Integer(0);
  }
  ctx.LookupWrite(dst);
  auto z = std::make_unique<ZSetValue>();
  for (size_t i = 0; i < returned; ++i) {
    const Point& p = points[i];
    z->Set(p.member, q.store_dist ? p.dist / q.shape.conversion : p.score, 0, 0);
  }
  z->ChooseEncoding(size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_entries)),
                    size_t(std::max<int64_t>(0, ctx.config().zset_max_listpack_value)));
  Entry* e = Entry::NewZSet(dst, std::move(z));
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  ctx.UpsertKey(e, false);
  ctx.KeyModified(dst, int64_t(returned));
  ctx.Notify(notify::kZset, (q.flags & kSearchStore) ? "geosearchstore" : "georadiusstore", dst);
  ctx.reply.Integer(int64_t(returned));
}

void SearchGeneric(CommandContext& ctx, size_t src_index, unsigned flags) {
  SearchRequest q;
  q.flags = flags;
  Entry* src = ctx.LookupRead(ctx.arg(src_index));
  if (!ctx.CheckType(src, ObjType::kZSet)) return;
  const ZSetValue* z = src != nullptr ? src->zset() : nullptr;

  size_t base;
  if (flags & kFromCoords) {
    base = 6;
    if (!geo::ParseLonLat(ctx, 2, q.shape.xy)) return;
    if (!geo::ParseRadius(ctx, 4, &q.shape.radius, &q.shape.conversion)) return;
  } else if (flags & kFromMember) {
    base = 5;
    // Without a source key the member and radius are not examined at all.
    if (z != nullptr) {
      double score;
      if (!z->Score(ctx.arg(2), &score) || !geo::DecodeScore(score, q.shape.xy)) {
        return ctx.reply.Error("ERR could not decode requested zset member");
      }
      if (!geo::ParseRadius(ctx, 3, &q.shape.radius, &q.shape.conversion)) return;
    }
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      q.store_key = &ctx.arg(1);
    }
  }
  if (!ParseOptions(ctx, base, z, &q) || !ValidateOptions(ctx, q)) return;

  if (z == nullptr) {
    if (q.store_key == nullptr) return ctx.reply.EmptyArray();
    if (ctx.db().Delete(*q.store_key)) ctx.KeyModified(*q.store_key);
    return ctx.reply.Integer(0);
  }
  // COUNT alone asks for the nearest points, which needs them sorted (ANY does not).
  if (q.count != 0 && q.order == Order::kNone && !q.any) q.order = Order::kAsc;

  const geo::SearchArea area = geo::SearchAreaFor(&q.shape);
  std::vector<Point> points;
  CollectAll(*z, area, q.shape, q.any ? size_t(q.count) : 0, &points);
  if (points.empty() && q.store_key == nullptr) return ctx.reply.EmptyArray();

  const size_t returned =
      (q.count == 0 || points.size() < size_t(q.count)) ? points.size() : size_t(q.count);
  if (q.order != Order::kNone && !points.empty()) SortPoints(&points, returned, q.order);
  if (q.store_key == nullptr) return ReplyPoints(ctx, q, points, returned);
  StorePoints(ctx, q, points, returned);
}

void GeoradiusCommand(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromCoords);
}
void GeoradiusbymemberCommand(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromMember);
}
void GeoradiusRoCommand(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromCoords | kNoStore);
}
void GeoradiusbymemberRoCommand(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromMember | kNoStore);
}
void GeosearchCommand(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kSearch);
}
void GeosearchstoreCommand(CommandContext& ctx) {
  SearchGeneric(ctx, 2, kSearch | kSearchStore);
}

}  // namespace

void RegisterGeoSearchCommands(CommandTable& t) {
  const uint32_t w = kCmdWrite | kCmdDenyOom, r = kCmdReadonly;
  t.Add({"georadius", -6, w, 1, 1, 1, GeoradiusCommand, "geo", {}});
  t.Add({"georadiusbymember", -5, w, 1, 1, 1, GeoradiusbymemberCommand, "geo", {}});
  t.Add({"georadius_ro", -6, r, 1, 1, 1, GeoradiusRoCommand, "geo", {}});
  t.Add({"georadiusbymember_ro", -5, r, 1, 1, 1, GeoradiusbymemberRoCommand, "geo", {}});
  t.Add({"geosearch", -7, r, 1, 1, 1, GeosearchCommand, "geo", {}});
  t.Add({"geosearchstore", -8, w, 1, 2, 1, GeosearchstoreCommand, "geo", {}});
}

}  // namespace vigil::datanode
