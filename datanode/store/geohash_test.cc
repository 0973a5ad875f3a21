#include "datanode/store/geohash.h"

#include <gtest/gtest.h>

#include <vector>

#include "datanode/store/geo_shape.h"
#include "datanode/store/partial_quicksort.h"

namespace vigil::datanode::geo {
namespace {

double ScoreOf(double lon, double lat) {
  HashBits h;
  EXPECT_TRUE(Encode(lon, lat, kStepMax, &h));
  return double(Align52(h));
}

TEST(Geohash, ScoresMatchRedis) {
  // Values observed on redis-server 7.0.15 (GEOADD then ZSCORE).
  EXPECT_EQ(ScoreOf(13.361389, 38.115556), 3479099956230698.0);
  EXPECT_EQ(ScoreOf(15.087269, 37.502669), 3479447370796909.0);
}

TEST(Geohash, DecodeReturnsTheBoxCentre) {
  double xy[2];
  ASSERT_TRUE(DecodeScore(3479099956230698.0, xy));
  EXPECT_DOUBLE_EQ(xy[0], 13.36138933897018433);
  EXPECT_DOUBLE_EQ(xy[1], 38.11555639549629859);
}

TEST(Geohash, StandardGeohashStrings) {
  EXPECT_EQ(GeohashString(3479099956230698.0), "sqc8b49rny0");
  EXPECT_EQ(GeohashString(3479447370796909.0), "sqdtr74hyu0");
}

TEST(Geohash, EncodeRejectsPointsOutsideTheMercatorLimits) {
  HashBits h;
  EXPECT_FALSE(Encode(180.1, 0, kStepMax, &h));
  EXPECT_FALSE(Encode(0, 85.06, kStepMax, &h));
  EXPECT_FALSE(Encode(0, 0, 0, &h));
  EXPECT_FALSE(Encode(0, 0, 33, &h));
  EXPECT_TRUE(Encode(-180, -85.05112878, kStepMax, &h));
  EXPECT_EQ(h.bits, 0u);
}

TEST(Geohash, NeighboursWrapAroundTheGrid) {
  HashBits h;
  ASSERT_TRUE(Encode(0, 0, 1, &h));  // step 1: four boxes, this one north-east
  const Neighbors n = NeighborsOf(h);
  EXPECT_EQ(n.east.step, 1);
  // One step east of the eastern column wraps to the western one.
  HashBits west_of_origin;
  ASSERT_TRUE(Encode(-1, 1, 1, &west_of_origin));
  EXPECT_EQ(n.east.bits, west_of_origin.bits);
  EXPECT_EQ(n.west.bits, west_of_origin.bits);
  HashBits south;
  ASSERT_TRUE(Encode(1, -1, 1, &south));
  EXPECT_EQ(n.south.bits, south.bits);
  EXPECT_EQ(n.north.bits, south.bits);
}

TEST(Geohash, ScoreBitsFollowsTheX86Conversion) {
  EXPECT_EQ(ScoreBits(5.0), 5u);
  EXPECT_EQ(ScoreBits(-1.0), ~uint64_t{0});
  EXPECT_EQ(ScoreBits(9223372036854775808.0), 1ULL << 63);
  EXPECT_EQ(ScoreBits(1e30), 0u);
  EXPECT_EQ(ScoreBits(-1e30), 1ULL << 63);
}

TEST(GeoShape, HaversineDistance) {
  double a[2], b[2];
  ASSERT_TRUE(DecodeScore(3479099956230698.0, a));
  ASSERT_TRUE(DecodeScore(3479447370796909.0, b));
  // GEODIST Sicily Palermo Catania on redis-server: 166274.1516 m.
  EXPECT_NEAR(Distance(a[0], a[1], b[0], b[1]), 166274.1516, 0.00005);
  EXPECT_DOUBLE_EQ(Distance(10, 0, 10, 1), LatDistance(0, 1));
}

TEST(GeoShape, StepsGrowCoarserWithRadiusAndLatitude) {
  EXPECT_EQ(EstimateSteps(0, 0), 26);
  EXPECT_EQ(EstimateSteps(1, 0), 24);
  EXPECT_EQ(EstimateSteps(1, 70), 23);
  EXPECT_EQ(EstimateSteps(1, -81), 22);
  EXPECT_EQ(EstimateSteps(5000000, 0), 2);
  EXPECT_EQ(EstimateSteps(20000000, 0), 1);
}

TEST(GeoShape, SearchAreaCoversTheShape) {
  Shape s;
  s.xy[0] = 13.361389;
  s.xy[1] = 38.115556;
  s.radius = 200;
  s.conversion = 1000;
  const SearchArea area = SearchAreaFor(&s);
  EXPECT_LT(s.bounds[0], s.xy[0]);
  EXPECT_GT(s.bounds[3], s.xy[1]);
  double xy[2], dist = 0;
  EXPECT_TRUE(WithinShape(s, 3479447370796909.0, xy, &dist));  // Catania, 166 km away
  s.radius = 100;
  EXPECT_FALSE(WithinShape(s, 3479447370796909.0, xy, &dist));
  EXPECT_FALSE(area.hash.zero());
}

TEST(PartialQuicksort, WindowHoldsWhatAFullSortWould) {
  std::vector<int> v;
  for (int i = 0; i < 200; ++i) v.push_back((i * 7919) % 211);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  PartialQuicksort(v, 0, 9, [](int a, int b) { return a < b ? -1 : (a > b ? 1 : 0); });
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(v[i], sorted[i]);
  std::vector<int> small = {5, 3, 1, 4, 2};
  PartialQuicksort(small, 0, 1, [](int a, int b) { return a - b; });
  EXPECT_EQ(small, (std::vector<int>{1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace vigil::datanode::geo
