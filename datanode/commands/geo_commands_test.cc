#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Int;
using testing::RecordingPropagator;
using testing::ServiceHarness;

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

void AddSicily(ServiceHarness& h) {
  h.Raw({"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
         "Catania"});
}

TEST(GeoCommands, GeoaddStoresGeohashScoresAndPropagatesZadd) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  AddSicily(h);
  EXPECT_EQ(h.Raw({"ZSCORE", "Sicily", "Palermo"}), Bulk("3479099956230698"));
  EXPECT_EQ(h.Raw({"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo"}), Int(0));
  EXPECT_EQ(h.Raw({"GEOADD", "Sicily", "CH", "XX", "13", "38", "Palermo", "1", "1", "x"}), Int(1));
  EXPECT_EQ(h.Raw({"ZCARD", "Sicily"}), Int(2));
  EXPECT_EQ(h.Raw({"GEOADD", "Sicily", "NX", "1", "1", "Palermo", "2", "2", "y"}), Int(1));
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0], "0: zadd Sicily 3479099956230698 Palermo 3479447370796909 Catania");
  EXPECT_EQ(p.lines[1], "0: zadd Sicily CH XX 3479065152021743 Palermo 3377822707026402 x");
  EXPECT_EQ(p.lines[2], "0: zadd Sicily NX 3377822707026402 Palermo 3378191666521995 y");
}

TEST(GeoCommands, GeoaddErrors) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"GEOADD", "k", "xx", "nx", "1", "1", "a"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"GEOADD", "k", "1", "1", "a", "2"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"GEOADD", "k", "ch", "ch", "ch"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"GEOADD", "k", "200", "100", "a"}),
            "-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n");
  EXPECT_EQ(h.Raw({"GEOADD", "k", "x", "1", "a"}), "-ERR value is not a valid float\r\n");
  h.Raw({"SET", "s", "v"});
  EXPECT_EQ(h.Raw({"GEOADD", "s", "1", "1", "a"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.Raw({"GEOADD", "k", "XX", "1", "1", "a"}), Int(0));
  EXPECT_EQ(h.Raw({"EXISTS", "k"}), Int(0));
}

TEST(GeoCommands, PosHashDist) {
  ServiceHarness h;
  AddSicily(h);
  EXPECT_EQ(h.Raw({"GEOPOS", "Sicily", "Palermo", "nope"}),
            "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n");
  EXPECT_EQ(h.Raw({"GEOHASH", "Sicily", "Palermo", "Catania", "nope"}),
            "*3\r\n$11\r\nsqc8b49rny0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n");
  EXPECT_EQ(h.Raw({"GEODIST", "Sicily", "Palermo", "Catania"}), Bulk("166274.1516"));
  EXPECT_EQ(h.Raw({"GEODIST", "Sicily", "Palermo", "Catania", "km"}), Bulk("166.2742"));
  EXPECT_EQ(h.Raw({"GEODIST", "Sicily", "Palermo", "nope"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"GEODIST", "Sicily", "Palermo", "Catania", "parsec"}),
            "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
  EXPECT_EQ(h.Raw({"HELLO", "3"}).substr(0, 1), "%");
  EXPECT_EQ(h.Raw({"GEOPOS", "Sicily", "Palermo", "nope"}),
            "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
}

TEST(GeoCommands, RadiusSearchSortedWithOptions) {
  ServiceHarness h;
  AddSicily(h);
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"}),
            "*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190."
            "4424\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "DESC"}),
            "*1\r\n$7\r\nPalermo\r\n");
  EXPECT_EQ(h.Raw({"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km",
                   "ASC", "WITHHASH"}),
            "*2\r\n*2\r\n$7\r\nPalermo\r\n:3479099956230698\r\n*2\r\n$7\r\nCatania\r\n:"
            "3479447370796909\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "1", "km"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUS", "missing", "15", "37", "1", "km"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUSBYMEMBER", "Sicily", "nope", "1", "km"}),
            "-ERR could not decode requested zset member\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUSBYMEMBER", "missing", "nope", "x", "y"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"}),
            "-ERR the ANY argument requires COUNT argument\r\n");
  EXPECT_EQ(h.Raw({"geosearch", "Sicily", "BYRADIUS", "1", "km", "ASC", "WITHDIST"}),
            "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "d"}),
            "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "STORE", "d"}),
            "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
            "WITHCOORD options\r\n");
}

TEST(GeoCommands, StoreFormsWriteSortedSetsAndPropagateAsReceived) {
  ServiceHarness h;
  AddSicily(h);
  RecordingPropagator p;
  h.service().set_propagator(&p);
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d"}), Int(2));
  EXPECT_EQ(h.Raw({"ZSCORE", "d", "Catania"}), Bulk("3479447370796909"));
  EXPECT_EQ(h.Raw({"GEOSEARCHSTORE", "d2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200",
                   "km", "STOREDIST"}),
            Int(2));
  EXPECT_EQ(h.Raw({"ZSCORE", "d2", "Catania"}), Bulk("56.441257870158204"));
  EXPECT_EQ(
      h.Raw({"GEOSEARCHSTORE", "d2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"}),
      Int(0));
  EXPECT_EQ(h.Raw({"EXISTS", "d2"}), Int(0));
  EXPECT_EQ(h.Raw({"GEORADIUS", "Sicily", "15", "37", "200", "km"}).substr(0, 4), "*2\r\n");
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0], "0: GEORADIUS Sicily 15 37 200 km STORE d");
}

}  // namespace
}  // namespace vigil::datanode
