#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Arr;
using testing::Bulk;
using testing::Int;
using testing::RecordingPropagator;
using testing::ServiceHarness;

constexpr const char* kBadOffset = "-ERR bit offset is not an integer or out of range\r\n";

TEST(BitmapCommands, SetbitPropagatesOnlyWhenTheStringChanges) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  EXPECT_EQ(h.Raw({"SETBIT", "k", "0", "0"}), Int(0));  // created: a change
  EXPECT_EQ(h.Raw({"SETBIT", "k", "0", "0"}), Int(0));  // nothing flips
  EXPECT_EQ(h.Raw({"SETBIT", "k", "0", "1"}), Int(0));
  EXPECT_EQ(h.Raw({"SETBIT", "k", "0", "1"}), Int(1));
  EXPECT_EQ(h.Raw({"SETBIT", "k", "20", "0"}), Int(0));  // only grows: still a change
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0], "0: SETBIT k 0 0");
  EXPECT_EQ(p.lines[1], "0: SETBIT k 0 1");
  EXPECT_EQ(p.lines[2], "0: SETBIT k 20 0");
  EXPECT_EQ(h.Raw({"STRLEN", "k"}), Int(3));
}

TEST(BitmapCommands, OffsetsStopAtProtoMaxBulkLenExceptFromTheMaster) {
  ServiceHarness h;
  h.config().proto_max_bulk_len = 4;
  EXPECT_EQ(h.Raw({"SETBIT", "k", "32", "1"}), kBadOffset);
  EXPECT_EQ(h.Raw({"GETBIT", "k", "32"}), kBadOffset);
  EXPECT_EQ(h.Raw({"BITFIELD", "k", "GET", "u8", "#4"}), kBadOffset);
  EXPECT_EQ(h.Raw({"SETBIT", "k", "31", "1"}), Int(0));
  h.session().is_master_link = true;  // the master and the AOF loader are obeyed
  h.Raw({"SETBIT", "k", "39", "1"});
  h.session().is_master_link = false;
  EXPECT_EQ(h.Raw({"STRLEN", "k"}), Int(5));
}

TEST(BitmapCommands, BitfieldPropagatesItselfWhenSomethingChanged) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  EXPECT_EQ(h.Raw({"BITFIELD", "k", "SET", "u8", "0", "7", "GET", "u8", "0"}),
            Arr({Int(0), Int(7)}));
  EXPECT_EQ(h.Raw({"BITFIELD", "k", "SET", "u8", "0", "7"}), Arr({Int(7)}));  // same bits
  EXPECT_EQ(h.Raw({"BITFIELD", "k", "GET", "u8", "0"}), Arr({Int(7)}));
  ASSERT_EQ(p.lines.size(), 1u);
  EXPECT_EQ(p.lines[0], "0: BITFIELD k SET u8 0 7 GET u8 0");
}

TEST(BitmapCommands, BitfieldFailOverflowLeavesTheCreatedKeyUnpropagatedLikeRedis) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  EXPECT_EQ(h.Raw({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "10", "9"}),
            "*1\r\n$-1\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}), Bulk(std::string(2, '\0')));
  EXPECT_TRUE(p.lines.empty());
}

TEST(BitmapCommands, BitfieldRoRefusesWritesButReadsLikeBitfield) {
  ServiceHarness h;
  h.Raw({"SET", "k", "\x80"});
  EXPECT_EQ(h.Raw({"BITFIELD_RO", "k", "GET", "i8", "0", "GET", "u1", "0"}),
            Arr({Int(-128), Int(1)}));
  EXPECT_EQ(h.Raw({"BITFIELD_RO", "k", "SET", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(h.Raw({"BITFIELD_RO", "k"}), "*0\r\n");
}

TEST(BitmapCommands, BitopReplacesTheDestinationAndDeletesItForAnEmptyResult) {
  ServiceHarness h;
  h.Raw({"SET", "a", "\xf0"});
  h.Raw({"SET", "d", "old", "EX", "100"});
  EXPECT_EQ(h.Raw({"BITOP", "NOT", "d", "a"}), Int(1));
  EXPECT_EQ(h.Raw({"GET", "d"}), Bulk("\x0f"));
  EXPECT_EQ(h.Raw({"TTL", "d"}), Int(-1));
  EXPECT_EQ(h.Raw({"BITOP", "AND", "d", "missing"}), Int(0));
  EXPECT_EQ(h.Raw({"EXISTS", "d"}), Int(0));
}

TEST(BitmapCommands, SetrangeWithHugeOffsetAnswersTheSizeError) {
  ServiceHarness h;
  for (const char* offset : {"9223372036854775807", "2147483647"}) {
    EXPECT_EQ(h.Raw({"SETRANGE", "k", offset, "A"}),
              "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  }
  EXPECT_EQ(h.Raw({"EXISTS", "k"}), Int(0));
}

}  // namespace
}  // namespace vigil::datanode
