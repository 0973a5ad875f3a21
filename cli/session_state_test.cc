#include "cli/session_state.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

resp::Value Ok() {
  resp::Value v;
  v.type = resp::Value::Type::kSimple;
  v.str = "OK";
  return v;
}

resp::Value Err() {
  resp::Value v;
  v.type = resp::Value::Type::kError;
  v.str = "ERR DB index is out of range";
  return v;
}

TEST(SessionStateTest, PromptShowsAddressDatabaseAndTransaction) {
  SessionState s("127.0.0.1", 6379);
  EXPECT_EQ(s.Prompt(true), "127.0.0.1:6379> ");
  EXPECT_EQ(s.Prompt(false), "not connected> ");
  s.OnReply({"SELECT", "2"}, Ok());
  EXPECT_EQ(s.Prompt(true), "127.0.0.1:6379[2]> ");
  s.OnReply({"MULTI"}, Ok());
  EXPECT_EQ(s.Prompt(true), "127.0.0.1:6379[2](TX)> ");
  SessionState v6("::1", 7000);
  EXPECT_EQ(v6.Prompt(true), "[::1]:7000> ");
}

TEST(SessionStateTest, FailedSelectKeepsTheDatabase) {
  SessionState s("127.0.0.1", 6379);
  s.OnReply({"select", "99"}, Err());
  EXPECT_EQ(s.db(), 0);
  s.OnReply({"select", "0"}, Ok());
  EXPECT_EQ(s.Prompt(true), "127.0.0.1:6379> ");
}

TEST(SessionStateTest, DiscardAndAbortedExecRestoreTheDatabaseBeforeMulti) {
  SessionState s("h", 1);
  s.OnReply({"MULTI"}, Ok());
  s.OnReply({"SELECT", "3"}, Ok());  // queued, but redis-cli tracks it optimistically
  s.OnReply({"DISCARD"}, Ok());
  EXPECT_EQ(s.db(), 0);
  s.OnReply({"MULTI"}, Ok());
  s.OnReply({"SELECT", "4"}, Ok());
  resp::Value nil;
  s.OnReply({"EXEC"}, nil);
  EXPECT_EQ(s.db(), 0);
  s.OnReply({"MULTI"}, Ok());
  s.OnReply({"SELECT", "5"}, Ok());
  resp::Value results;
  results.type = resp::Value::Type::kArray;
  results.elements.push_back(Ok());
  s.OnReply({"EXEC"}, results);
  EXPECT_EQ(s.db(), 5);
  EXPECT_EQ(s.Prompt(true), "h:1[5]> ");
}

TEST(SessionStateTest, ResetAndHelloChangeTheProtocol) {
  SessionState s("h", 1);
  s.OnReply({"HELLO", "3"}, Ok());
  EXPECT_TRUE(s.resp3());
  s.OnReply({"SELECT", "1"}, Ok());
  s.OnReply({"RESET"}, Ok());
  EXPECT_FALSE(s.resp3());
  EXPECT_EQ(s.db(), 0);
}

TEST(SessionStateTest, StreamingCommands) {
  EXPECT_TRUE(StartsSubscription({"subscribe", "a"}));
  EXPECT_TRUE(StartsSubscription({"PSUBSCRIBE", "a*"}));
  EXPECT_TRUE(StartsSubscription({"ssubscribe", "a"}));
  EXPECT_FALSE(StartsSubscription({"UNSUBSCRIBE"}));
  EXPECT_TRUE(StartsMonitor({"MONITOR"}));
  EXPECT_FALSE(StartsMonitor({}));
}

}  // namespace
}  // namespace vigil::cli
