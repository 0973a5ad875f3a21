#include "cli/reply_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::cli {
namespace {

using Type = resp::Value::Type;

resp::Value Parse(const std::string& wire) {
  resp::ReplyParser parser;
  size_t consumed = 0;
  resp::Value v;
  EXPECT_EQ(parser.Parse(wire, &consumed, &v), resp::ReplyParser::Status::kValue) << wire;
  EXPECT_EQ(consumed, wire.size()) << wire;
  return v;
}

struct FormatCase {
  const char* name;
  std::string wire;      // the reply as the server sends it
  std::string standard;  // redis-cli --no-raw (and on a terminal)
  std::string raw;       // redis-cli --raw (and when stdout is not a terminal)
};

// Expectations were taken from redis-cli 7.0.15 against redis-server 7.0.15 (DEBUG PROTOCOL
// for the RESP3 types), except "(big number)", which 7.0.15 cannot print at all.
const std::vector<FormatCase> kCases = {
    {"status", "+OK\r\n", "OK\n", "OK\n"},
    {"error", "-ERR unknown command 'foo'\r\n", "(error) ERR unknown command 'foo'\n",
     "ERR unknown command 'foo'\n\n"},
    {"blob_error", "!9\r\nERR oops!\r\n", "(error) ERR oops!\n", "ERR oops!\n\n"},
    {"integer", ":-12345\r\n", "(integer) -12345\n", "-12345\n"},
    {"bulk", "$3\r\nfoo\r\n", "\"foo\"\n", "foo\n"},
    {"empty_bulk", "$0\r\n\r\n", "\"\"\n", "\n"},
    {"escaped_bulk", std::string("$7\r\na\"b\\\n\t\xff\r\n"), "\"a\\\"b\\\\\\n\\t\\xff\"\n",
     std::string("a\"b\\\n\t\xff\n")},
    {"control_bytes", std::string("$4\r\n\r\a\b\x01\r\n"), "\"\\r\\a\\b\\x01\"\n",
     std::string("\r\a\b\x01\n")},
    {"nil_bulk", "$-1\r\n", "(nil)\n", "\n"},
    {"nil_array", "*-1\r\n", "(nil)\n", "\n"},
    {"resp3_null", "_\r\n", "(nil)\n", "\n"},
    {"empty_array", "*0\r\n", "(empty array)\n", "\n"},
    {"empty_map", "%0\r\n", "(empty hash)\n", "\n"},
    {"empty_set", "~0\r\n", "(empty set)\n", "\n"},
    {"array", "*3\r\n:0\r\n:1\r\n:2\r\n", "1) (integer) 0\n2) (integer) 1\n3) (integer) 2\n",
     "0\n1\n2\n"},
    {"nested_array", "*5\r\n:1\r\n*2\r\n:2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*0\r\n$-1\r\n$1\r\nx\r\n",
     "1) (integer) 1\n2) 1) (integer) 2\n   2) 1) \"a\"\n      2) \"b\"\n3) (empty array)\n"
     "4) (nil)\n5) \"x\"\n",
     "1\n2\na\nb\n\n\nx\n"},
    {"set", "~3\r\n:0\r\n:1\r\n:2\r\n", "1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2\n",
     "0\n1\n2\n"},
    {"map", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n",
     "1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n3# (integer) 2 => (false)\n",
     "0 (false)\n1 (true)\n2 (false)\n"},
    {"map_with_nested_values", "%2\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*1\r\n$1\r\nm\r\n",
     "1# \"proto\" => (integer) 3\n2# \"modules\" => 1) \"m\"\n", "proto 3\nmodules m\n"},
    {"double", ",3.141\r\n", "(double) 3.141\n", "3.141\n"},
    {"double_inf", ",inf\r\n", "(double) inf\n", "inf\n"},
    {"true", "#t\r\n", "(true)\n", "(true)\n"},
    {"false", "#f\r\n", "(false)\n", "(false)\n"},
    {"big_number", "(1234567999999999999999999999999999999\r\n",
     "(big number) 1234567999999999999999999999999999999\n",
     "1234567999999999999999999999999999999\n"},
    {"verbatim", "=26\r\ntxt:This is a verbatim\nstr\r\n", "This is a verbatim\nstr\n",
     "This is a verbatim\nstr\n"},
    {"push", ">2\r\n$7\r\nmessage\r\n$2\r\nhi\r\n", "1) \"message\"\n2) \"hi\"\n", "message\nhi\n"},
};

TEST(ReplyFormatTest, MatchesRedisCliInStandardAndRawStyles) {
  for (const auto& c : kCases) {
    resp::Value v = Parse(c.wire);
    EXPECT_EQ(FormatReply(v, ReplyStyle::kStandard, false), c.standard) << c.name;
    EXPECT_EQ(FormatReply(v, ReplyStyle::kRaw, false), c.raw) << c.name;
  }
}

TEST(ReplyFormatTest, WidensIndexColumnToTheLargestIndex) {
  std::string wire = "*11\r\n";
  for (int i = 0; i < 11; ++i) wire += "$1\r\n" + std::string(1, char('a' + i)) + "\r\n";
  std::string out = FormatStandard(Parse(wire));
  EXPECT_EQ(out.substr(0, 9), " 1) \"a\"\n ");
  EXPECT_NE(out.find("\n10) \"j\"\n11) \"k\"\n"), std::string::npos);

  // A nested array under a two-digit index is indented by four columns.
  std::string nested = "*10\r\n";
  for (int i = 0; i < 9; ++i) nested += ":1\r\n";
  nested += "*2\r\n:7\r\n:8\r\n";
  EXPECT_NE(FormatStandard(Parse(nested)).find("10) 1) (integer) 7\n    2) (integer) 8\n"),
            std::string::npos);
}

TEST(ReplyFormatTest, TextCommandsPrintRawWithoutExtraNewlineInBothStyles) {
  resp::Value info = Parse("$21\r\n# Server\r\nredis:7.0\r\n\r\n");
  EXPECT_EQ(FormatReply(info, ReplyStyle::kStandard, true), "# Server\r\nredis:7.0\r\n");
  EXPECT_EQ(FormatReply(info, ReplyStyle::kRaw, true), "# Server\r\nredis:7.0\r\n");
}

TEST(ReplyFormatTest, RecognisesTheCommandsRedisCliPrintsAsText) {
  struct Case {
    std::vector<std::string> argv;
    bool raw_text;
  };
  const std::vector<Case> cases = {
      {{"INFO"}, true},
      {{"info", "server"}, true},
      {{"CLIENT", "LIST"}, true},
      {{"client", "info"}, true},
      {{"CLIENT", "ID"}, false},
      {{"memory", "doctor"}, true},
      {{"MEMORY", "USAGE", "k"}, false},
      {{"cluster", "nodes"}, true},
      {{"cluster", "nodes", "x"}, false},
      {{"latency", "doctor"}, true},
      {{"latency", "graph", "command"}, true},
      {{"LOLWUT"}, true},
      {{"GET", "info"}, false},
      {{}, false},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const auto& a : c.argv) joined += a + " ";
    EXPECT_EQ(IsRawTextCommand(c.argv), c.raw_text) << joined;
  }
}

TEST(ReplyFormatTest, QuotesBulkStringsLikeSdscatrepr) {
  resp::Value v;
  v.type = Type::kBulk;
  v.str = std::string("\0\x7f\x80 plain", 9);
  EXPECT_EQ(FormatStandard(v), "\"\\x00\\x7f\\x80 plain\"\n");
}

}  // namespace
}  // namespace vigil::cli
