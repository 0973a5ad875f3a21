#include "datanode/replication/replication_ids.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

const std::string kA(40, 'a');
const std::string kB(40, 'b');

TEST(ReplicationIdsTest, ShiftKeepsTheOldIdValidUpToTheOffset) {
  // Observed on Redis 7.0: offset 187 → master_replid2 = old id, second_repl_offset = 188.
  ReplicationIds ids;
  ids.replid = kA;
  ids.ShiftTo(kB, 187);
  EXPECT_EQ(ids.replid, kB);
  EXPECT_EQ(ids.replid2, kA);
  EXPECT_EQ(ids.second_replid_offset, 188);
  EXPECT_TRUE(ids.Names(kB, 1000));
  EXPECT_TRUE(ids.Names(kA, 188));
  EXPECT_FALSE(ids.Names(kA, 189));
}

TEST(ReplicationIdsTest, UnsetSecondaryNeverMatches) {
  ReplicationIds ids;
  ids.Reset(kA);
  EXPECT_EQ(ids.replid2, kNoReplid);
  EXPECT_EQ(ids.second_replid_offset, -1);
  EXPECT_FALSE(ids.Names(kNoReplid, -5));
  EXPECT_FALSE(ids.Names(kB, 1));
}

TEST(ReplicationIdsTest, ResetClearsTheSecondary) {
  ReplicationIds ids;
  ids.replid = kA;
  ids.ShiftTo(kB, 10);
  ids.Reset(kA);
  EXPECT_EQ(ids.replid, kA);
  EXPECT_EQ(ids.replid2, kNoReplid);
  EXPECT_EQ(ids.second_replid_offset, -1);
}

}  // namespace
}  // namespace vigil::datanode
