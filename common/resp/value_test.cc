#include "common/resp/value.h"

#include <gtest/gtest.h>

namespace vigil::resp {
namespace {

Value ParseOne(std::string_view bytes) {
  ReplyParser parser;
  size_t consumed = 0;
  Value v;
  EXPECT_EQ(parser.Parse(bytes, &consumed, &v), ReplyParser::Status::kValue);
  EXPECT_EQ(consumed, bytes.size());
  return v;
}

// The factories build exactly what the parser reads, so a reply built by the sentinel core
// compares equal to the same reply read off the wire.
TEST(RespValue, FactoriesMatchWhatTheParserReads) {
  EXPECT_EQ(ParseOne("+OK\r\n"), Value::Simple("OK"));
  EXPECT_EQ(ParseOne("-ERR no\r\n"), Value::Error("ERR no"));
  EXPECT_EQ(ParseOne(":-7\r\n"), Value::Integer(-7));
  EXPECT_EQ(ParseOne("$3\r\nabc\r\n"), Value::Bulk("abc"));
  EXPECT_EQ(ParseOne("$-1\r\n"), Value::NullBulk());
  EXPECT_EQ(ParseOne("*-1\r\n"), Value::NullArray());
  EXPECT_EQ(ParseOne("*2\r\n:1\r\n$1\r\nx\r\n"),
            Value::Array({Value::Integer(1), Value::Bulk("x")}));
  EXPECT_FALSE(Value::NullBulk() == Value::NullArray());
}

TEST(RespValue, DebugStringIsCompactAndUnambiguous) {
  EXPECT_EQ(DebugString(Value::Array({Value::Simple("OK"), Value::Error("ERR x"), Value::Integer(1),
                                      Value::Bulk("b"), Value::NullBulk(), Value::NullArray()})),
            "[+OK, -ERR x, :1, \"b\", (nil), (nil-array)]");
  EXPECT_EQ(DebugString(ParseOne("%1\r\n+k\r\n#t\r\n")), "{+k, #t}");
}

}  // namespace
}  // namespace vigil::resp
