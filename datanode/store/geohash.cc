#include "datanode/store/geohash.h"

namespace vigil::datanode::geo {
namespace {

// Spreads the 32 bits of `v` over the even bit positions of a 64-bit word.
uint64_t SpreadBits(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The inverse: gathers the even bits of `x` into 32 bits.
uint32_t GatherBits(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return uint32_t(x);
}

bool RangeIsZero(Range r) {
  return r.max == 0 && r.min == 0;
}

// Moves a hash one box east (d > 0) or west (d < 0): add or subtract one on the odd
// (longitude) bits only, letting the carry skip the even ones, and wrap within the step.
void MoveX(HashBits* h, int d) {
  if (d == 0) return;
  uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
  const uint64_t y = h->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0x5555555555555555ULL >> (64 - h->step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2));
  h->bits = x | y;
}

// The same along the even (latitude) bits: north for d > 0.
void MoveY(HashBits* h, int d) {
  if (d == 0) return;
  const uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
  uint64_t y = h->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2);
  if (d > 0) {
    y = y + (zz + 1);
  } else {
    y = y | zz;
    y = y - (zz + 1);
  }
  y &= (0x5555555555555555ULL >> (64 - h->step * 2));
  h->bits = x | y;
}

HashBits Moved(HashBits h, int dx, int dy) {
  MoveX(&h, dx);
  MoveY(&h, dy);
  return h;
}

}  // namespace

bool Encode(Range lon_range, Range lat_range, double lon, double lat, int step, HashBits* out) {
  if (step > 32 || step <= 0 || RangeIsZero(lat_range) || RangeIsZero(lon_range)) return false;
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  out->bits = 0;
  out->step = uint8_t(step);
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return false;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= double(1ULL << step);
  lon_offset *= double(1ULL << step);
  // Truncating conversions, as Redis's: an offset of exactly 2^step (a point on the upper
  // edge) keeps its carry bit, which lands above the 52 hash bits.
  out->bits = SpreadBits(uint32_t(lat_offset)) | (SpreadBits(uint32_t(lon_offset)) << 1);
  return true;
}

bool Encode(double lon, double lat, int step, HashBits* out) {
  return Encode(LonRange(), LatRange(), lon, lat, step, out);
}

bool Decode(Range lon_range, Range lat_range, HashBits hash, Area* out) {
  if (hash.zero() || RangeIsZero(lat_range) || RangeIsZero(lon_range)) return false;
  out->hash = hash;
  const uint32_t ilat = GatherBits(hash.bits);
  const uint32_t ilon = GatherBits(hash.bits >> 1);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  const double cells = double(1ULL << hash.step);
  out->lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  out->lat.max = lat_range.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
  out->lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  out->lon.max = lon_range.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
  return true;
}

bool DecodeToLonLat(HashBits hash, double xy[2]) {
  Area area;
  if (!Decode(LonRange(), LatRange(), hash, &area)) return false;
  double lon = (area.lon.min + area.lon.max) / 2;
  if (lon > kLonMax) lon = kLonMax;
  if (lon < kLonMin) lon = kLonMin;
  double lat = (area.lat.min + area.lat.max) / 2;
  if (lat > kLatMax) lat = kLatMax;
  if (lat < kLatMin) lat = kLatMin;
  xy[0] = lon;
  xy[1] = lat;
  return true;
}

Neighbors NeighborsOf(HashBits h) {
  Neighbors n;
  n.east = Moved(h, 1, 0);
  n.west = Moved(h, -1, 0);
  n.south = Moved(h, 0, -1);
  n.north = Moved(h, 0, 1);
  n.north_west = Moved(h, -1, 1);
  n.north_east = Moved(h, 1, 1);
  n.south_east = Moved(h, 1, -1);
  n.south_west = Moved(h, -1, -1);
  return n;
}

uint64_t Align52(HashBits hash) {
  return hash.bits << (52 - hash.step * 2);
}

uint64_t ScoreBits(double score) {
  // x86-64's conversion: below 2^63 a signed truncation (negative values wrap), from 2^63 the
  // value less 2^63 with the top bit flipped; NaN and out-of-range give the "indefinite"
  // integer 2^63 before that flip.
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = 1ULL << 63;
  auto signed_truncate = [](double d) -> uint64_t {
    if (!(d >= -kTwo63 && d < kTwo63)) return kIndefinite;  // NaN or out of range
    return uint64_t(int64_t(d));
  };
  if (score >= kTwo63) return signed_truncate(score - kTwo63) ^ (1ULL << 63);
  return signed_truncate(score);
}

bool DecodeScore(double score, double xy[2]) {
  return DecodeToLonLat(HashBits{ScoreBits(score), uint8_t(kStepMax)}, xy);
}

std::string GeohashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double xy[2];
  if (!DecodeScore(score, xy)) return {};
  // The set's latitude range is ±85.05; a standard geohash uses ±90, so re-encode.
  HashBits h;
  Encode(Range{-180, 180}, Range{-90, 90}, xy[0], xy[1], kStepMax, &h);
  std::string out(11, '0');
  // 52 bits give ten 5-bit characters; the eleventh, expected by the 11-character format, is 0.
  for (int i = 0; i < 10; ++i) out[size_t(i)] = kAlphabet[(h.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

}  // namespace vigil::datanode::geo
