// DiscoveryFsm driven by scripted sentinels and data nodes on a manual clock: every answer and
// every millisecond is decided by the test, so each behaviour is exact and repeatable.
#include "client-sdk/src/discovery_fsm.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vigil::client {
namespace {

using std::chrono::milliseconds;

const Address kS1{"10.0.0.1", 26379};
const Address kS2{"10.0.0.2", 26379};
const Address kS3{"10.0.0.3", 26379};
const Address kOld{"10.0.1.1", 6379};
const Address kNew{"10.0.1.2", 6379};
const Address kReplica{"10.0.1.3", 6379};

SentinelAnswer Names(const Address& a) {
  return {SentinelAnswerKind::kAddress, a, ""};
}
SentinelAnswer Unreachable() {
  return {SentinelAnswerKind::kUnreachable, {}, "timed out"};
}
SentinelAnswer Unknown() {
  return {SentinelAnswerKind::kUnknownMaster, {}, ""};
}

// Scripted world: each sentinel and node answers through a function of the round number, and
// every action costs simulated time (a timeout costs the whole timeout).
class ScriptedWorld {
 public:
  explicit ScriptedWorld(DiscoveryConfig config = {},
                         std::vector<Address> sentinels = {kS1, kS2, kS3})
      : fsm(config, std::move(sentinels)) {}

  std::map<Address, std::function<SentinelAnswer()>> sentinel;
  std::map<Address, std::function<RoleAnswer()>> role;
  std::map<Address, std::vector<Address>> known_sentinels;
  std::vector<std::string> trace;  // one line per action
  MonoTime now{milliseconds(1000)};
  DiscoveryFsm fsm;
  // Runs between actions; lets a test inject an event (e.g. +switch-master) at a given step.
  std::function<void(int step)> between;

  // Drives one resolution to its end; returns the final action.
  DiscoveryAction Resolve(milliseconds budget, int max_steps = 200) {
    fsm.Begin(now, now + budget);
    for (int step = 0; step < max_steps; ++step) {
      if (between) between(step);
      DiscoveryAction a = fsm.Next(now);
      if (auto* ask = std::get_if<AskSentinel>(&a)) {
        trace.push_back("ask " + ask->sentinel.ToString());
        auto it = sentinel.find(ask->sentinel);
        SentinelAnswer ans = it == sentinel.end() ? Unreachable() : it->second();
        now += ans.kind == SentinelAnswerKind::kUnreachable ? milliseconds(300) : milliseconds(1);
        fsm.OnSentinelAnswer(now, ask->index, ans);
      } else if (auto* list = std::get_if<AskSentinelList>(&a)) {
        trace.push_back("sentinels? " + list->sentinel.ToString());
        now += milliseconds(1);
        fsm.OnSentinelList(now, known_sentinels[list->sentinel]);
      } else if (auto* verify = std::get_if<VerifyRole>(&a)) {
        trace.push_back("role " + verify->node.ToString());
        auto it = role.find(verify->node);
        RoleAnswer r = it == role.end() ? RoleAnswer::kUnreachable : it->second();
        now += r == RoleAnswer::kUnreachable ? milliseconds(500) : milliseconds(1);
        fsm.OnRoleAnswer(now, verify->node, r);
      } else if (auto* sleep = std::get_if<Sleep>(&a)) {
        trace.push_back("sleep");
        EXPECT_GT(sleep->until, now);
        now = sleep->until;
      } else if (auto* use = std::get_if<UseMaster>(&a)) {
        trace.push_back("use " + use->master.ToString());
        return a;
      } else {
        trace.push_back("fail");
        return a;
      }
    }
    ADD_FAILURE() << "resolution did not finish";
    return FailResolution{};
  }
};

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " | ") + s;
  return out;
}

