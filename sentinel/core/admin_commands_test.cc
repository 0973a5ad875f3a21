#include "sentinel/core/admin_commands.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(AdminCommandsTest, ParsesMonitorAndItsErrors) {
  auto ok = ParseSentinelCommand({"SENTINEL", "monitor", "m", "10.0.0.1", "6379", "2"});
  ASSERT_TRUE(ok.ok());
  const auto& req = std::get<MonitorRequest>(std::get<AdminRequest>(ok.value()));
  EXPECT_EQ(req.addr, (HostPort{"10.0.0.1", 6379}));
  EXPECT_EQ(req.quorum, 2);
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "MONITOR", "m", "h", "x", "2"}).error(),
            "ERR Invalid port");
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "monitor", "m", "h", "1", "q"}).error(),
            "ERR Invalid quorum");
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "monitor", "m", "h", "70000", "2"}).error(),
            "ERR Invalid port number.");
}

TEST(AdminCommandsTest, ArityAndUnknownSubcommandErrorsMatchRedis) {
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "master"}).error(),
            "ERR wrong number of arguments for 'sentinel|master' command");
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "is-master-down-by-addr", "a", "1", "2"}).error(),
            "ERR wrong number of arguments for 'sentinel|is-master-down-by-addr' command");
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "bogus"}).error(),
            "ERR unknown subcommand 'bogus'. Try SENTINEL HELP.");
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "config", "set", "a"}).error(),
            "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
}

TEST(AdminCommandsTest, ParsesFailoverCoordinatedAndCoordinatedVotes) {
  auto plain = ParseSentinelCommand({"SENTINEL", "failover", "m"});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(std::get<FailoverRequest>(std::get<AdminRequest>(plain.value())).coordinated);
  auto coordinated = ParseSentinelCommand({"SENTINEL", "FAILOVER", "m", "coordinated"});
  ASSERT_TRUE(coordinated.ok());
  EXPECT_TRUE(std::get<FailoverRequest>(std::get<AdminRequest>(coordinated.value())).coordinated);
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "failover", "m", "now"}).error(), "ERR syntax error");
  auto vote = ParseSentinelCommand(
      {"SENTINEL", "is-master-down-by-addr", "10.0.0.1", "6379", "4", "abc", "COORDINATED"});
  ASSERT_TRUE(vote.ok());
  EXPECT_TRUE(std::get<VoteRequestArgs>(vote.value()).coordinated);
  EXPECT_EQ(ParseSentinelCommand(
                {"SENTINEL", "is-master-down-by-addr", "10.0.0.1", "6379", "4", "abc", "x"})
                .error(),
            "ERR syntax error");
}

TEST(AdminCommandsTest, RoutesVotesQueriesAndRequests) {
  auto vote = ParseSentinelCommand({"SENTINEL", "is-master-down-by-addr", "h", "1", "5", "X"});
  ASSERT_TRUE(vote.ok());
  EXPECT_EQ(std::get<VoteRequestArgs>(vote.value()).epoch, 5u);
  EXPECT_EQ(
      ParseSentinelCommand({"SENTINEL", "is-master-down-by-addr", "h", "1", "e", "X"}).error(),
      "ERR value is not an integer or out of range");
  auto addr = ParseSentinelCommand({"sentinel", "get-master-addr-by-name", "m"});
  EXPECT_TRUE(std::holds_alternative<GetMasterAddrQuery>(std::get<AdminQuery>(addr.value())));
  auto set = ParseSentinelCommand({"SENTINEL", "SET", "m", "quorum", "3", "parallel-syncs", "2"});
  EXPECT_EQ(std::get<SetRequest>(std::get<AdminRequest>(set.value())).args.size(), 4u);
  auto sim = ParseSentinelCommand({"SENTINEL", "simulate-failure", "crash-after-election"});
  EXPECT_TRUE(
      std::get<SimulateFailureRequest>(std::get<AdminRequest>(sim.value())).crash_after_election);
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "simulate-failure", "x"}).error(),
            "ERR Unknown failure simulation specified");
  auto debug = ParseSentinelCommand({"SENTINEL", "debug"});
  EXPECT_TRUE(std::holds_alternative<DebugGetQuery>(std::get<AdminQuery>(debug.value())));
}

TEST(AdminCommandsTest, PrimaryAliasesReachTheMasterHandlers) {
  auto addr = ParseSentinelCommand({"SENTINEL", "GET-PRIMARY-ADDR-BY-NAME", "m"});
  EXPECT_TRUE(std::holds_alternative<GetMasterAddrQuery>(std::get<AdminQuery>(addr.value())));
  auto one = ParseSentinelCommand({"SENTINEL", "primary", "m"});
  EXPECT_EQ(std::get<MasterQuery>(std::get<AdminQuery>(one.value())).name, "m");
  auto all = ParseSentinelCommand({"SENTINEL", "PRIMARIES"});
  EXPECT_TRUE(std::holds_alternative<MastersQuery>(std::get<AdminQuery>(all.value())));
  auto vote = ParseSentinelCommand({"SENTINEL", "is-primary-down-by-addr", "h", "1", "5", "*"});
  EXPECT_EQ(std::get<VoteRequestArgs>(vote.value()).epoch, 5u);
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "primary"}).error(),
            "ERR wrong number of arguments for 'sentinel|primary' command");
  EXPECT_EQ(ParseSentinelCommand({"SENTINEL", "primaries", "x"}).error(),
            "ERR wrong number of arguments for 'sentinel|primaries' command");
}

}  // namespace
}  // namespace vigil::sentinel
