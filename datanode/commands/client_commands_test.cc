#include <gtest/gtest.h>

#include <string>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

std::string Info(ServiceHarness& h) {
  return h.Run({"client", "info"}).str;
}

TEST(ClientCommands, SetinfoStoresLibraryNameAndVersion) {
  ServiceHarness h;
  EXPECT_NE(Info(h).find(" resp=2 lib-name= lib-ver=\n"), std::string::npos);
  EXPECT_EQ(h.Raw({"client", "setinfo", "LIB-NAME", "redis-py"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"client", "setinfo", "lib-ver", "5.0.1"}), "+OK\r\n");
  EXPECT_NE(Info(h).find(" lib-name=redis-py lib-ver=5.0.1\n"), std::string::npos);
  EXPECT_EQ(h.Raw({"client", "setinfo", "lib-ver", ""}), "+OK\r\n");  // clears
  EXPECT_NE(Info(h).find(" lib-ver=\n"), std::string::npos);
  EXPECT_EQ(h.Raw({"client", "setinfo", "lib-name", "a b"}),
            "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(h.Raw({"client", "setinfo", "other", "x"}), "-ERR Unrecognized option 'other'\r\n");
  EXPECT_EQ(h.Raw({"client", "setinfo", "lib-name"}),
            "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
}

TEST(ClientCommands, FlagsShowNoEvict) {
  ServiceHarness h;
  EXPECT_NE(Info(h).find(" flags=N "), std::string::npos);
  h.Raw({"client", "no-evict", "on"});
  EXPECT_NE(Info(h).find(" flags=e "), std::string::npos);
  h.Raw({"client", "no-evict", "off"});
  EXPECT_NE(Info(h).find(" flags=N "), std::string::npos);
}

TEST(ClientCommands, HelpIsRedisText) {
  ServiceHarness h;
  const resp::Value help = h.Run({"client", "help"});
  ASSERT_EQ(help.elements.size(), 48u);
  EXPECT_EQ(help.elements[1].str, "CACHING (YES|NO)");
  EXPECT_EQ(help.elements.back().str, "    Prints this help.");
}

TEST(ClientCommands, ReplyOnAfterSkipIsAnswered) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"client", "reply", "skip"}), "");
  EXPECT_EQ(h.Raw({"client", "reply", "on"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"ping"}), "+PONG\r\n");
  EXPECT_EQ(h.Raw({"client", "reply", "skip"}), "");
  EXPECT_EQ(h.Raw({"ping"}), "");
  EXPECT_EQ(h.Raw({"ping"}), "+PONG\r\n");
}

}  // namespace
}  // namespace vigil::datanode
