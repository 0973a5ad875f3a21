#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::ServiceHarness;

TEST(TransactionCommands, ExecRunsQueuedCommandsInOrder) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"SET", "a", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.Raw({"INCR", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(h.Raw({"EXEC"}), "*2\r\n+OK\r\n:2\r\n");
  EXPECT_EQ(h.Raw({"EXEC"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(h.Raw({"DISCARD"}), "-ERR DISCARD without MULTI\r\n");
}

TEST(TransactionCommands, QueuedErrorAbortsExec) {
  ServiceHarness h;
  h.Raw({"MULTI"});
  EXPECT_EQ(h.Raw({"SET", "a"}), "-ERR wrong number of arguments for 'set' command\r\n");
  h.Raw({"SET", "a", "1"});
  EXPECT_EQ(h.Raw({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(h.Raw({"EXISTS", "a"}), Int(0));
  h.Raw({"MULTI"});
  EXPECT_EQ(h.Raw({"MULTI"}), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(h.Raw({"WATCH", "x"}), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(h.Raw({"DISCARD"}), "+OK\r\n");
}

TEST(TransactionCommands, WatchedKeyChangedByAnotherClientFailsExec) {
  ServiceHarness h;
  auto& other = h.NewSession();
  h.Raw({"WATCH", "k"});
  h.Raw({"SET", "k", "theirs"}, &other);
  h.Raw({"MULTI"});
  h.Raw({"SET", "k", "mine"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*-1\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}), Bulk("theirs"));
  h.Raw({"WATCH", "k"});
  h.Raw({"MULTI"});
  h.Raw({"SET", "k", "mine"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n+OK\r\n");
}

TEST(TransactionCommands, RuntimeErrorsDoNotAbortTheRest) {
  ServiceHarness h;
  h.Raw({"SET", "s", "x"});
  h.Raw({"MULTI"});
  h.Raw({"INCR", "s"});
  h.Raw({"SET", "t", "1"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
}

}  // namespace
}  // namespace vigil::datanode
