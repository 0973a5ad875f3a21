#include "datanode/service/client_pause.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Int;
using testing::ServiceHarness;

TEST(ClientPause, MostRestrictiveTypeWinsAndEndsAtItsLatestEnd) {
  ClientPause p;
  EXPECT_FALSE(p.Pause(PausePurpose::kClientCommand, 1000, PauseType::kWrite, 0));
  EXPECT_EQ(p.type(), PauseType::kWrite);
  EXPECT_FALSE(p.Pause(PausePurpose::kShutdown, 500, PauseType::kAll, 0));
  EXPECT_EQ(p.type(), PauseType::kAll);
  EXPECT_EQ(p.end_ms(), 500);
  // The ALL pause ends first: WRITE remains, so held clients are tried again.
  EXPECT_FALSE(p.Refresh(500));  // ends only once strictly past
  EXPECT_TRUE(p.Refresh(501));
  EXPECT_EQ(p.type(), PauseType::kWrite);
  EXPECT_EQ(p.end_ms(), 1000);
  EXPECT_TRUE(p.Unpause(PausePurpose::kClientCommand, 600));
  EXPECT_FALSE(p.paused());
  EXPECT_FALSE(p.Unpause(PausePurpose::kClientCommand, 600));
}

TEST(ClientPause, SamePurposeKeepsTheStricterTypeAndLaterEnd) {
  ClientPause p;
  p.Pause(PausePurpose::kClientCommand, 1000, PauseType::kAll, 0);
  EXPECT_FALSE(p.Pause(PausePurpose::kClientCommand, 200, PauseType::kWrite, 0));
  EXPECT_EQ(p.type(), PauseType::kAll);
  EXPECT_EQ(p.end_ms(), 1000);
}

TEST(ClientPause, WriteHoldsOnlyWhatMayWriteAndNeverReplicas) {
  ClientPause p;
  EXPECT_FALSE(p.Holds(true, false));
  p.Pause(PausePurpose::kFailover, INT64_MAX, PauseType::kWrite, 0);
  EXPECT_TRUE(p.Holds(true, false));
  EXPECT_FALSE(p.Holds(false, false));
  EXPECT_FALSE(p.Holds(true, true));
  p.Pause(PausePurpose::kClientCommand, 10, PauseType::kAll, 0);
  EXPECT_TRUE(p.Holds(false, false));
  EXPECT_FALSE(p.Holds(false, true));
}

TEST(ClientPauseService, WritesWaitReadsDoNotAndUnpauseRunsThem) {
  ServiceHarness h;
  auto& writer = h.NewSession();
  auto& reader = h.NewSession();
  EXPECT_EQ(h.Raw({"client", "pause", "100000", "write"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"set", "k", "v"}, &writer), "");
  EXPECT_EQ(h.Raw({"publish", "ch", "m"}, &reader), "");  // may replicate
  EXPECT_EQ(h.service().postponed_count(), 2u);
  EXPECT_EQ(h.Raw({"get", "k"}), "$-1\r\n");
  EXPECT_EQ(h.Raw({"set", "k"}), "-ERR wrong number of arguments for 'set' command\r\n");
  EXPECT_EQ(h.Raw({"client", "unpause"}), "+OK\r\n");
  EXPECT_EQ(h.TakeOutput(writer), "+OK\r\n");
  EXPECT_EQ(h.TakeOutput(reader), Int(0));
  EXPECT_EQ(h.Raw({"get", "k"}), "$1\r\nv\r\n");
}

TEST(ClientPauseService, ExecWithWritesWaitsAndPauseStartsAfterTheTransaction) {
  ServiceHarness h;
  auto& c = h.NewSession();
  h.Raw({"multi"}, &c);
  h.Raw({"set", "a", "1"}, &c);
  h.Raw({"multi"});
  h.Raw({"set", "b", "1"});
  h.Raw({"client", "pause", "60000", "write"});
  h.Raw({"set", "c", "1"});
  EXPECT_EQ(h.Raw({"exec"}), "*3\r\n+OK\r\n+OK\r\n+OK\r\n");  // pause set inside EXEC
  EXPECT_EQ(h.Raw({"exec"}, &c), "");
  EXPECT_EQ(h.Raw({"multi"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"get", "a"}), "+QUEUED\r\n");
  EXPECT_EQ(h.Raw({"exec"}), "*1\r\n$-1\r\n");  // a read-only EXEC runs
  h.AdvanceMs(60001);
  h.service().CheckClientPause();
  EXPECT_EQ(h.TakeOutput(c), "*1\r\n+OK\r\n");
}

TEST(ClientPauseService, AllHoldsEverythingUntilTheTimeout) {
  ServiceHarness h;
  auto& c = h.NewSession();
  h.Raw({"client", "pause", "50"});
  EXPECT_EQ(h.Raw({"ping"}, &c), "");
  EXPECT_EQ(h.Raw({"client", "unpause"}), "");  // held too, as in Redis
  h.AdvanceMs(51);
  h.service().CheckClientPause();
  EXPECT_EQ(h.TakeOutput(c), "+PONG\r\n");
  EXPECT_EQ(h.TakeOutput(h.session()), "+OK\r\n");
}

TEST(ClientPauseService, ExpiryStandsStillDuringAPause) {
  ServiceHarness h;
  h.Raw({"set", "k", "v", "px", "10"});
  h.Raw({"client", "pause", "100000", "write"});
  h.AdvanceMs(20);
  h.service().Cron();
  EXPECT_EQ(h.Raw({"get", "k"}), "$-1\r\n");  // reads as expired
  EXPECT_EQ(h.service().keyspace().expired_keys, 0);
  EXPECT_EQ(h.Raw({"dbsize"}), Int(1));
  h.Raw({"client", "unpause"});
  EXPECT_EQ(h.Raw({"get", "k"}), "$-1\r\n");
  EXPECT_EQ(h.service().keyspace().expired_keys, 1);
}

TEST(ClientPauseService, ArgumentErrors) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"client", "pause", "10", "read"}),
            "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  EXPECT_EQ(h.Raw({"client", "pause", "x"}), "-ERR timeout is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"client", "pause", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(h.Raw({"client", "pause", "1", "all", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT "
            "HELP.\r\n");
  EXPECT_EQ(h.Raw({"client", "pause", "0"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"ping"}), "+PONG\r\n");  // a zero timeout ends at once
}

}  // namespace
}  // namespace vigil::datanode
