#include "client-sdk/src/retry_policy.h"

#include <gtest/gtest.h>

namespace vigil::client {
namespace {

using std::chrono::milliseconds;
using Kind = RetryDecision::Kind;

const MonoTime kStart{milliseconds(10000)};

RetryPolicy Policy(milliseconds budget = milliseconds(10000)) {
  return RetryPolicy({milliseconds(20), milliseconds(320)}, kStart + budget);
}

TEST(RetryPolicyTest, ReadOnlyDropsTheConnectionAndReResolves) {
  Prng prng(1);
  auto p = Policy();
  EXPECT_EQ(ClassifyReply(Reply::Error("READONLY You can't write against a read only replica.")),
            CallOutcome::kReadOnly);
  auto d = p.Decide(kStart, CallOutcome::kReadOnly, prng);
  EXPECT_EQ(d.kind, Kind::kRetry);
  EXPECT_TRUE(d.drop_connection);
  EXPECT_TRUE(d.reresolve);
}

TEST(RetryPolicyTest, MasterDownDropsTheConnectionAndReResolves) {
  Prng prng(1);
  auto p = Policy();
  EXPECT_EQ(ClassifyReply(Reply::Error("MASTERDOWN Link with MASTER is down")),
            CallOutcome::kMasterDown);
  auto d = p.Decide(kStart, CallOutcome::kMasterDown, prng);
  EXPECT_TRUE(d.drop_connection && d.reresolve);
}

TEST(RetryPolicyTest, CommandTimeoutDropsTheHungConnection) {
  Prng prng(1);
  auto p = Policy();
  auto d = p.Decide(kStart, CallOutcome::kTimeout, prng);
  EXPECT_EQ(d.kind, Kind::kRetry);
  EXPECT_TRUE(d.drop_connection);
  EXPECT_TRUE(d.reresolve);
}

TEST(RetryPolicyTest, LoadingRetriesTheSameNodeWithoutReResolving) {
  Prng prng(1);
  auto p = Policy();
  EXPECT_EQ(ClassifyReply(Reply::Error("LOADING Redis is loading the dataset in memory")),
            CallOutcome::kLoading);
  auto d = p.Decide(kStart, CallOutcome::kLoading, prng);
  EXPECT_EQ(d.kind, Kind::kRetry);
  EXPECT_FALSE(d.drop_connection);
  EXPECT_FALSE(d.reresolve);
}

TEST(RetryPolicyTest, OtherErrorRepliesAreReturnedToTheCaller) {
  Prng prng(1);
  auto p = Policy();
  const Reply wrongtype =
      Reply::Error("WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(ClassifyReply(wrongtype), CallOutcome::kReply);
  EXPECT_EQ(p.Decide(kStart, ClassifyReply(wrongtype), prng).kind, Kind::kReturn);
  EXPECT_EQ(p.attempts(), 1);
}

TEST(RetryPolicyTest, BackoffGrowsExponentiallyWithJitterUpToTheCap) {
  Prng prng(7);
  auto p = Policy(milliseconds(100000));
  int64_t base = 20;
  for (int i = 0; i < 8; ++i) {
    auto d = p.Decide(kStart, CallOutcome::kConnectFailed, prng);
    ASSERT_EQ(d.kind, Kind::kRetry);
    EXPECT_GE(d.delay.count(), base / 2) << "attempt " << i;
    EXPECT_LE(d.delay.count(), base) << "attempt " << i;
    base = std::min<int64_t>(base * 2, 320);
  }
}

TEST(RetryPolicyTest, SameSeedGivesTheSameDelays) {
  Prng a(42), b(42);
  auto pa = Policy(), pb = Policy();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(pa.Decide(kStart, CallOutcome::kTimeout, a).delay,
              pb.Decide(kStart, CallOutcome::kTimeout, b).delay);
  }
}

TEST(RetryPolicyTest, GivesUpWhenTheNextAttemptWouldPassTheDeadline) {
  Prng prng(3);
  auto p = Policy(milliseconds(1000));
  EXPECT_EQ(p.Decide(kStart + milliseconds(500), CallOutcome::kTimeout, prng).kind, Kind::kRetry);
  auto d = p.Decide(kStart + milliseconds(995), CallOutcome::kTimeout, prng);
  EXPECT_EQ(d.kind, Kind::kGiveUp);
  EXPECT_TRUE(d.drop_connection);
  EXPECT_EQ(p.attempts(), 2);
}

}  // namespace
}  // namespace vigil::client
