#include "common/resp/reply_writer.h"

#include <gtest/gtest.h>

#include "common/resp/value.h"

namespace vigil::resp {
namespace {

TEST(ReplyWriter, RendersResp2FlatForms) {
  std::string out;
  ReplyWriter w(&out, 2);
  w.Map(1);
  w.Bulk("f");
  w.Double(1.5);
  w.Null();
  w.NullArray();
  w.Bool(true);
  w.Set(0);
  EXPECT_EQ(out, "*2\r\n$1\r\nf\r\n$3\r\n1.5\r\n$-1\r\n*-1\r\n:1\r\n*0\r\n");
}

TEST(ReplyWriter, RendersResp3TypedForms) {
  std::string out;
  ReplyWriter w(&out, 3);
  w.Map(1);
  w.Bulk("f");
  w.Double(1.5);
  w.Null();
  w.Bool(false);
  w.Set(0);
  w.Push(0);
  w.Verbatim("x");
  EXPECT_EQ(out, "%1\r\n$1\r\nf\r\n,1.5\r\n_\r\n#f\r\n~0\r\n>0\r\n=5\r\ntxt:x\r\n");
}

TEST(ReplyWriter, DoublesUseRedis70Formatting) {
  EXPECT_EQ(FormatDouble(1.1), "1.1000000000000001");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(FormatDouble(1.0 / 0.0), "inf");
  EXPECT_EQ(FormatDouble(-1.0 / 0.0), "-inf");
}

TEST(ReplyWriter, LongDoublesAreHumanFriendly) {
  EXPECT_EQ(FormatLongDouble(10.5L), "10.5");
  EXPECT_EQ(FormatLongDouble(3.0L), "3");
  EXPECT_EQ(FormatLongDouble(5.0e3L), "5000");
}

TEST(ReplyWriter, ErrorsNeverBreakFraming) {
  std::string out;
  ReplyWriter w(&out);
  w.Error("ERR a\r\nb");
  EXPECT_EQ(out, "-ERR a  b\r\n");
}

TEST(ReplyParser, RoundTripsEveryType) {
  const std::string wire =
      "*9\r\n+OK\r\n-ERR x\r\n:-5\r\n$3\r\nabc\r\n_\r\n,2.5\r\n#t\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n"
      "~1\r\n:1\r\n";
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    ReplyParser p;
    Value v;
    size_t used = 0;
    EXPECT_EQ(p.Parse(wire.substr(0, cut), &used, &v), ReplyParser::Status::kNeedMore) << cut;
  }
  ReplyParser p;
  Value v;
  size_t used = 0;
  ASSERT_EQ(p.Parse(wire, &used, &v), ReplyParser::Status::kValue);
  EXPECT_EQ(used, wire.size());
  EXPECT_EQ(v.elements.size(), 9u);
  EXPECT_EQ(Encode(v), wire);
}

}  // namespace
}  // namespace vigil::resp
