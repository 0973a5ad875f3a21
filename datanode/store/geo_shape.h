#pragma once
// The geometry of a geo search, as Redis 7.0 computes it: great-circle distances (haversine on
// a sphere of radius 6372797.560856 m), the shape searched (a circle or a box around a centre),
// the step whose boxes cover it, and the centre box with its eight neighbours that the search
// scans as score ranges. Results depend on which boxes are scanned and on floating-point
// comparisons at the edges, so the formulas keep Redis's operation order.
#include <cstdint>

#include "datanode/store/geohash.h"

namespace vigil::datanode::geo {

constexpr double kEarthRadiusMeters = 6372797.560856;

// Distance in metres between two points given in degrees.
double Distance(double lon1, double lat1, double lon2, double lat2);
// Distance in metres along a meridian between two latitudes.
double LatDistance(double lat1, double lat2);

struct Shape {
  enum class Type { kCircle, kBox } type = Type::kCircle;
  double xy[2] = {0, 0};   // centre: longitude, latitude
  double conversion = 1;   // metres per unit of the request (km: 1000)
  double radius = 0;       // circle, in units
  double width = 0;        // box, in units
  double height = 0;       // box, in units
  double bounds[4] = {0};  // min lon, min lat, max lon, max lat (filled by SearchAreaFor)
};

// The number of bits per axis whose boxes are about the size of `range_meters` at `lat`.
int EstimateSteps(double range_meters, double lat);

struct SearchArea {
  HashBits hash;        // the box holding the centre
  Neighbors neighbors;  // zeroed where a neighbour cannot hold a match
  Area area;
};
// Computes the shape's bounding box into shape->bounds and the boxes to scan.
SearchArea SearchAreaFor(Shape* shape);

// Whether the point encoded by `score` lies inside the shape; fills its coordinates and its
// distance (metres) from the centre. False also when the score does not decode.
bool WithinShape(const Shape& shape, double score, double xy[2], double* distance);

// The [min, max) score interval covering every point inside a box.
void ScoresOfBox(HashBits hash, uint64_t* min, uint64_t* max);

}  // namespace vigil::datanode::geo
