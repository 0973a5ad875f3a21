#include "sentinel/shell/sentinel_commands.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(WriteWire, FlatArraysBecomeMapsUnderResp3) {
  resp::Value v =
      resp::Value::Array({resp::Value::Array({resp::Value::Bulk("name"), resp::Value::Bulk("m"),
                                              resp::Value::Bulk("port"), resp::Value::Bulk("1")})});
  std::string out2, out3;
  resp::ReplyWriter w2(&out2, 2), w3(&out3, 3);
  WriteWire(w2, v, ReplyShape::kArrayOfMaps);
  WriteWire(w3, v, ReplyShape::kArrayOfMaps);
  EXPECT_EQ(out2, "*1\r\n*4\r\n$4\r\nname\r\n$1\r\nm\r\n$4\r\nport\r\n$1\r\n1\r\n");
  EXPECT_EQ(out3, "*1\r\n%2\r\n$4\r\nname\r\n$1\r\nm\r\n$4\r\nport\r\n$1\r\n1\r\n");
  std::string n3;
  resp::ReplyWriter w(&n3, 3);
  WriteWire(w, resp::Value::NullArray());
  EXPECT_EQ(n3, "_\r\n");
}

}  // namespace
}  // namespace vigil::sentinel
