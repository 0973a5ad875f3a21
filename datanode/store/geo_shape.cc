#include "datanode/store/geo_shape.h"

#include <cmath>

namespace vigil::datanode::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;
constexpr double kMercatorMax = 20037726.37;

double DegToRad(double deg) {
  return deg * kDegToRad;
}
double RadToDeg(double rad) {
  return rad / kDegToRad;
}

// The longitude/latitude rectangle enclosing the shape. In each hemisphere the box is widest
// on its side nearer the equator, so the longitude span is taken from that side.
void BoundingBox(const Shape& shape, double bounds[4]) {
  const double lon = shape.xy[0];
  const double lat = shape.xy[1];
  const bool circle = shape.type == Shape::Type::kCircle;
  const double height = shape.conversion * (circle ? shape.radius : shape.height / 2);
  const double width = shape.conversion * (circle ? shape.radius : shape.width / 2);
  const double lat_delta = RadToDeg(height / kEarthRadiusMeters);
  const double lon_delta_top =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(lat + lat_delta)));
  const double lon_delta_bottom =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(lat - lat_delta)));
  const bool southern = lat < 0;
  bounds[0] = southern ? lon - lon_delta_bottom : lon - lon_delta_top;
  bounds[2] = southern ? lon + lon_delta_bottom : lon + lon_delta_top;
  bounds[1] = lat - lat_delta;
  bounds[3] = lat + lat_delta;
}

void EncodeWithNeighbors(double lon, double lat, int steps, HashBits* hash, Neighbors* n,
                         Area* area) {
  Encode(LonRange(), LatRange(), lon, lat, steps, hash);
  *n = NeighborsOf(*hash);
  Decode(LonRange(), LatRange(), *hash, area);
}

Area DecodeArea(HashBits h) {
  Area a;
  Decode(LonRange(), LatRange(), h, &a);
  return a;
}

}  // namespace

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = DegToRad(lon1);
  const double lon2r = DegToRad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  // Same longitude: the distance is along the meridian, without the trigonometry.
  if (v == 0.0) return LatDistance(lat1, lat2);
  const double lat1r = DegToRad(lat1);
  const double lat2r = DegToRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

int EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) return kStepMax;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // leaves the range inside the boxes in most cases
  // Boxes narrow towards the poles: go one or two steps coarser there.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

SearchArea SearchAreaFor(Shape* shape) {
  BoundingBox(*shape, shape->bounds);
  const double min_lon = shape->bounds[0];
  const double min_lat = shape->bounds[1];
  const double max_lon = shape->bounds[2];
  const double max_lat = shape->bounds[3];
  const double lon = shape->xy[0];
  const double lat = shape->xy[1];
  // A box is sized by the distance from its centre to a corner.
  double radius_meters = shape->type == Shape::Type::kCircle
                             ? shape->radius
                             : std::sqrt((shape->width / 2) * (shape->width / 2) +
                                         (shape->height / 2) * (shape->height / 2));
  radius_meters *= shape->conversion;

  int steps = EstimateSteps(radius_meters, lat);
  SearchArea r;
  EncodeWithNeighbors(lon, lat, steps, &r.hash, &r.neighbors, &r.area);

  // Near the edge of its box the centre's neighbours may not reach the whole shape: then one
  // step coarser (boxes twice as large) is needed.
  const bool decrease = DecodeArea(r.neighbors.north).lat.max < max_lat ||
                        DecodeArea(r.neighbors.south).lat.min > min_lat ||
                        DecodeArea(r.neighbors.east).lon.max < max_lon ||
                        DecodeArea(r.neighbors.west).lon.min > min_lon;
  if (steps > 1 && decrease) {
    steps--;
    EncodeWithNeighbors(lon, lat, steps, &r.hash, &r.neighbors, &r.area);
  }

  // Neighbours on a side the shape does not reach are left out of the scan.
  if (steps >= 2) {
    Neighbors& n = r.neighbors;
    if (r.area.lat.min < min_lat) n.south = n.south_west = n.south_east = HashBits{};
    if (r.area.lat.max > max_lat) n.north = n.north_east = n.north_west = HashBits{};
    if (r.area.lon.min < min_lon) n.west = n.south_west = n.north_west = HashBits{};
    if (r.area.lon.max > max_lon) n.east = n.south_east = n.north_east = HashBits{};
  }
  return r;
}

bool WithinShape(const Shape& shape, double score, double xy[2], double* distance) {
  if (!DecodeScore(score, xy)) return false;
  if (shape.type == Shape::Type::kCircle) {
    *distance = Distance(shape.xy[0], shape.xy[1], xy[0], xy[1]);
    return !(*distance > shape.radius * shape.conversion);
  }
  const double width_m = shape.width * shape.conversion;
  const double height_m = shape.height * shape.conversion;
  // The cheap meridian distance first, then the distance along the point's parallel.
  if (LatDistance(xy[1], shape.xy[1]) > height_m / 2) return false;
  if (Distance(xy[0], xy[1], shape.xy[0], xy[1]) > width_m / 2) return false;
  *distance = Distance(shape.xy[0], shape.xy[1], xy[0], xy[1]);
  return true;
}

void ScoresOfBox(HashBits hash, uint64_t* min, uint64_t* max) {
  *min = Align52(hash);
  hash.bits++;
  *max = Align52(hash);
}

}  // namespace vigil::datanode::geo
