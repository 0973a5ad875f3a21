// Busy scripts: past busy-reply-threshold a script lets the shell serve other clients, which get
// -BUSY for all but the allow_busy commands; SCRIPT KILL and FUNCTION KILL stop a script that
// has not written. The shell is a fake here: its event pass runs commands queued by the test.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

constexpr const char* kBusyEval =
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
constexpr const char* kBusyFunction =
    "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
    "NOSAVE.\r\n";

// A shell whose event pass, while a script is busy, calls `on_busy` once per pass.
class FakeShell : public ServerHooks {
 public:
  std::string Shutdown(Session*, const ShutdownRequest&) override {
    ++shutdowns;
    return "";
  }
  Status RewriteConfig() override { return Status::Ok(); }
  void FillProcessInfo(ProcessInfo*) const override {}
  void OnConfigChanged(const std::string&) override {}
  uint32_t SecureRandom32() override { return 4; }
  void LogWarning(const std::string& line) override { warnings.push_back(line); }
  void ProcessEventsWhileBusy(const Session& caller) override {
    ++passes;
    callers.push_back(&caller);
    if (on_busy) on_busy(passes);
  }
  std::function<void(int)> on_busy;
  int passes = 0;
  int shutdowns = 0;
  std::vector<const Session*> callers;
  std::vector<std::string> warnings;
};

// A harness whose microsecond clock advances 1 ms at every read, so a spinning script crosses
// a small threshold after a few hook calls.
struct BusyFixture {
  BusyFixture() {
    h.service().set_hooks(&shell);
    h.service().set_clock_us([this] { return clock_us += 1000; });
    h.Run({"CONFIG", "SET", "lua-time-limit", "10"});
  }
  ~BusyFixture() { h.service().set_hooks(nullptr); }
  ServiceHarness h;
  FakeShell shell;
  int64_t clock_us = 0;
};

TEST(BusyScript, OtherClientsGetBusyAndScriptKillStopsAReadOnlyScript) {
  BusyFixture f;
  Session& other = f.h.NewSession();
  std::vector<std::string> seen;
  f.shell.on_busy = [&](int pass) {
    if (pass == 1) {
      seen.push_back(f.h.Raw({"PING"}, &other));
      seen.push_back(f.h.Raw({"GET", "k"}, &other));
      seen.push_back(f.h.Raw({"FUNCTION", "STATS"}, &other));
      seen.push_back(f.h.Raw({"FUNCTION", "KILL"}, &other));
      seen.push_back(f.h.Raw({"NOSUCHCOMMAND"}, &other));
      seen.push_back(f.h.Raw({"SCRIPT", "KILL"}, &other));
    }
  };
  const std::string reply = f.h.Raw({"EVAL", "while true do end", "0"});
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], kBusyEval);
  EXPECT_EQ(seen[1], kBusyEval);
  EXPECT_EQ(seen[2], kBusyEval);  // FUNCTION STATS refuses to describe an EVAL
  EXPECT_EQ(seen[3], kBusyEval);  // FUNCTION KILL does not kill an EVAL
  EXPECT_EQ(seen[4].rfind("-ERR unknown command 'NOSUCHCOMMAND'", 0), 0u) << seen[4];
  EXPECT_EQ(seen[5], "+OK\r\n");
  EXPECT_NE(reply.find("Script killed by user with SCRIPT KILL..."), std::string::npos) << reply;
  EXPECT_EQ(reply[0], '-');
  EXPECT_EQ(f.shell.callers.front(), &f.h.session());
  // The server is itself again once the script is gone.
  EXPECT_EQ(f.h.Raw({"PING"}, &other), "+PONG\r\n");
  EXPECT_EQ(f.h.Raw({"SCRIPT", "KILL"}, &other), "-NOTBUSY No scripts in execution right now.\r\n");
  ASSERT_FALSE(f.shell.warnings.empty());
  EXPECT_EQ(f.shell.warnings[0].rfind("Slow script detected: still in execution after ", 0), 0u);
}

TEST(BusyScript, NothingIsServedBeforeTheThreshold) {
  BusyFixture f;
  f.h.Run({"CONFIG", "SET", "busy-reply-threshold", "0"});
  EXPECT_EQ(f.h.Raw({"EVAL", "local i = 0 while i < 3000000 do i = i + 1 end return i", "0"}),
            ":3000000\r\n");
  EXPECT_EQ(f.shell.passes, 0);
  f.h.Run({"CONFIG", "SET", "busy-reply-threshold", "100000"});
  EXPECT_EQ(f.h.Raw({"EVAL", "local i = 0 while i < 3000000 do i = i + 1 end return i", "0"}),
            ":3000000\r\n");
  EXPECT_EQ(f.shell.passes, 0);
}

TEST(BusyScript, PcallCannotSwallowTheKill) {
  BusyFixture f;
  Session& other = f.h.NewSession();
  f.shell.on_busy = [&](int pass) {
    if (pass == 2) {
      EXPECT_EQ(f.h.Raw({"SCRIPT", "KILL"}, &other), "+OK\r\n");
    }
  };
  const std::string reply = f.h.Raw(
      {"EVAL", "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end",
       "0"});
  EXPECT_NE(reply.find("killed by user"), std::string::npos) << reply;
}

