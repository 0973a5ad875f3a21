#include "datanode/persistence/aof_record.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

TEST(AofRecordTest, EncodesWithSelectOnDbChange) {
  AofEncoder enc;
  std::string out;
  enc.Append(0, {"set", "a", "1"}, &out);
  enc.Append(0, {"SET", "b", "2", "PXAT", "1795507307778"}, &out);
  EXPECT_EQ(out,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
            "*5\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n$4\r\nPXAT\r\n$13\r\n1795507307778\r\n");
  out.clear();
  enc.Append(3, {"DEL", "x"}, &out);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n");
  out.clear();
  enc.Reset();
  enc.Append(3, {"DEL", "x"}, &out);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n");
}

TEST(AofRecordTest, ParsesAtEveryFragmentSize) {
  std::string data;
  AppendRespCommand({"SET", "key", std::string("v\r\n\0x", 5)}, &data);
  data += "#TS:1700000000\r\n";
  AppendRespCommand({"DEL", "key"}, &data);
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    std::string_view part(data.data(), cut);
    size_t pos = 0;
    std::vector<std::vector<std::string>> got;
    std::vector<std::string_view> args;
    std::string err;
    while (true) {
      size_t used = 0;
      AofParse st = ParseAofRecord(part.substr(pos), &used, &args, &err);
      ASSERT_NE(st, AofParse::kBad) << err;
      if (st == AofParse::kNeedMore) break;
      pos += used;
      if (!args.empty()) got.emplace_back(args.begin(), args.end());
    }
    if (cut == data.size()) {
      ASSERT_EQ(got.size(), 2u);
      EXPECT_EQ(got[0][2], std::string("v\r\n\0x", 5));
      EXPECT_EQ(got[1][0], "DEL");
    }
  }
}

TEST(AofRecordTest, RejectsWhatRedisRefuses) {
  std::vector<std::string_view> args;
  std::string err;
  size_t used = 0;
  EXPECT_EQ(ParseAofRecord("SET a b\r\n", &used, &args, &err), AofParse::kBad);
  EXPECT_EQ(ParseAofRecord("*0\r\n", &used, &args, &err), AofParse::kBad);
  EXPECT_EQ(ParseAofRecord("*1\r\n:1\r\n", &used, &args, &err), AofParse::kBad);
  EXPECT_EQ(ParseAofRecord("*1\r\n$x\r\n", &used, &args, &err), AofParse::kBad);
  EXPECT_EQ(ParseAofRecord("\r\n", &used, &args, &err), AofParse::kBad);
  EXPECT_EQ(ParseAofRecord("*1\r\n$3\r\nab", &used, &args, &err), AofParse::kNeedMore);
}

}  // namespace
}  // namespace vigil::datanode
