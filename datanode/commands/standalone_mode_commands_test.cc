// CLUSTER, READONLY, READWRITE, ASKING, RESTORE-ASKING and MODULE answer as a redis-server
// 7.0.15 without cluster mode or modules does; the expected bytes are that server's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datanode/service/service.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

constexpr const char* kDisabled = "-ERR This instance has cluster support disabled\r\n";

TEST(StandaloneModeCommands, ClusterCommandsSayClusterSupportIsDisabled) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"CLUSTER", "INFO"}), kDisabled);
  EXPECT_EQ(h.Raw({"CLUSTER", "HELP"}), kDisabled);
  EXPECT_EQ(h.Raw({"CLUSTER", "KEYSLOT", "k"}), kDisabled);
  EXPECT_EQ(h.Raw({"READWRITE"}), kDisabled);
  EXPECT_EQ(h.Raw({"ASKING"}), kDisabled);
  // Arity and subcommand checks come first, from Redis's own table.
  EXPECT_EQ(h.Raw({"CLUSTER"}), "-ERR wrong number of arguments for 'cluster' command\r\n");
  EXPECT_EQ(h.Raw({"CLUSTER", "HELP", "x"}),
            "-ERR wrong number of arguments for 'cluster|help' command\r\n");
  EXPECT_EQ(h.Raw({"CLUSTER", "nosuch"}),
            "-ERR unknown subcommand 'nosuch'. Try CLUSTER HELP.\r\n");
  EXPECT_EQ(h.Raw({"READONLY", "x"}), "-ERR wrong number of arguments for 'readonly' command\r\n");
}

TEST(StandaloneModeCommands, RestoreAskingIsRestore) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"RESTORE-ASKING", "k", "0", "x"}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  h.Run({"SET", "src", "hello"});
  const std::string payload = h.Run({"DUMP", "src"}).str;
  EXPECT_EQ(h.Raw({"RESTORE-ASKING", "dst", "0", payload}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"GET", "dst"}), "$5\r\nhello\r\n");
}

TEST(StandaloneModeCommands, CommandListNamesThemAsRedisDoes) {
  ServiceHarness h;
  const resp::Value list = h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "cluster|h*"});
  ASSERT_EQ(list.elements.size(), 1u);
  EXPECT_EQ(list.elements[0].str, "cluster|help");
}

TEST(StandaloneModeCommands, ModuleListsNothingAndLoadsNothing) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"MODULE", "LIST"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"MODULE", "LOAD", "/x.so"})
                .rfind("-ERR MODULE command not allowed. If the enable-module-command option", 0),
            0u);
  h.config().enable_module_command = 1;
  EXPECT_EQ(h.Raw({"MODULE", "LOAD", "/x.so"}),
            "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(h.Raw({"MODULE", "LOADEX", "/x.so", "CONFIG", "a", "b"}),
            "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(h.Raw({"MODULE", "UNLOAD", "foo"}),
            "-ERR Error unloading module: no such module with that name\r\n");
  EXPECT_EQ(h.Raw({"MODULE", "nosuch"}), "-ERR unknown subcommand 'nosuch'. Try MODULE HELP.\r\n");
  const resp::Value help = h.Run({"MODULE", "HELP"});
  ASSERT_EQ(help.elements.size(), 11u);
  EXPECT_EQ(help.elements[0].str,
            "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
}

}  // namespace
}  // namespace vigil::datanode
