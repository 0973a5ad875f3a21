#include "datanode/persistence/aof_check.h"

#include <gtest/gtest.h>

#include "datanode/persistence/aof_record.h"

namespace vigil::datanode {
namespace {

TEST(AofCheckTest, ValidFile) {
  std::string data;
  AppendRespCommand({"SELECT", "0"}, &data);
  AppendRespCommand({"SET", "a", "1"}, &data);
  AofCheckReport r = CheckAofBytes(data);
  EXPECT_TRUE(r.valid());
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.ok_up_to, int64_t(data.size()));
}

TEST(AofCheckTest, TruncatedTailMatchesRedisCheckAofReport) {
  std::string good;
  AppendRespCommand({"SET", "a", "1"}, &good);
  std::string data = good + "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$5\r\nabc";
  AofCheckReport r = CheckAofBytes(data);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.ok_up_to, int64_t(good.size()));
  EXPECT_EQ(r.diff(), 27);
  EXPECT_EQ(r.error, "0x              33: Expected to read 7 bytes, got 3 bytes");
}

TEST(AofCheckTest, GarbageAndUnbalancedMulti) {
  std::string good;
  AppendRespCommand({"SET", "a", "1"}, &good);
  AofCheckReport r = CheckAofBytes(good + "garbage\r\n");
  EXPECT_EQ(r.ok_up_to, int64_t(good.size()));
  EXPECT_EQ(r.error, "0x              1b: Expected prefix '*', got: 'g'");
  std::string multi = good;
  AppendRespCommand({"MULTI"}, &multi);
  AppendRespCommand({"SET", "b", "2"}, &multi);
  r = CheckAofBytes(multi);
  EXPECT_EQ(r.ok_up_to, int64_t(good.size()));
  EXPECT_NE(r.error.find("Reached EOF before reading EXEC for MULTI"), std::string::npos);
}

}  // namespace
}  // namespace vigil::datanode
