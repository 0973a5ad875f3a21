#include "sentinel/core/replica_selection.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

ReplicaView Good(std::string name, std::string runid = "") {
  ReplicaView r;
  r.name = std::move(name);
  r.runid = std::move(runid);
  r.since_valid_reply = Millis(100);
  r.info_age = Millis(500);
  return r;
}

SelectionContext MasterDown() {
  SelectionContext ctx;
  ctx.master_sdown = true;
  ctx.master_down_for = Millis(2000);
  ctx.down_after = Millis(1000);
  return ctx;
}

TEST(ReplicaSelectionTest, PriorityZeroIsNeverPromoted) {
  ReplicaView r = Good("a");
  r.priority = 0;
  EXPECT_FALSE(IsEligible(r, MasterDown()));
  EXPECT_FALSE(PickReplica({r}, MasterDown()).has_value());
}

TEST(ReplicaSelectionTest, FiltersDownDisconnectedSilentAndStaleReplicas) {
  SelectionContext ctx = MasterDown();
  EXPECT_TRUE(IsEligible(Good("a"), ctx));
  ReplicaView r = Good("a");
  r.down = true;
  EXPECT_FALSE(IsEligible(r, ctx));
  r = Good("a");
  r.disconnected = true;
  EXPECT_FALSE(IsEligible(r, ctx));
  r = Good("a");
  r.since_valid_reply = Millis(5001);
  EXPECT_FALSE(IsEligible(r, ctx));
  r = Good("a");
  r.info_age = Millis(5001);  // master SDOWN: INFO must be younger than 5 s
  EXPECT_FALSE(IsEligible(r, ctx));
  ctx.master_sdown = false;  // otherwise 3 × info period
  EXPECT_TRUE(IsEligible(r, ctx));
  r.info_age.reset();
  EXPECT_FALSE(IsEligible(r, ctx));
}

TEST(ReplicaSelectionTest, LaggingReplicaLinkDownTooLongIsExcluded) {
  SelectionContext ctx = MasterDown();  // limit: 2 s down + 10 × 1 s
  ReplicaView r = Good("a");
  r.master_link_down_ms = 12000;
  EXPECT_TRUE(IsEligible(r, ctx));
  r.master_link_down_ms = 12001;
  EXPECT_FALSE(IsEligible(r, ctx));
}

TEST(ReplicaSelectionTest, OrdersByPriorityThenOffsetThenRunId) {
  ReplicaView a = Good("a", "BBB"), b = Good("b", "aaa"), c = Good("c");
  a.priority = 10;
  b.priority = 20;
  EXPECT_EQ(PickReplica({b, a}, MasterDown()), "a");
  b.priority = 10;
  b.repl_offset = 5;
  EXPECT_EQ(PickReplica({a, b}, MasterDown()), "b");
  b.repl_offset = 0;
  EXPECT_EQ(PickReplica({a, b}, MasterDown()), "b");  // "aaa" < "BBB" case-insensitively
  c.priority = 10;
  EXPECT_TRUE(RanksBefore(a, c));  // a missing run id sorts last
}

}  // namespace
}  // namespace vigil::sentinel
