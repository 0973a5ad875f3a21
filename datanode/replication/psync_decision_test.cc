#include "datanode/replication/psync_decision.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

// A real 7.0.15 master as captured on the wire: replid cbbf..., offset 950, backlog 1..950.
ReplicationIds CaptureIds() {
  ReplicationIds ids;
  ids.replid = "cbbf133bf38100d8d345ff503349f5edd45f3bcb";
  return ids;
}
constexpr BacklogWindow kWindow{true, 1, 950};

TEST(PsyncDecisionTest, QuestionMarkAsksForAFullSync) {
  PsyncDecision d = DecidePsync({"?", -1}, CaptureIds(), 950, kWindow);
  EXPECT_EQ(d.kind, PsyncDecision::Kind::kFullResync);
  EXPECT_FALSE(d.partial_attempt_failed);
}

TEST(PsyncDecisionTest, SameIdInsideTheBacklogContinues) {
  PsyncDecision d = DecidePsync({CaptureIds().replid, 862}, CaptureIds(), 950, kWindow);
  EXPECT_EQ(d.kind, PsyncDecision::Kind::kContinue);
  EXPECT_EQ(d.from_offset, 862);
  // Up to offset + 1: nothing to send, still a partial resync.
  EXPECT_EQ(DecidePsync({CaptureIds().replid, 951}, CaptureIds(), 950, kWindow).kind,
            PsyncDecision::Kind::kContinue);
}

TEST(PsyncDecisionTest, UnknownIdIsAMismatch) {
  PsyncDecision d =
      DecidePsync({"0123456789012345678901234567890123456789", 862}, CaptureIds(), 950, kWindow);
  EXPECT_EQ(d.kind, PsyncDecision::Kind::kFullResync);
  EXPECT_TRUE(d.partial_attempt_failed);
  EXPECT_NE(d.reason.find("Replication ID mismatch"), std::string::npos);
}

TEST(PsyncDecisionTest, OffsetBeyondTheBacklogIsLackOfBacklog) {
  PsyncDecision d = DecidePsync({CaptureIds().replid, 99999}, CaptureIds(), 950, kWindow);
  EXPECT_EQ(d.kind, PsyncDecision::Kind::kFullResync);
  EXPECT_NE(d.reason.find("lack of backlog"), std::string::npos);
  EXPECT_EQ(DecidePsync({CaptureIds().replid, 1}, CaptureIds(), 950, BacklogWindow{}).kind,
            PsyncDecision::Kind::kFullResync);
}

TEST(PsyncDecisionTest, SecondaryIdContinuesUpToThePromotionOffset) {
  ReplicationIds ids = CaptureIds();
  const std::string old = ids.replid;
  ids.ShiftTo(std::string(40, 'e'), 6935);  // second_replid_offset 6936
  BacklogWindow w{true, 1, 7000};
  EXPECT_EQ(DecidePsync({old, 6936}, ids, 7000, w).kind, PsyncDecision::Kind::kContinue);
  PsyncDecision d = DecidePsync({old, 6937}, ids, 7000, w);
  EXPECT_EQ(d.kind, PsyncDecision::Kind::kFullResync);
  EXPECT_NE(d.reason.find("Requested offset for second ID was 6937, but I can reply up to 6936"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::datanode
