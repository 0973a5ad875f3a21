#include "datanode/persistence/aof_manifest.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

TEST(AofManifestTest, ParsesAndRendersRedisFreshLayout) {
  const std::string text =
      "file appendonly.aof.1.base.rdb seq 1 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type i\n";
  auto m = AofManifest::Parse(text);
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_TRUE(m.value().base.has_value());
  EXPECT_EQ(m.value().base->name, "appendonly.aof.1.base.rdb");
  EXPECT_EQ(m.value().cur_base_seq, 1);
  ASSERT_EQ(m.value().incrs.size(), 1u);
  EXPECT_EQ(m.value().cur_incr_seq, 1);
  EXPECT_EQ(m.value().Render(), text);
}

TEST(AofManifestTest, IgnoresCommentsBlankLinesAndUnknownKeys) {
  auto m = AofManifest::Parse(
      "# comment\n\nfile a.1.incr.aof seq 1 type i future x\r\nfile a.2.incr.aof seq 2 type i\n");
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m.value().incrs.size(), 2u);
  EXPECT_FALSE(m.value().base.has_value());
}

TEST(AofManifestTest, RejectsRedisInvalidCases) {
  EXPECT_EQ(AofManifest::Parse("").error(), "Found an empty AOF manifest");
  EXPECT_EQ(AofManifest::Parse("# only\n").error(), "Found an empty AOF manifest");
  EXPECT_EQ(AofManifest::Parse("file a seq 1\n").error(), "Invalid AOF manifest file format");
  EXPECT_EQ(AofManifest::Parse("file a seq 1 type x\n").error(), "Unknown AOF file type");
  EXPECT_EQ(AofManifest::Parse("file a seq 1 type b\nfile b seq 2 type b\n").error(),
            "Found duplicate base file information");
  EXPECT_EQ(AofManifest::Parse("file a seq 2 type i\nfile b seq 2 type i\n").error(),
            "Found a non-monotonic sequence number");
  EXPECT_EQ(AofManifest::Parse("file ../a seq 1 type i\n").error(),
            "File can't be a path, just a filename");
  EXPECT_EQ(AofManifest::Parse("file a seq x type i\n").error(),
            "Invalid AOF manifest file format");
  EXPECT_EQ(AofManifest::Parse(std::string(1100, 'x')).error(),
            "The AOF manifest file contains too long line");
}

TEST(AofManifestTest, QuotesNamesWithSpecialCharacters) {
  AofManifest m;
  m.incrs.push_back({"my file.1.incr.aof", 1, AofFileType::kIncr});
  m.cur_incr_seq = 1;
  EXPECT_EQ(m.Render(), "file \"my file.1.incr.aof\" seq 1 type i\n");
  auto back = AofManifest::Parse(m.Render());
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back.value().incrs[0].name, "my file.1.incr.aof");
}

TEST(AofManifestTest, RewriteMakesOldFilesHistoryAndKeepsTheNewIncr) {
  auto m = AofManifest::Parse(
               "file appendonly.aof.1.base.rdb seq 1 type b\n"
               "file appendonly.aof.1.incr.aof seq 1 type i\n")
               .value();
  EXPECT_EQ(m.AddIncr("appendonly.aof").name, "appendonly.aof.2.incr.aof");
  EXPECT_EQ(m.CommitRewrite("appendonly.aof", true).name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m.Render(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.1.base.rdb seq 1 type h\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  m.history.clear();
  EXPECT_EQ(m.Render(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
}

// BGREWRITEAOF with appendonly no: no incr is open, so the new base replaces every file.
TEST(AofManifestTest, RewriteWithAofOffRetiresEveryIncr) {
  auto m = AofManifest::Parse(
               "file appendonly.aof.1.base.rdb seq 1 type b\n"
               "file appendonly.aof.1.incr.aof seq 1 type i\n"
               "file appendonly.aof.2.incr.aof seq 2 type i\n")
               .value();
  EXPECT_EQ(m.CommitRewrite("appendonly.aof", true).name, "appendonly.aof.2.base.rdb");
  m.RetireIncrs();
  EXPECT_EQ(m.Render(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.1.base.rdb seq 1 type h\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.2.incr.aof seq 2 type h\n");
  EXPECT_EQ(m.cur_incr_seq, 2);
}

TEST(AofManifestTest, FileNames) {
  EXPECT_EQ(AofBaseFileName("appendonly.aof", 3, false), "appendonly.aof.3.base.aof");
  EXPECT_EQ(AofIncrFileName("appendonly.aof", 7), "appendonly.aof.7.incr.aof");
  EXPECT_EQ(AofManifestFileName("appendonly.aof"), "appendonly.aof.manifest");
}

}  // namespace
}  // namespace vigil::datanode
