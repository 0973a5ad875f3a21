#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Int;
using testing::ServiceHarness;

TEST(LcsCommand, StringLengthAndRanges) {
  ServiceHarness h;
  h.Raw({"SET", "a", "ohmytext"});
  h.Raw({"SET", "b", "mynewtext"});
  EXPECT_EQ(h.Raw({"LCS", "a", "b"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "b", "LEN"}), Int(6));
  EXPECT_EQ(h.Raw({"LCS", "a", "b", "IDX"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:"
            "2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$"
            "3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "missing"}), "$0\r\n\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "missing", "IDX"}),
            "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
  h.Raw({"HELLO", "3"});
  EXPECT_EQ(h.Raw({"LCS", "a", "missing", "IDX"}),
            "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}

TEST(LcsCommand, Errors) {
  ServiceHarness h;
  h.Raw({"SET", "a", "x"});
  h.Raw({"RPUSH", "l", "x"});
  EXPECT_EQ(h.Raw({"LCS", "a", "l"}), "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "a", "LEN", "IDX"}),
            "-ERR If you want both the length and indexes, please just use IDX.\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "a", "MINMATCHLEN"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.Raw({"LCS", "a", "a", "MINMATCHLEN", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  h.Raw({"CONFIG", "SET", "proto-max-bulk-len", "1048576"});
  h.Raw({"SET", "big", std::string(600, 'x')});
  EXPECT_EQ(h.Raw({"LCS", "big", "big"}),
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
}

}  // namespace
}  // namespace vigil::datanode
