#include "sentinel/core/wire.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(WireTest, EveryCommandRoundTripsThroughArgv) {
  std::vector<Command> commands = {
      PingCommand{},
      InfoCommand{},
      PublishHelloCommand{"127.0.0.1,26379,abc,1,mymaster,127.0.0.1,6379,1"},
      SubscribeHelloCommand{},
      IsMasterDownByAddrCommand{{"10.0.0.1", 6379}, 7, "*"},
      ReconfigureCommand{std::nullopt},
      ReconfigureCommand{HostPort{"10.0.0.2", 6380}},
      ScriptKillCommand{},
      IsMasterDownByAddrCommand{{"10.0.0.1", 6379}, 8, "abc", true},
      FailoverToCommand{{"10.0.0.2", 6380}, 5000},
      RewriteConfigCommand{},
  };
  for (const Command& c : commands) {
    Result<Command> back = ParseCommand(RenderCommand(c));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back.value(), c);
  }
}

TEST(WireTest, ReconfigurationBlockIsRedisSixCommandsWithSlaveof) {
  std::vector<Argv> argv = RenderCommand(ReconfigureCommand{HostPort{"127.0.0.1", 7382}});
  std::vector<Argv> expected = {{"MULTI"},
                                {"SLAVEOF", "127.0.0.1", "7382"},
                                {"CONFIG", "REWRITE"},
                                {"CLIENT", "KILL", "TYPE", "normal"},
                                {"CLIENT", "KILL", "TYPE", "pubsub"},
                                {"EXEC"}};
  EXPECT_EQ(argv, expected);
  EXPECT_EQ(RenderCommand(ReconfigureCommand{})[1], (Argv{"SLAVEOF", "NO", "ONE"}));
}

TEST(WireTest, AskIsSentInLowerCaseWithEpochAndRunId) {
  auto argv = RenderCommand(IsMasterDownByAddrCommand{{"127.0.0.1", 7380}, 3, "abc"});
  EXPECT_EQ(argv[0], (Argv{"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "7380", "3", "abc"}));
}

TEST(WireTest, CoordinatedVoteRequestEndsWithCoordinated) {
  auto argv = RenderCommand(IsMasterDownByAddrCommand{{"127.0.0.1", 7380}, 3, "abc", true});
  EXPECT_EQ(argv[0], (Argv{"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "7380", "3", "abc",
                           "COORDINATED"}));
}

TEST(WireTest, FailoverToCarriesTargetAndTimeout) {
  auto argv = RenderCommand(FailoverToCommand{{"127.0.0.1", 7381}, 5000}, {{"FAILOVER", "FO"}});
  EXPECT_EQ(argv[0], (Argv{"FO", "TO", "127.0.0.1", "7381", "TIMEOUT", "5000"}));
  EXPECT_EQ(
      DecodeReply(FailoverToCommand{}, {resp::Value::Error("ERR FAILOVER already in progress.")}),
      ReplyPayload(SimpleReply{true, "ERR FAILOVER already in progress."}));
}

TEST(WireTest, RenamedCommandsUseTheConfiguredNames) {
  RenameMap renames{{"CONFIG", "GUESSME"}, {"SLAVEOF", "SOO"}};
  auto argv = RenderCommand(ReconfigureCommand{}, renames);
  EXPECT_EQ(argv[1][0], "SOO");
  EXPECT_EQ(argv[2][0], "GUESSME");
  EXPECT_EQ(RenderCommand(PingCommand{}, renames)[0][0], "PING");
}

TEST(WireTest, VoteReplyMustBeIntegerStringInteger) {
  Command ask = IsMasterDownByAddrCommand{{"h", 1}, 1, "*"};
  // Observed bytes *3 :0 $1 * :0.
  auto ok = DecodeReply(ask, {EncodeVoteReply(VoteReply{false, "*", 0})});
  ASSERT_TRUE(std::holds_alternative<VoteReply>(ok));
  EXPECT_EQ(std::get<VoteReply>(ok).leader, "*");
  auto voted =
      DecodeReply(ask, {resp::Value::Array({resp::Value::Integer(1), resp::Value::Bulk("X"),
                                            resp::Value::Integer(5)})});
  EXPECT_EQ(std::get<VoteReply>(voted), (VoteReply{true, "X", 5}));
  auto wrong = DecodeReply(ask, {resp::Value::Array({resp::Value::Bulk("1"), resp::Value::Bulk("X"),
                                                     resp::Value::Integer(5)})});
  EXPECT_TRUE(std::holds_alternative<MalformedReply>(wrong));
}

TEST(WireTest, BlockReplyReportsTheSlaveofOutcomeInsideExec) {
  Command block = ReconfigureCommand{};
  auto ok = EncodeReply(block, ReconfigureReply{true, ""});
  EXPECT_EQ(std::get<ReconfigureReply>(DecodeReply(block, ok)).replicaof_ok, true);
  // CONFIG REWRITE failing inside EXEC is harmless.
  ok[5].elements[1] = resp::Value::Error("ERR The server is running without a config file");
  EXPECT_TRUE(std::get<ReconfigureReply>(DecodeReply(block, ok)).replicaof_ok);
  auto aborted = ok;
  aborted[5] = resp::Value::Error("EXECABORT Transaction discarded");
  EXPECT_FALSE(std::get<ReconfigureReply>(DecodeReply(block, aborted)).replicaof_ok);
  EXPECT_TRUE(std::holds_alternative<MalformedReply>(DecodeReply(block, {ok[0]})));
}

TEST(WireTest, RepliesDecodeToTheirTypedForm) {
  EXPECT_EQ(std::get<SimpleReply>(DecodeReply(PingCommand{}, {resp::Value::Simple("PONG")})),
            (SimpleReply{false, "PONG"}));
  EXPECT_EQ(std::get<SimpleReply>(DecodeReply(PingCommand{}, {resp::Value::Error("LOADING x")})),
            (SimpleReply{true, "LOADING x"}));
  EXPECT_EQ(std::get<InfoReply>(DecodeReply(InfoCommand{}, {resp::Value::Bulk("role:master")})),
            (InfoReply{"role:master"}));
  EXPECT_FALSE(
      std::get<SimpleReply>(DecodeReply(PublishHelloCommand{"p"}, {resp::Value::Integer(2)}))
          .is_error);
  for (const Command& c : std::vector<Command>{PingCommand{}, InfoCommand{}}) {
    ReplyPayload p =
        c.index() == 0 ? ReplyPayload(SimpleReply{false, "PONG"}) : ReplyPayload(InfoReply{"x"});
    EXPECT_EQ(DecodeReply(c, EncodeReply(c, p)), p);
  }
}

TEST(WireTest, ParseRejectsWhatIsNotOurs) {
  EXPECT_FALSE(ParseCommand({{"SET", "a", "b"}}).ok());
  EXPECT_FALSE(ParseCommand({{"PUBLISH", "other", "x"}}).ok());
  EXPECT_FALSE(ParseCommand({{"SENTINEL", "is-master-down-by-addr", "h", "x", "1", "*"}}).ok());
}

}  // namespace
}  // namespace vigil::sentinel
