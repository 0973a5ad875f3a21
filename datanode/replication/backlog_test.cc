#include "datanode/replication/backlog.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::datanode {
namespace {

TEST(BacklogTest, NewBacklogStartsAfterTheCurrentOffset) {
  Backlog b(16, 564);
  EXPECT_EQ(b.histlen(), 0);
  EXPECT_EQ(b.first_byte_offset(), 565);
  EXPECT_TRUE(b.CanServe(565));
  EXPECT_FALSE(b.CanServe(564));
  EXPECT_FALSE(b.CanServe(566));
  EXPECT_EQ(b.CopyFrom(565), "");
}

TEST(BacklogTest, InvariantFirstPlusHistlenMinusOneIsTheOffset) {
  Backlog b(1 << 20, 0);
  b.Append(std::string(795, 'x'));
  EXPECT_EQ(b.first_byte_offset(), 1);
  EXPECT_EQ(b.histlen(), 795);
  EXPECT_EQ(b.end_offset(), 795);
  EXPECT_EQ(b.first_byte_offset() + b.histlen() - 1, b.end_offset());
}

TEST(BacklogTest, WrapsAndKeepsTheNewestBytes) {
  Backlog b(10, 0);
  b.Append("abcdef");
  b.Append("ghijkl");  // 12 bytes in a 10-byte ring
  EXPECT_EQ(b.histlen(), 10);
  EXPECT_EQ(b.first_byte_offset(), 3);
  EXPECT_EQ(b.CopyFrom(3), "cdefghijkl");
  EXPECT_EQ(b.CopyFrom(10), "jkl");
  EXPECT_EQ(b.CopyFrom(13), "");
  EXPECT_FALSE(b.CanServe(2));
}

TEST(BacklogTest, EveryChunkSizeGivesTheSameTail) {
  const std::string data = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (size_t chunk = 1; chunk <= data.size(); ++chunk) {
    Backlog b(7, 100);
    for (size_t i = 0; i < data.size(); i += chunk) b.Append(data.substr(i, chunk));
    EXPECT_EQ(b.end_offset(), 100 + int64_t(data.size())) << chunk;
    EXPECT_EQ(b.CopyFrom(b.first_byte_offset()), data.substr(data.size() - 7)) << chunk;
  }
}

TEST(BacklogTest, ResizeKeepsTheNewestBytesAndOffsets) {
  Backlog b(10, 0);
  b.Append("abcdefghij");
  b.Resize(4);
  EXPECT_EQ(b.end_offset(), 10);
  EXPECT_EQ(b.CopyFrom(b.first_byte_offset()), "ghij");
  b.Resize(20);
  b.Append("kl");
  EXPECT_EQ(b.CopyFrom(7), "ghijkl");
}

TEST(BacklogTest, RebaseForgetsEverything) {
  Backlog b(10, 0);
  b.Append("abc");
  b.Rebase(500);
  EXPECT_EQ(b.histlen(), 0);
  EXPECT_TRUE(b.CanServe(501));
  b.Append("z");
  EXPECT_EQ(b.CopyFrom(501), "z");
}

}  // namespace
TEST(BacklogTest, TruncateDropsTheNewestBytesAcrossTheWrap) {
  Backlog b(8, 100);
  b.Append("abcdef");
  b.Append("ghij");  // wraps: holds "cdefghij", offsets 103..110
  b.Truncate(107);
  EXPECT_EQ(b.end_offset(), 107);
  EXPECT_EQ(b.first_byte_offset(), 103);
  EXPECT_EQ(b.CopyFrom(103), "cdefg");
  b.Append("XYZ");  // the stream continues from 108
  EXPECT_EQ(b.CopyFrom(103), "cdefgXYZ");
  EXPECT_EQ(b.end_offset(), 110);
}

TEST(BacklogTest, TruncateBelowTheOldestByteEmptiesAndRestarts) {
  Backlog b(4, 0);
  b.Append("abcdefgh");  // holds "efgh", offsets 5..8
  b.Truncate(2);
  EXPECT_EQ(b.histlen(), 0);
  EXPECT_EQ(b.end_offset(), 2);
  EXPECT_TRUE(b.CanServe(3));
  EXPECT_FALSE(b.CanServe(2));
}

}  // namespace vigil::datanode
