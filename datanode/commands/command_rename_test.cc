// rename-command: a command answers to its new name only, or to none.
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

config::Directive RenameLine(const std::string& from, const std::string& to) {
  config::Directive d;
  d.name = "rename-command";
  d.args = {from, to};
  d.file = "redis.conf";
  d.line = 7;
  return d;
}

TEST(CommandRename, ARenamedCommandAnswersToItsNewNameOnly) {
  ServiceHarness h;
  h.config().rename_lines = {RenameLine("flushdb", "badger"), RenameLine("CONFIG", "")};
  ASSERT_TRUE(h.service().ApplyCommandRenames().ok());
  h.Raw({"SET", "k", "v"});
  EXPECT_EQ(h.Raw({"FLUSHDB"}).rfind("-ERR unknown command 'FLUSHDB'", 0), 0u);
  EXPECT_EQ(h.Raw({"BADGER"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(h.Raw({"CONFIG", "GET", "port"}).rfind("-ERR unknown command 'CONFIG'", 0), 0u);
  // Scripts see the table as clients do.
  EXPECT_NE(
      h.Raw({"EVAL", "return redis.pcall('flushdb')['err']", "0"}).find("Unknown Redis command"),
      std::string::npos);
}

TEST(CommandRename, BadLinesNameTheFileAndLine) {
  ServiceHarness h;
  h.config().rename_lines = {RenameLine("nosuch", "x")};
  Status st = h.service().ApplyCommandRenames();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "redis.conf:7: 'rename-command': No such command in rename-command");
  ServiceHarness h2;
  h2.config().rename_lines = {RenameLine("get", "set")};
  EXPECT_EQ(h2.service().ApplyCommandRenames().message(),
            "redis.conf:7: 'rename-command': Target command name already exists");
}

}  // namespace
}  // namespace vigil::datanode
