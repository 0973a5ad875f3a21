#include "datanode/commands/geo_args.h"

#include <climits>
#include <cmath>
#include <cstdio>

#include "common/resp/reply_writer.h"
#include "datanode/store/geohash.h"

namespace vigil::datanode::geo {

bool ParseLonLat(CommandContext& ctx, size_t i, double xy[2]) {
  if (!ctx.GetDouble(i, &xy[0]) || !ctx.GetDouble(i + 1, &xy[1])) return false;
  if (xy[0] < kLonMin || xy[0] > kLonMax || xy[1] < kLatMin || xy[1] > kLatMax) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
    ctx.reply.Error(buf);
    return false;
  }
  return true;
}

double ParseUnit(CommandContext& ctx, const std::string& unit) {
  if (EqualsIgnoreCase(unit, "m")) return 1;
  if (EqualsIgnoreCase(unit, "km")) return 1000;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  ctx.reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

bool ParseRadius(CommandContext& ctx, size_t i, double* radius, double* conversion) {
  double r;
  if (!ParseDoubleStrict(ctx.arg(i), &r)) {
    ctx.reply.Error("ERR need numeric radius");
    return false;
  }
  if (r < 0) {
    ctx.reply.Error("ERR radius cannot be negative");
    return false;
  }
  const double to_meters = ParseUnit(ctx, ctx.arg(i + 1));
  if (to_meters < 0) return false;
  *radius = r;
  *conversion = to_meters;
  return true;
}

bool ParseBox(CommandContext& ctx, size_t i, double* width, double* height, double* conversion) {
  double w, h;
  if (!ParseDoubleStrict(ctx.arg(i), &w)) {
    ctx.reply.Error("ERR need numeric width");
    return false;
  }
  if (!ParseDoubleStrict(ctx.arg(i + 1), &h)) {
    ctx.reply.Error("ERR need numeric height");
    return false;
  }
  if (h < 0 || w < 0) {
    ctx.reply.Error("ERR height or width cannot be negative");
    return false;
  }
  const double to_meters = ParseUnit(ctx, ctx.arg(i + 2));
  if (to_meters < 0) return false;
  *width = w;
  *height = h;
  *conversion = to_meters;
  return true;
}

std::string FormatDistance(double d) {
  if (d == 0) return "0.0000";
  const long long scaled = std::llrint(d * 10000.0);
  const bool negative = scaled < 0;
  unsigned long long v = 0;
  if (!negative) {
    v = static_cast<unsigned long long>(scaled);
  } else {
    v = scaled == LLONG_MIN ? static_cast<unsigned long long>(LLONG_MAX) + 1
                            : static_cast<unsigned long long>(-scaled);
  }
  std::string digits = std::to_string(v);
  if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
  digits.insert(digits.size() - 4, 1, '.');
  return negative ? "-" + digits : digits;
}

void ReplyDistance(CommandContext& ctx, double d) {
  ctx.reply.Bulk(FormatDistance(d));
}

void ReplyCoordinate(CommandContext& ctx, double v) {
  const std::string s = resp::FormatLongDouble(static_cast<long double>(v));
  if (ctx.reply.proto() >= 3) {
    ctx.reply.Raw(",");
    ctx.reply.Raw(s);
    ctx.reply.Raw("\r\n");
  } else {
    ctx.reply.Bulk(s);
  }
}

}  // namespace vigil::datanode::geo
