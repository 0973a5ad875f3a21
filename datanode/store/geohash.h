#pragma once
// Redis's geohash: a longitude/latitude pair quantised to `step` bits per axis and interleaved
// (latitude on the even bits, longitude on the odd ones). A geo set stores each point as a
// sorted-set score holding the 52-bit hash of step 26, so the scores, GEOHASH strings and the
// neighbour boxes a search scans must come out bit for bit as Redis computes them; the
// arithmetic here follows Redis's order of operations for that reason.
#include <cstdint>
#include <string>

namespace vigil::datanode::geo {

constexpr int kStepMax = 26;  // 26 bits per axis: 52-bit scores, exact in a double
// Web Mercator's limits: Redis cannot index points closer to the poles than this.
constexpr double kLatMin = -85.05112878;
constexpr double kLatMax = 85.05112878;
constexpr double kLonMin = -180;
constexpr double kLonMax = 180;

struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;
  // Redis marks a neighbour box excluded from a search by zeroing both fields.
  bool zero() const { return bits == 0 && step == 0; }
  bool operator==(const HashBits&) const = default;
};

struct Range {
  double min = 0, max = 0;
};

struct Area {
  HashBits hash;
  Range lon, lat;
};

struct Neighbors {
  HashBits north, east, west, south, north_east, south_east, north_west, south_west;
};

// The ranges a geo set encodes against: longitude ±180, latitude ±85.05112878.
inline Range LonRange() {
  return {kLonMin, kLonMax};
}
inline Range LatRange() {
  return {kLatMin, kLatMax};
}

// Quantises a point within the given ranges; false when the step is not 1..32 or the point
// lies outside the ranges (or outside the Mercator limits).
bool Encode(Range lon_range, Range lat_range, double lon, double lat, int step, HashBits* out);
bool Encode(double lon, double lat, int step, HashBits* out);  // the geo set's ranges
// The box a hash stands for; false for a zero hash.
bool Decode(Range lon_range, Range lat_range, HashBits hash, Area* out);
// The centre of a hash's box, clamped to the geo set's limits: what GEOPOS reports.
bool DecodeToLonLat(HashBits hash, double xy[2]);
// The eight boxes of the same step around `hash` (wrapping at the edges of the grid).
Neighbors NeighborsOf(HashBits hash);
// The hash shifted into the top of a 52-bit score.
uint64_t Align52(HashBits hash);

// A sorted-set score read as a step-26 hash, converted as Redis's (uint64_t) cast does on
// x86-64, so scores that were never geohashes decode to the same odd points Redis shows.
uint64_t ScoreBits(double score);
bool DecodeScore(double score, double xy[2]);
// The 11-character standard geohash (latitude ±90) of a score, as GEOHASH prints it.
std::string GeohashString(double score);

}  // namespace vigil::datanode::geo
