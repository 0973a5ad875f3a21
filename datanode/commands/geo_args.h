#pragma once
// Argument parsing and reply formats shared by the geo commands, with Redis 7.0's error texts:
// coordinates, units, radius and box sizes, distances with four decimals, coordinates as
// "human" long doubles.
#include <string>

#include "datanode/commands/command_context.h"

namespace vigil::datanode::geo {

// Longitude at argument i, latitude at i + 1; answers the error and returns false when either
// is not a number or the pair is outside the indexable range.
bool ParseLonLat(CommandContext& ctx, size_t i, double xy[2]);
// Metres per unit for m, km, ft, mi (any case); answers the error and returns a negative
// value otherwise.
double ParseUnit(CommandContext& ctx, const std::string& unit);
// <radius> <unit> at argument i.
bool ParseRadius(CommandContext& ctx, size_t i, double* radius, double* conversion);
// <width> <height> <unit> at argument i.
bool ParseBox(CommandContext& ctx, size_t i, double* width, double* height, double* conversion);

// A distance as Redis prints it: rounded to four decimals, as a bulk string in both protocols.
std::string FormatDistance(double d);
void ReplyDistance(CommandContext& ctx, double d);
// A coordinate: a bulk string in RESP2, a double in RESP3, both in "%.17Lf" with the trailing
// zeros removed.
void ReplyCoordinate(CommandContext& ctx, double v);

}  // namespace vigil::datanode::geo