TEST(DiscoveryFsmTest, AsksSentinelsInOrderAndMovesTheAnsweringOneToTheFront) {
  ScriptedWorld w;
  w.sentinel[kS1] = Unreachable;
  w.sentinel[kS2] = [] { return Names(kOld); };
  w.sentinel[kS3] = [] { return Names(kNew); };
  w.role[kOld] = [] { return RoleAnswer::kMaster; };
  auto a = w.Resolve(milliseconds(5000));
  ASSERT_TRUE(std::holds_alternative<UseMaster>(a)) << Joined(w.trace);
  EXPECT_EQ(std::get<UseMaster>(a).master, kOld);
  EXPECT_EQ(Joined(w.trace),
            "ask 10.0.0.1:26379 | ask 10.0.0.2:26379 | role 10.0.1.1:6379 | "
            "sentinels? 10.0.0.2:26379 | use 10.0.1.1:6379");
  EXPECT_EQ(w.fsm.sentinels(), (std::vector<Address>{kS2, kS1, kS3}));

  // The next resolution starts with the sentinel that answered last time.
  w.trace.clear();
  w.Resolve(milliseconds(5000));
  EXPECT_EQ(w.trace.front(), "ask 10.0.0.2:26379");
}

TEST(DiscoveryFsmTest, UnreachableSentinelsAreRetriedInRoundsUntilTheDeadline) {
  ScriptedWorld w;  // no sentinel answers
  auto a = w.Resolve(milliseconds(2000));
  ASSERT_TRUE(std::holds_alternative<FailResolution>(a)) << Joined(w.trace);
  EXPECT_EQ(std::get<FailResolution>(a).error.code, ErrorCode::kNoSentinel);
  // Round 1: three 300 ms timeouts, a pause, round 2 ... never past the deadline by more than
  // one question.
  EXPECT_EQ(w.trace[0], "ask 10.0.0.1:26379");
  EXPECT_EQ(w.trace[3], "sleep");
  EXPECT_EQ(w.trace[4], "ask 10.0.0.1:26379");
  EXPECT_LE(w.now, MonoTime(milliseconds(1000 + 2000 + 300)));
}

TEST(DiscoveryFsmTest, SentinelsThatDoNotKnowTheNameGiveUnknownMaster) {
  ScriptedWorld w;
  for (const auto& s : {kS1, kS2, kS3}) w.sentinel[s] = Unknown;
  auto a = w.Resolve(milliseconds(1000));
  ASSERT_TRUE(std::holds_alternative<FailResolution>(a));
  EXPECT_EQ(std::get<FailResolution>(a).error.code, ErrorCode::kUnknownMaster);
}

TEST(DiscoveryFsmTest, AddressThatFailsTheRoleCheckIsNeverUsedAndSentinelsAreAskedAgain) {
  ScriptedWorld w;
  int asked = 0;
  // A sentinel that still names a replica (e.g. a stale view), then the right master.
  w.sentinel[kS1] = [&] { return Names(++asked == 1 ? kReplica : kNew); };
  w.role[kReplica] = [] { return RoleAnswer::kNotMaster; };
  w.role[kNew] = [] { return RoleAnswer::kMaster; };
  auto a = w.Resolve(milliseconds(5000));
  ASSERT_TRUE(std::holds_alternative<UseMaster>(a)) << Joined(w.trace);
  EXPECT_EQ(std::get<UseMaster>(a).master, kNew);
  EXPECT_EQ(Joined(w.trace),
            "ask 10.0.0.1:26379 | role 10.0.1.3:6379 | sleep | ask 10.0.0.1:26379 | "
            "role 10.0.1.2:6379 | sentinels? 10.0.0.1:26379 | use 10.0.1.2:6379");
}

TEST(DiscoveryFsmTest, ReplicaNamedUntilTheDeadlineFailsWithNoMaster) {
  ScriptedWorld w;
  w.sentinel[kS1] = [] { return Names(kReplica); };
  w.role[kReplica] = [] { return RoleAnswer::kNotMaster; };
  auto a = w.Resolve(milliseconds(1000));
  ASSERT_TRUE(std::holds_alternative<FailResolution>(a));
  EXPECT_EQ(std::get<FailResolution>(a).error.code, ErrorCode::kNoMaster);
  for (const auto& line : w.trace) EXPECT_NE(line, "use 10.0.1.3:6379");
}

