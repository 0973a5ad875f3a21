// MONITOR: what a monitor sees, in which order, and what it may still do.
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

constexpr const char* kStamp = "+1700000000.000000 ";

std::string Line(const std::string& origin, const std::string& args, int db = 0) {
  return kStamp + ("[" + std::to_string(db) + " " + origin + "] " + args + "\r\n");
}

struct Monitored {
  explicit Monitored(ServiceHarness& harness) : h(harness), m(h.NewSession()) {
    EXPECT_EQ(h.Raw({"MONITOR"}, &m), "+OK\r\n");
  }
  std::string Take() { return h.TakeOutput(m); }
  ServiceHarness& h;
  Session& m;
};

TEST(Monitor, ShowsEachCommandAfterItRanWithTheClientAddress) {
  ServiceHarness h;
  Monitored mon(h);
  h.Raw({"set", "foo", "bar baz"});
  h.Raw({"SELECT", "3"});
  h.Raw({"GET", "foo\n"});
  const std::string addr = h.session().addr;
  EXPECT_EQ(mon.Take(), Line(addr, R"m("set" "foo" "bar baz")m") +
                            Line(addr, R"m("SELECT" "3")m", 3) +
                            Line(addr, R"m("GET" "foo\n")m", 3));
  // Admin commands are never shown; unknown ones never ran.
  h.Raw({"CONFIG", "GET", "maxmemory"});
  h.Raw({"NOSUCH"});
  EXPECT_EQ(mon.Take(), "");
}

TEST(Monitor, ScriptsAreShownBeforeTheCommandsTheyRun) {
  ServiceHarness h;
  Monitored mon(h);
  h.Raw({"EVAL", "redis.call('set',KEYS[1],ARGV[1])", "1", "foo", "bar"});
  const std::string addr = h.session().addr;
  EXPECT_EQ(mon.Take(),
            Line(addr, R"m("EVAL" "redis.call('set',KEYS[1],ARGV[1])" "1" "foo" "bar")m") +
                Line("lua", R"m("set" "foo" "bar")m"));
}

TEST(Monitor, TransactionsShowMultiTheirCommandsAndExecEvenWhenAborted) {
  ServiceHarness h;
  Monitored mon(h);
  const std::string addr = h.session().addr;
  h.Raw({"MULTI"});
  h.Raw({"SET", "foo", "bar"});
  h.Raw({"EXEC"});
  EXPECT_EQ(mon.Take(), Line(addr, R"m("MULTI")m") + Line(addr, R"m("SET" "foo" "bar")m") +
                            Line(addr, R"m("EXEC")m"));
  h.Raw({"MULTI"});
  h.Raw({"syntax", "error"});
  h.Raw({"EXEC"});
  EXPECT_EQ(mon.Take(), Line(addr, R"m("MULTI")m") + Line(addr, R"m("EXEC")m"));
}

TEST(Monitor, SecretsAreRedacted) {
  ServiceHarness h;
  Monitored mon(h);
  const std::string addr = h.session().addr;
  h.Raw({"AUTH", "not-real"});
  h.Raw({"AUTH", "user", "not-a-password"});
  h.Raw({"HELLO", "2", "AUTH", "user", "pw"});
  EXPECT_EQ(mon.Take(), Line(addr, R"m("AUTH" "(redacted)")m") +
                            Line(addr, R"m("AUTH" "(redacted)" "(redacted)")m") +
                            Line(addr, R"m("HELLO" "2" "AUTH" "(redacted)" "(redacted)")m"));
}

TEST(Monitor, AMonitorLeavesTheKeyspaceAloneAndResetEndsIt) {
  ServiceHarness h;
  Monitored mon(h);
  EXPECT_EQ(h.Raw({"GET", "k"}, &mon.m), "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(h.Raw({"MONITOR"}, &mon.m), "");  // already monitoring: ignored, no reply
  EXPECT_NE(h.Run({"CLIENT", "LIST"}).str.find("flags=O "), std::string::npos);
  mon.Take();
  EXPECT_EQ(h.Raw({"RESET"}, &mon.m), "+RESET\r\n");
  h.Raw({"SET", "k", "v"});
  EXPECT_EQ(mon.Take(), "");
  EXPECT_EQ(h.Raw({"GET", "k"}, &mon.m), "$1\r\nv\r\n");
  h.Raw({"MULTI"});
  h.Raw({"MONITOR"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
}

}  // namespace
}  // namespace vigil::datanode