TEST(BusyScript, AScriptThatWroteIsUnkillableButShutdownNosaveGoesThrough) {
  BusyFixture f;
  Session& other = f.h.NewSession();
  std::vector<std::string> seen;
  f.shell.on_busy = [&](int pass) {
    if (pass != 1) return;
    seen.push_back(f.h.Raw({"SCRIPT", "KILL"}, &other));
    seen.push_back(f.h.Raw({"SHUTDOWN"}, &other));
    seen.push_back(f.h.Raw({"SHUTDOWN", "NOSAVE"}, &other));
  };
  EXPECT_EQ(f.h.Raw({"EVAL",
                     "redis.call('set', KEYS[1], 'y') local i = 0 while i < 3000000 do i = i + 1 "
                     "end return i",
                     "1", "x"}),
            ":3000000\r\n");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0],
            "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
            "You can either wait the script termination or kill the server in a hard way using "
            "the SHUTDOWN NOSAVE command.\r\n");
  EXPECT_EQ(seen[1], kBusyEval);
  EXPECT_EQ(f.shell.shutdowns, 1);  // only the NOSAVE one reached the shell
  EXPECT_EQ(f.h.Raw({"GET", "x"}), "$1\r\ny\r\n");
}

TEST(BusyScript, FunctionsAreKilledByFunctionKillAndShownByFunctionStats) {
  BusyFixture f;
  Session& other = f.h.NewSession();
  ASSERT_EQ(f.h.Raw({"FUNCTION", "LOAD",
                     "#!lua name=lib\nredis.register_function('spin', function() while true do "
                     "end end)"}),
            "$3\r\nlib\r\n");
  std::vector<std::string> seen;
  f.shell.on_busy = [&](int pass) {
    if (pass != 1) return;
    seen.push_back(f.h.Raw({"PING"}, &other));
    seen.push_back(f.h.Raw({"SCRIPT", "KILL"}, &other));
    resp::Value stats = f.h.Run({"FUNCTION", "STATS"}, &other);
    ASSERT_EQ(stats.elements.size(), 4u);
    const resp::Value& running = stats.elements[1];
    ASSERT_EQ(running.elements.size(), 6u);
    EXPECT_EQ(running.elements[0].str, "name");
    EXPECT_EQ(running.elements[1].str, "spin");
    EXPECT_EQ(running.elements[2].str, "command");
    ASSERT_EQ(running.elements[3].elements.size(), 3u);
    EXPECT_EQ(running.elements[3].elements[0].str, "FCALL");
    EXPECT_EQ(running.elements[4].str, "duration_ms");
    EXPECT_GE(running.elements[5].integer, 10);
    seen.push_back(f.h.Raw({"FUNCTION", "KILL"}, &other));
  };
  const std::string reply = f.h.Raw({"FCALL", "spin", "0"});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], kBusyFunction);
  EXPECT_EQ(seen[1], kBusyFunction);  // SCRIPT KILL does not kill a function
  EXPECT_EQ(seen[2], "+OK\r\n");
  EXPECT_NE(reply.find("killed by user"), std::string::npos) << reply;
}

TEST(BusyScript, KeysTheScriptMadeReadyAreServedWhenItEnds) {
  BusyFixture f;
  Session& blocked = f.h.NewSession();
  Session& other = f.h.NewSession();
  EXPECT_EQ(f.h.Raw({"BLPOP", "x", "0"}, &blocked), "");
  std::string during;
  std::string hello;
  f.shell.on_busy = [&](int pass) {
    if (pass != 1) return;
    hello = f.h.Raw({"HELLO", "2", "SETNAME", "abortscript"}, &other);
    during = f.h.TakeOutput(blocked);
  };
  EXPECT_EQ(f.h.Raw({"EVAL",
                     "redis.call('lpush', KEYS[1], 'y') local i = 0 while i < 3000000 do i = i + "
                     "1 end redis.call('lpush', KEYS[1], 'z') return i",
                     "1", "x"}),
            ":3000000\r\n");
  EXPECT_EQ(hello.rfind("*14\r\n$6\r\nserver\r\n", 0), 0u) << hello;  // HELLO is allow_busy
  EXPECT_EQ(during, "");
  EXPECT_EQ(f.h.TakeOutput(blocked), "*2\r\n$1\r\nx\r\n$1\r\nz\r\n");
}

TEST(BusyScript, TransactionCommandsAreAllowedAndAQueuedWriteIsRefused) {
  BusyFixture f;
  Session& other = f.h.NewSession();
  Session& killer = f.h.NewSession();
  std::vector<std::string> seen;
  f.shell.on_busy = [&](int pass) {
    if (pass != 1) return;
    seen.push_back(f.h.Raw({"MULTI"}, &other));
    seen.push_back(f.h.Raw({"SET", "a", "1"}, &other));
    seen.push_back(f.h.Raw({"SCRIPT", "KILL"}, &killer));
  };
  f.h.Raw({"EVAL", "while true do end", "0"});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "+OK\r\n");
  EXPECT_EQ(seen[1], kBusyEval);
  EXPECT_EQ(f.h.Raw({"EXEC"}, &other),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

}  // namespace
}  // namespace vigil::datanode