TEST(DiscoveryFsmTest, HungMasterRoleTimeoutsEndAtTheDeadline) {
  ScriptedWorld w;  // the sentinel names the old master, which never answers ROLE (SIGSTOP)
  w.sentinel[kS1] = [] { return Names(kOld); };
  auto a = w.Resolve(milliseconds(1500));
  ASSERT_TRUE(std::holds_alternative<FailResolution>(a));
  EXPECT_EQ(std::get<FailResolution>(a).error.code, ErrorCode::kNoMaster);
  EXPECT_NE(std::get<FailResolution>(a).error.message.find("did not answer ROLE"),
            std::string::npos);
}

TEST(DiscoveryFsmTest, SwitchMasterDuringAResolutionIsVerifiedInsteadOfTheStaleAnswer) {
  ScriptedWorld w;
  w.sentinel[kS1] = [] { return Names(kOld); };  // the old master is dead; sentinel not updated
  w.role[kNew] = [] { return RoleAnswer::kMaster; };
  w.between = [&](int step) {
    if (step == 3) w.fsm.OnSwitchMaster(kNew);  // arrives during the pause after round 1
  };
  auto a = w.Resolve(milliseconds(5000));
  ASSERT_TRUE(std::holds_alternative<UseMaster>(a)) << Joined(w.trace);
  EXPECT_EQ(std::get<UseMaster>(a).master, kNew);
  EXPECT_EQ(Joined(w.trace),
            "ask 10.0.0.1:26379 | role 10.0.1.1:6379 | sleep | role 10.0.1.2:6379 | "
            "sentinels? 10.0.0.1:26379 | use 10.0.1.2:6379");
}

TEST(DiscoveryFsmTest, SwitchMasterWhileTheOldMasterHangsTheRoleCheckSkipsItsLateAnswer) {
  DiscoveryFsm fsm({}, {kS1});
  const MonoTime t0{milliseconds(0)};
  fsm.Begin(t0, t0 + milliseconds(5000));
  fsm.Next(t0);
  fsm.OnSentinelAnswer(t0, 0, Names(kOld));
  ASSERT_TRUE(std::holds_alternative<VerifyRole>(fsm.Next(t0)));
  fsm.OnSwitchMaster(kNew);  // arrives while ROLE to the stopped old master is pending
  fsm.OnRoleAnswer(t0 + milliseconds(500), kOld, RoleAnswer::kUnreachable);  // late: ignored
  auto a = fsm.Next(t0 + milliseconds(500));
  ASSERT_TRUE(std::holds_alternative<VerifyRole>(a));
  EXPECT_EQ(std::get<VerifyRole>(a).node, kNew);
}

TEST(DiscoveryFsmTest, SwitchMasterAfterAResolutionMakesTheNextOneVerifyTheNewMasterFirst) {
  ScriptedWorld w;
  w.sentinel[kS1] = [] { return Names(kOld); };
  w.role[kOld] = [] { return RoleAnswer::kMaster; };
  w.role[kNew] = [] { return RoleAnswer::kMaster; };
  w.Resolve(milliseconds(5000));
  // A call is running on kOld when the event arrives; the client re-resolves afterwards.
  w.fsm.OnSwitchMaster(kNew);
  w.trace.clear();
  auto a = w.Resolve(milliseconds(5000));
  EXPECT_EQ(Joined(w.trace), "role 10.0.1.2:6379 | use 10.0.1.2:6379");
  EXPECT_EQ(std::get<UseMaster>(a).master, kNew);
  // The hint is consumed: a later resolution asks the sentinels again.
  w.trace.clear();
  w.Resolve(milliseconds(5000));
  EXPECT_EQ(w.trace.front(), "ask 10.0.0.1:26379");
}

TEST(DiscoveryFsmTest, SwitchMasterHintThatIsNotMasterFallsBackToTheSentinels) {
  ScriptedWorld w;
  w.sentinel[kS1] = [] { return Names(kNew); };
  w.role[kNew] = [] { return RoleAnswer::kMaster; };
  w.role[kReplica] = [] { return RoleAnswer::kNotMaster; };
  w.fsm.OnSwitchMaster(kReplica);
  auto a = w.Resolve(milliseconds(5000));
  EXPECT_EQ(Joined(w.trace),
            "role 10.0.1.3:6379 | ask 10.0.0.1:26379 | role 10.0.1.2:6379 | "
            "sentinels? 10.0.0.1:26379 | use 10.0.1.2:6379");
}

