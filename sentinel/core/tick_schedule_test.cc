#include "sentinel/core/tick_schedule.h"

#include <gtest/gtest.h>

#include "sentinel/core/core_harness_for_test.h"
#include "sentinel/core/wire.h"

namespace vigil::sentinel {
namespace {

using testing::CoreHarness;

// Three masters sharing the same two peer sentinels (shared links), one replica each, with
// different down-after periods.
PersistentState ThreeMasters() {
  PersistentState s = CoreHarness::DefaultState();
  PersistedMaster base = s.masters[0];
  s.masters.clear();
  for (int i = 0; i < 3; ++i) {
    PersistedMaster pm = base;
    pm.config.name = "m" + std::to_string(i + 1);
    pm.config.addr = {"10.0.0." + std::to_string(3 * i + 1), 6379};
    pm.known_replicas = {{"10.0.0." + std::to_string(3 * i + 2), 6379}};
    pm.config.down_after = Millis(1000 + 1700 * i);  // deadlines that do not line up
    s.masters.push_back(pm);
  }
  return s;
}

CoreHarness MakeHarness(bool schedule) {
  CoreOptions options;
  options.schedule_ticks = schedule;
  CoreHarness h(ThreeMasters(), options);
  for (int i = 0; i < 3; ++i) {
    HostPort master{"10.0.0." + std::to_string(3 * i + 1), 6379};
    HostPort replica{"10.0.0." + std::to_string(3 * i + 2), 6379};
    h.info[FormatHostPort(master)] =
        testing::MasterInfo({replica}) + (i == 1 ? "fence_timeout_ms:1000\r\n" : "");
    h.info[FormatHostPort(replica)] = testing::ReplicaInfo(master, true, 100, 10);
  }
  return h;
}

// Every action and event so far, as text (connection and request ids included).
std::vector<std::string> Rendered(const CoreHarness& h) {
  std::vector<std::string> out;
  for (const Ready& batch : h.batches) {
    for (const Action& a : batch.actions) {
      std::string line;
      if (const auto* c = std::get_if<ConnectAction>(&a)) {
        line = "connect " + std::to_string(c->conn) + " " + FormatHostPort(c->addr);
      } else if (const auto* close = std::get_if<CloseAction>(&a)) {
        line = "close " + std::to_string(close->conn);
      } else if (const auto* send = std::get_if<SendAction>(&a)) {
        line = "send " + std::to_string(send->conn) + " #" + std::to_string(send->request);
        for (const Argv& argv : RenderCommand(send->command)) {
          for (const std::string& arg : argv) line += " " + arg;
        }
      } else {
        line = "other";
      }
      out.push_back(line);
    }
    for (const Event& e : batch.events) out.push_back(ToString(e));
  }
  return out;
}

// The schedule only skips ticks that would do nothing: with nodes and a shared peer going silent
// and coming back (stuck links closed, SDOWN, reconnects), every command and event is the same,
// in the same tick, as with Redis's walk of every instance.
TEST(TickScheduleTest, SkippingIdleMastersChangesNoCommandAndNoEvent) {
  CoreHarness scheduled = MakeHarness(true);
  CoreHarness walked = MakeHarness(false);
  struct Change {
    int at_s;
    const char* addr;
    bool silent;
  };
  const Change changes[] = {{5, "10.0.0.2:6379", true},   {21, "10.0.1.2:26379", true},
                            {12, "10.0.0.7:6379", true},  {20, "10.0.0.7:6379", false},
                            {25, "10.0.0.2:6379", false}, {36, "10.0.1.2:26379", false},
                            {33, "10.0.0.5:6379", true},  {40, "10.0.0.5:6379", false}};
  for (int tick = 0; tick < 500; ++tick) {
    for (const Change& c : changes) {
      if (c.at_s * 10 == tick) {
        scheduled.silent[c.addr] = c.silent;
        walked.silent[c.addr] = c.silent;
      }
    }
    scheduled.Tick();
    walked.Tick();
    ASSERT_EQ(Rendered(scheduled), Rendered(walked)) << "tick " << tick;
  }
  EXPECT_TRUE(walked.SawType("+sdown"));
  EXPECT_TRUE(walked.SawType("-sdown"));
}

TEST(TickScheduleTest, AQuietMasterIsNextDueAtItsNextPing) {
  CoreHarness h = MakeHarness(true);
  h.Run(Millis(3000));
  const MasterRecord* m1 = h.core.FindMaster("m1");
  const MasterRecord* m2 = h.core.FindMaster("m2");
  ASSERT_NE(m1, nullptr);
  ASSERT_NE(m2, nullptr);
  // Answered PINGs: nothing to do for about a ping period (1 s; 250 ms for m2, which fences).
  EXPECT_GT(m1->next_tick_work, h.now);
  EXPECT_LE(m1->next_tick_work, h.now + Millis(1001));
  EXPECT_GT(m2->next_tick_work, h.now);
  EXPECT_LE(m2->next_tick_work, h.now + Millis(251));
}

}  // namespace
}  // namespace vigil::sentinel
