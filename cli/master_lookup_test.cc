#include "cli/master_lookup.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

resp::Value Parse(const std::string& wire) {
  resp::ReplyParser parser;
  size_t consumed = 0;
  resp::Value v;
  EXPECT_EQ(parser.Parse(wire, &consumed, &v), resp::ReplyParser::Status::kValue);
  return v;
}

TEST(MasterLookupTest, ReadsHostAndPort) {
  auto r = MasterAddressFromReply(Parse("*2\r\n$9\r\n127.0.0.1\r\n$4\r\n7000\r\n"), "m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().host, "127.0.0.1");
  EXPECT_EQ(r.value().port, 7000);
  EXPECT_EQ(MasterAddressCommand("m"),
            (std::vector<std::string>{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m"}));
}

TEST(MasterLookupTest, ReportsUnknownMastersErrorsAndMalformedReplies) {
  struct Case {
    std::string wire;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"*-1\r\n", "no master named 'm' is known"},
      {"$-1\r\n", "no master named 'm' is known"},
      {"-ERR unknown command\r\n", "ERR unknown command"},
      {"*1\r\n$1\r\nh\r\n", "unexpected reply to SENTINEL GET-MASTER-ADDR-BY-NAME"},
      {"*2\r\n$1\r\nh\r\n$2\r\nxx\r\n", "bad port 'xx' in SENTINEL GET-MASTER-ADDR-BY-NAME reply"},
      {"*2\r\n$1\r\nh\r\n$1\r\n0\r\n", "bad port '0' in SENTINEL GET-MASTER-ADDR-BY-NAME reply"},
  };
  for (const auto& c : cases) {
    auto r = MasterAddressFromReply(Parse(c.wire), "m");
    ASSERT_FALSE(r.ok()) << c.wire;
    EXPECT_EQ(r.error(), c.error);
  }
}

}  // namespace
}  // namespace vigil::cli
