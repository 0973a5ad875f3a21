#include "sentinel/core/state_durability.h"

#include <gtest/gtest.h>

#include "sentinel/core/core_harness_for_test.h"

namespace vigil::sentinel {
namespace {

PersistentState StateAt(uint64_t epoch, int replicas = 0) {
  PersistentState s;
  s.myid = std::string(40, 'a');
  s.current_epoch = epoch;
  PersistedMaster pm;
  pm.config.name = "mymaster";
  pm.config.addr = {"10.0.0.1", 6379};
  for (int i = 0; i < replicas; ++i) pm.known_replicas.push_back({"10.0.0.9", 7000 + i});
  s.masters.push_back(pm);
  return s;
}

SendAction Hello() {
  return SendAction{1, 1, PublishHelloCommand{"hello"}, {}};
}

// Drives one StateDurability as the core does, with a disk that may fail.
struct Ledger {
  StateDurability d;
  PersistentState current = StateAt(1);
  MonoTime now{0};
  bool disk_ok = true;
  int writes = 0;

  // One batch: returns its actions as the shell would run them.
  std::vector<Action> Batch(bool changed, bool discovered, std::vector<Action> actions,
                            bool* wrote = nullptr) {
    std::optional<PersistentState> c;
    if (changed) c = current;
    std::optional<PersistentState> w =
        d.Plan(now, std::move(c), discovered, actions, [this] { return current; });
    if (wrote != nullptr) *wrote = w.has_value();
    if (w) {
      std::vector<Event> events;
      d.Written(now, disk_ok, std::move(*w), events, actions);
      if (disk_ok) ++writes;
    }
    return actions;
  }
};

TEST(StateDurabilityTest, FirstBatchIsAlwaysWritten) {
  Ledger l;
  bool wrote = false;
  l.Batch(false, false, {}, &wrote);
  EXPECT_TRUE(wrote);
  ASSERT_TRUE(l.d.durable().has_value());
  EXPECT_EQ(*l.d.durable(), l.current);
}

TEST(StateDurabilityTest, ChangeRevealedByAReplyIsWrittenBeforeIt) {
  Ledger l;
  l.Batch(false, false, {});
  l.current = StateAt(5);
  bool wrote = false;
  l.Batch(true, false, {ReplyToClient{7, resp::Value::Integer(0)}}, &wrote);
  EXPECT_TRUE(wrote);
  EXPECT_EQ(l.d.durable()->current_epoch, 5u);
}

TEST(StateDurabilityTest, DiscoveryIsDeferredForASecondThenWritten) {
  Ledger l;
  l.Batch(false, false, {});
  l.current = StateAt(1, 2);
  bool wrote = true;
  l.Batch(false, true, {}, &wrote);
  EXPECT_FALSE(wrote);
  EXPECT_TRUE(l.d.pending());
  // A hello that announces nothing new does not force it.
  l.now += Millis(500);
  l.Batch(false, false, {Hello()}, &wrote);
  EXPECT_FALSE(wrote);
  l.now += Millis(500);
  l.Batch(false, false, {}, &wrote);
  EXPECT_TRUE(wrote);
  EXPECT_FALSE(l.d.pending());
  EXPECT_EQ(l.d.durable()->masters[0].known_replicas.size(), 2u);
}

TEST(StateDurabilityTest, DeferredEpochIsWrittenBeforeAHelloAnnouncesIt) {
  Ledger l;
  l.Batch(false, false, {});
  l.current = StateAt(3);  // learnt from a peer: nothing in this batch reveals it
  bool wrote = true;
  l.Batch(true, false, {}, &wrote);
  EXPECT_FALSE(wrote);
  l.Batch(false, false, {Hello()}, &wrote);
  EXPECT_TRUE(wrote);
  EXPECT_EQ(l.d.durable()->current_epoch, 3u);
}

TEST(StateDurabilityTest, OurVoteRequestNeedsItsEpochOnDisk) {
  for (const char* runid : {"*", "aaaa"}) {
    Ledger l;
    l.Batch(false, false, {});
    l.current = StateAt(2);
    bool wrote = false;
    SendAction ask{1, 2, IsMasterDownByAddrCommand{{"10.0.0.1", 6379}, 2, runid, false}, {}};
    l.Batch(true, false, {ask}, &wrote);
    EXPECT_EQ(wrote, std::string(runid) != "*") << runid;
  }
}

TEST(StateDurabilityTest, FailedWriteTurnsRepliesIntoErrorsAndIsRetried) {
  Ledger l;
  l.Batch(false, false, {});
  l.disk_ok = false;
  l.current = StateAt(4);
  std::vector<Action> out = l.Batch(true, false, {ReplyToClient{1, resp::Value::Integer(0)}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<ReplyToClient>(out[0]).reply.type, resp::Value::Type::kError);
  EXPECT_TRUE(l.d.pending());
  // Not retried before a second has passed, then retried by the timer.
  l.disk_ok = true;
  bool wrote = true;
  l.Batch(false, false, {}, &wrote);
  EXPECT_FALSE(wrote);
  l.now += StateDurability::kDeferredWritePeriod;
  l.Batch(false, false, {}, &wrote);
  EXPECT_TRUE(wrote);
  EXPECT_EQ(l.d.durable()->current_epoch, 4u);
}

TEST(StateDurabilityTest, FailedWriteOfAStateToActOnBecomesAnExit) {
  Ledger l;
  l.Batch(false, false, {});
  l.disk_ok = false;
  l.current = StateAt(6);
  std::vector<Action> out =
      l.Batch(true, false, {SendAction{1, 3, ReconfigureCommand{std::nullopt}, {}}});
  ASSERT_EQ(out.size(), 1u);
  const auto& exit = std::get<ExitProcess>(out[0]);
  EXPECT_EQ(exit.code, 1);
  EXPECT_FALSE(exit.reason.empty());
}

TEST(StateDurabilityTest, UnwrittenIsWhatACleanExitMustWrite) {
  Ledger l;
  l.Batch(false, false, {});
  EXPECT_FALSE(l.d.Unwritten([&] { return l.current; }).has_value());
  l.current = StateAt(8);
  l.Batch(true, false, {});
  std::optional<PersistentState> rest = l.d.Unwritten([&] { return l.current; });
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->current_epoch, 8u);
}

// Through the core: a vote reply whose state cannot be written is refused, and the vote is not
// remembered as given (a later request in the same epoch is asked again).
TEST(StateDurabilityTest, CoreRefusesAVoteItCouldNotWrite) {
  testing::CoreHarness h;
  h.Tick();
  h.write_ok = false;
  h.Step(VoteRequest{7, {{"10.0.0.1", 6379}, 5, "X"}});
  const auto& reply = std::get<ReplyToClient>(h.batches.back().actions.at(0));
  EXPECT_EQ(DebugString(reply.reply), "-ERR Failed to save config file. Check server logs.");
  ASSERT_TRUE(h.durable.has_value());
  EXPECT_EQ(h.durable->current_epoch, 0u);
}

}  // namespace
}  // namespace vigil::sentinel
