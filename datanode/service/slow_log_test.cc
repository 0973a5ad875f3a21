#include "datanode/service/slow_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::datanode {
namespace {

using Args = std::vector<std::string>;

void Push(SlowLog& log, const Args& argv, int64_t us, int64_t slower_than = 0,
          int64_t max_len = 128) {
  log.Push(argv, argv.size(), us, 1700000000, "127.0.0.1:5000", "app", slower_than, max_len);
}

TEST(SlowLogTest, KeepsTheSlowCommandsNewestFirstUpToMaxLen) {
  SlowLog log;
  Push(log, {"get", "a"}, 5, 10);
  Push(log, {"set", "a", "1"}, 10, 10);
  Push(log, {"del", "a"}, 20, 10, 1);
  ASSERT_EQ(log.entries().size(), 1u);
  EXPECT_EQ(log.entries()[0].args, (Args{"del", "a"}));
  EXPECT_EQ(log.entries()[0].id, 1);  // ids count every logged command
  EXPECT_EQ(log.entries()[0].duration_us, 20);
  EXPECT_EQ(log.entries()[0].peer, "127.0.0.1:5000");
  EXPECT_EQ(log.entries()[0].client_name, "app");
}

TEST(SlowLogTest, ANegativeThresholdLogsNothing) {
  SlowLog log;
  Push(log, {"get", "a"}, 1000000, -1);
  EXPECT_TRUE(log.entries().empty());
}

TEST(SlowLogTest, LongCommandsAreCutAsRedisCutsThem) {
  Args argv;
  for (int i = 0; i < 40; ++i) argv.push_back(std::to_string(i));
  Args logged = SlowLog::LoggedArgs(argv, argv.size());
  ASSERT_EQ(logged.size(), 32u);
  EXPECT_EQ(logged[30], "30");
  EXPECT_EQ(logged[31], "... (9 more arguments)");
  logged = SlowLog::LoggedArgs({"set", "k", std::string(200, 'x')}, 3);
  EXPECT_EQ(logged[2], std::string(128, 'x') + "... (72 more bytes)");
}

TEST(SlowLogTest, SecretsAreRedacted) {
  auto logged = [](const Args& a) { return SlowLog::LoggedArgs(a, a.size()); };
  EXPECT_EQ(logged({"AUTH", "pw"}), (Args{"AUTH", "(redacted)"}));
  EXPECT_EQ(logged({"auth", "u", "pw"}), (Args{"auth", "(redacted)", "(redacted)"}));
  EXPECT_EQ(logged({"acl", "setuser", "u", "on", ">pw"}),
            (Args{"acl", "setuser", "(redacted)", "(redacted)", "(redacted)"}));
  EXPECT_EQ(logged({"config", "set", "masterauth", "pw", "maxmemory", "1"}),
            (Args{"config", "set", "masterauth", "(redacted)", "maxmemory", "1"}));
  EXPECT_EQ(logged({"hello", "3", "AUTH", "u", "pw", "SETNAME", "n"}),
            (Args{"hello", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"}));
  EXPECT_EQ(logged({"migrate", "h", "1", "k", "9", "5000", "AUTH2", "u", "pw"}),
            (Args{"migrate", "h", "1", "k", "9", "5000", "AUTH2", "(redacted)", "(redacted)"}));
}

}  // namespace
}  // namespace vigil::datanode
