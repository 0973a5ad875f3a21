// SAVE / BGSAVE / MISCONF at the Service level (the process shell is replaced by a fake hook).
#include <gtest/gtest.h>

#include <string>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

constexpr const char* kMisconf =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.\r\n";

class FakeHooks : public ServerHooks {
 public:
  std::string Shutdown(Session*, const ShutdownRequest&) override { return ""; }
  Status RewriteConfig() override { return Status::Ok(); }
  void FillProcessInfo(ProcessInfo*) const override {}
  void OnConfigChanged(const std::string&) override {}
  uint32_t SecureRandom32() override { return 0x5eed; }
  std::string Save() override { return save_error; }
  Result<std::string> BgSave(bool schedule) override {
    last_schedule = schedule;
    if (busy) return Status::Error("ERR Background save already in progress");
    return std::string("Background saving started");
  }
  bool FlushAllResetRdb() override {
    svc->reset_dirty();  // what the shell's synchronous save does
    return true;
  }
  Service* svc = nullptr;
  std::string save_error;
  bool busy = false;
  bool last_schedule = false;
};

TEST(PersistenceCommandsTest, SaveAndBgsaveReachTheShell) {
  ServiceHarness h;
  FakeHooks hooks;
  h.service().set_hooks(&hooks);
  EXPECT_EQ(h.Raw({"SAVE"}), "+OK\r\n");
  hooks.save_error = "ERR";
  EXPECT_EQ(h.Raw({"SAVE"}), "-ERR\r\n");
  EXPECT_EQ(h.Raw({"BGSAVE"}), "+Background saving started\r\n");
  EXPECT_FALSE(hooks.last_schedule);
  EXPECT_EQ(h.Raw({"BGSAVE", "schedule"}), "+Background saving started\r\n");
  EXPECT_TRUE(hooks.last_schedule);
  hooks.busy = true;
  EXPECT_EQ(h.Raw({"BGSAVE"}), "-ERR Background save already in progress\r\n");
  EXPECT_EQ(h.Raw({"BGSAVE", "NOW"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"BGSAVE", "SCHEDULE", "x"}), "-ERR syntax error\r\n");
  h.Raw({"MULTI"});
  EXPECT_EQ(h.Raw({"SAVE"}), "-ERR Command not allowed inside a transaction\r\n");
  h.service().set_hooks(nullptr);
}

TEST(PersistenceCommandsTest, FlushallThatSavedLeavesNoChangesButIsStillPropagated) {
  ServiceHarness h;
  FakeHooks hooks;
  hooks.svc = &h.service();
  testing::RecordingPropagator feed;
  h.service().set_hooks(&hooks);
  h.service().set_propagator(&feed);
  h.Raw({"SET", "k", "v"});
  EXPECT_EQ(h.service().dirty(), 1);
  EXPECT_EQ(h.Raw({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(h.service().dirty(), 0);
  EXPECT_EQ(feed.lines.back(), "0: FLUSHALL");
  h.service().set_propagator(nullptr);
  h.service().set_hooks(nullptr);
}

TEST(PersistenceCommandsTest, FailedBgsaveDeniesWritesAndPingWithMisconf) {
  ServiceHarness h;
  h.config().save = {{900, 1}};
  h.Raw({"SET", "k", "v"});
  h.service().persistence_error = true;
  EXPECT_EQ(h.Raw({"SET", "k", "w"}), kMisconf);
  EXPECT_EQ(h.Raw({"PING"}), kMisconf);
  EXPECT_EQ(h.Raw({"GET", "k"}), "$1\r\nv\r\n");
  h.config().stop_writes_on_bgsave_error = false;
  EXPECT_EQ(h.Raw({"PING"}), "+PONG\r\n");
  h.config().stop_writes_on_bgsave_error = true;
  h.config().save.clear();  // no save points: no MISCONF, as in Redis
  EXPECT_EQ(h.Raw({"SET", "k", "w"}), "+OK\r\n");
  h.service().persistence_error = false;
}

TEST(PersistenceCommandsTest, InfoReportsRdbStatus) {
  ServiceHarness h;
  h.service().rdb.last_bgsave_ok = false;
  h.service().rdb.saves = 3;
  h.service().stats().latest_fork_usec = 1234;
  std::string info = h.Raw({"INFO", "all"});
  EXPECT_NE(info.find("rdb_last_bgsave_status:err\r\n"), std::string::npos);
  EXPECT_NE(info.find("rdb_saves:3\r\n"), std::string::npos);
  EXPECT_NE(info.find("rdb_bgsave_in_progress:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("latest_fork_usec:1234\r\n"), std::string::npos);
}

}  // namespace
}  // namespace vigil::datanode
