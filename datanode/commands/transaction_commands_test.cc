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

namespace vigil::datanode {
namespace {

// EXEC is admitted as what it queued: the server may have changed since (Redis's mstate flags).
TEST(TransactionCommands, ExecWithAQueuedDenyOomCommandFailsWhenMemoryRanOutAfterQueuing) {
  testing::ServiceHarness h;
  h.service().set_used_memory_fn([] { return int64_t(100) << 20; });
  Session& admin = h.NewSession();
  h.Raw({"MULTI"});
  EXPECT_EQ(h.Raw({"SET", "x", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.Raw({"GET", "x"}), "+QUEUED\r\n");
  h.Raw({"CONFIG", "SET", "maxmemory", "1"}, &admin);
  EXPECT_EQ(h.Raw({"EXEC"}),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  EXPECT_EQ(h.Raw({"EXISTS", "x"}), testing::Int(0));
  // Only reads queued: EXEC runs them.
  h.Raw({"MULTI"});
  h.Raw({"GET", "x"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*2\r\n$-1\r\n+PONG\r\n");
}

// Redis 7.0's WATCH of expired keys: a key that expires after WATCH fails the EXEC; a key that
// was already expired when watched may be deleted (lazily, by FLUSHDB, by SWAPDB) without
// failing it.
TEST(TransactionCommands, AWatchedKeyThatExpiresAfterWatchFailsExec) {
  testing::ServiceHarness h;
  h.Raw({"SET", "key", "1", "PX", "100"});
  h.Raw({"WATCH", "key"});
  h.AdvanceMs(101);
  h.Raw({"MULTI"});
  h.Raw({"INCR", "key"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*-1\r\n");
}

TEST(TransactionCommands, AKeyAlreadyExpiredWhenWatchedMayBeDeletedWithoutFailingExec) {
  testing::ServiceHarness h;
  for (const char* deletion : {"", "EXISTS", "FLUSHDB", "FLUSHALL"}) {
    h.Raw({"SET", "x", "foo", "PX", "1"});
    h.AdvanceMs(2);
    h.Raw({"WATCH", "x"});
    if (*deletion == 'E') {
      EXPECT_EQ(h.Raw({"EXISTS", "x"}), testing::Int(0));
    } else if (*deletion != '\0') {
      h.Raw({deletion});
    }
    h.Raw({"MULTI"});
    h.Raw({"PING"});
    EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n+PONG\r\n") << deletion;
  }
}

TEST(TransactionCommands, FlushOnlyTouchesWatchedKeysThatExisted) {
  testing::ServiceHarness h;
  h.Raw({"SET", "present", "1"});
  h.Raw({"WATCH", "absent"});
  h.Raw({"FLUSHALL"});
  h.Raw({"MULTI"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n+PONG\r\n");
  h.Raw({"SET", "present", "1"});
  h.Raw({"WATCH", "present"});
  h.Raw({"FLUSHDB"});
  h.Raw({"MULTI"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*-1\r\n");
}

TEST(TransactionCommands, SwapdbTouchesAWatchedKeyOnlyWhenItsValueChangesLogically) {
  testing::ServiceHarness h;
  // A missing key replaced with an expired one: still logically missing.
  h.Raw({"SELECT", "1"});
  h.Raw({"SET", "k", "v", "PX", "1"});
  h.Raw({"SELECT", "0"});
  h.AdvanceMs(2);
  h.Raw({"WATCH", "k"});
  h.Raw({"SWAPDB", "0", "1"});
  h.Raw({"MULTI"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n+PONG\r\n");
  // A live key swapped in: the watcher's EXEC fails.
  h.Raw({"FLUSHALL"});
  h.Raw({"SELECT", "1"});
  h.Raw({"SET", "k", "v"});
  h.Raw({"SELECT", "0"});
  h.Raw({"WATCH", "k"});
  h.Raw({"SWAPDB", "0", "1"});
  h.Raw({"MULTI"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*-1\r\n");
}

}  // namespace
}  // namespace vigil::datanode