TEST(DiscoveryFsmTest, MajorityViewUsesTheAddressMostSentinelsReport) {
  DiscoveryConfig config;
  config.majority_view = true;
  config.learn_sentinels = false;
  ScriptedWorld w(config);
  w.sentinel[kS1] = [] { return Names(kOld); };  // a sentinel on the wrong side of a partition
  w.sentinel[kS2] = [] { return Names(kNew); };
  w.sentinel[kS3] = [] { return Names(kNew); };
  w.role[kOld] = [] { return RoleAnswer::kMaster; };
  w.role[kNew] = [] { return RoleAnswer::kMaster; };
  auto a = w.Resolve(milliseconds(5000));
  EXPECT_EQ(Joined(w.trace),
            "ask 10.0.0.1:26379 | ask 10.0.0.2:26379 | ask 10.0.0.3:26379 | "
            "role 10.0.1.2:6379 | use 10.0.1.2:6379");
  EXPECT_EQ(std::get<UseMaster>(a).master, kNew);
}

TEST(DiscoveryFsmTest, MajorityViewWithoutAMajorityPausesAndAsksAgain) {
  DiscoveryConfig config;
  config.majority_view = true;
  ScriptedWorld w(config);
  w.sentinel[kS1] = [] { return Names(kOld); };
  w.sentinel[kS2] = [] { return Names(kNew); };
  // kS3 unreachable: 1 vote each of 3 known sentinels is no majority.
  w.role[kOld] = [] { return RoleAnswer::kMaster; };
  auto a = w.Resolve(milliseconds(1000));
  ASSERT_TRUE(std::holds_alternative<FailResolution>(a));
  EXPECT_EQ(std::get<FailResolution>(a).error.code, ErrorCode::kNoMaster);
  EXPECT_NE(std::get<FailResolution>(a).error.message.find("majority"), std::string::npos);
  for (const auto& line : w.trace) EXPECT_EQ(line.rfind("role", 0), std::string::npos);
}

TEST(DiscoveryFsmTest, LearnsNewSentinelsBoundedAndNotOnEveryResolution) {
  DiscoveryConfig config;
  config.max_sentinels = 4;
  ScriptedWorld w(config, {kS1});
  w.sentinel[kS1] = [] { return Names(kOld); };
  w.role[kOld] = [] { return RoleAnswer::kMaster; };
  w.known_sentinels[kS1] = {kS2, kS1, kS3, Address{"10.0.0.4", 1}, Address{"10.0.0.5", 1}};
  w.Resolve(milliseconds(5000));
  EXPECT_EQ(w.fsm.sentinels(), (std::vector<Address>{kS1, kS2, kS3, Address{"10.0.0.4", 1}}));
  w.trace.clear();
  w.Resolve(milliseconds(5000));
  EXPECT_EQ(Joined(w.trace), "ask 10.0.0.1:26379 | role 10.0.1.1:6379 | use 10.0.1.1:6379");
  w.now += config.learn_interval;
  w.trace.clear();
  w.Resolve(milliseconds(5000));
  EXPECT_EQ(w.trace[2], "sentinels? 10.0.0.1:26379");
}

TEST(DiscoveryFsmTest, LateAnswersToQuestionsNoLongerAskedAreIgnored) {
  DiscoveryFsm fsm({}, {kS1, kS2});
  const MonoTime t0{milliseconds(0)};
  fsm.Begin(t0, t0 + milliseconds(1000));
  ASSERT_TRUE(std::holds_alternative<AskSentinel>(fsm.Next(t0)));
  fsm.OnSentinelAnswer(t0, 1, Names(kOld));  // index 1 was not asked
  fsm.OnRoleAnswer(t0, kOld, RoleAnswer::kMaster);
  auto a = fsm.Next(t0);
  ASSERT_TRUE(std::holds_alternative<AskSentinel>(a));
  EXPECT_EQ(std::get<AskSentinel>(a).index, 0u);
}

}  // namespace
}  // namespace vigil::client
