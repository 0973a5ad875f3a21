#include "datanode/persistence/aof_loader.h"

#include <gtest/gtest.h>

#include "datanode/persistence/aof_record.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::ServiceHarness;

std::string Records(const std::vector<std::pair<int, std::vector<std::string>>>& cmds) {
  AofEncoder enc;
  std::string out;
  for (const auto& [db, argv] : cmds) enc.Append(db, argv, &out);
  return out;
}

// Replays `data` in pieces of `step` bytes, as the shell does.
Status ReplayInPieces(AofReplayer& r, const std::string& data, size_t step, size_t* leftover) {
  std::string buf;
  size_t fed = 0;
  while (fed < data.size()) {
    size_t n = std::min(step, data.size() - fed);
    buf.append(data, fed, n);
    fed += n;
    size_t used = 0;
    Status st = r.Feed(buf, 1000, &used);
    if (!st.ok()) return st;
    buf.erase(0, used);
  }
  *leftover = buf.size();
  return Status::Ok();
}

TEST(AofLoaderTest, ReplaysCommandsAcrossDatabasesAtEveryPieceSize) {
  const std::string data = Records({{0, {"SET", "a", "1"}},
                                    {0, {"RPUSH", "l", "x", "y"}},
                                    {2, {"SET", "b", "2"}},
                                    {2, {"INCR", "b"}}});
  for (size_t step = 1; step <= data.size(); ++step) {
    ServiceHarness h;
    AofReplayer r(&h.service(), "f.aof");
    size_t leftover = 0;
    ASSERT_TRUE(ReplayInPieces(r, data, step, &leftover).ok());
    AofFileEnd end = r.Finish(leftover);
    EXPECT_FALSE(end.truncated);
    EXPECT_EQ(end.valid_up_to, int64_t(data.size()));
    EXPECT_EQ(h.Raw({"GET", "a"}), Bulk("1"));
    EXPECT_EQ(h.Raw({"LLEN", "l"}), Int(2));
    h.Raw({"SELECT", "2"});
    EXPECT_EQ(h.Raw({"GET", "b"}), Bulk("3"));
  }
}

// The replication marks Vigil writes (aof_repl_mark.h): the last one read, and how many commands
// follow it, decide whether a restart can continue the replication stream.
TEST(AofLoaderTest, ReplicationMarksAreReadAndCommandsAfterThemCounted) {
  const std::string id(40, 'a');
  const std::string mark = FormatAofReplMark(ReplPosition{id, 1234});
  EXPECT_EQ(mark, "#VIGIL-REPL " + id + " 1234\r\n");
  ServiceHarness h;
  AofReplayer r(&h.service(), "f.aof");
  size_t leftover = 0;
  const std::string data = Records({{0, {"SET", "a", "1"}}}) + "#TS:1700000000\r\n" + mark;
  ASSERT_TRUE(ReplayInPieces(r, data, 7, &leftover).ok());
  ASSERT_TRUE(r.last_mark().has_value());
  EXPECT_EQ(r.last_mark()->replid, id);
  EXPECT_EQ(r.last_mark()->offset, 1234);
  EXPECT_EQ(r.commands_after_mark(), 0);
  ASSERT_TRUE(ReplayInPieces(r, Records({{0, {"SET", "b", "2"}}}), 5, &leftover).ok());
  EXPECT_EQ(r.commands_after_mark(), 2);  // a fresh encoder's SELECT, then the SET
  EXPECT_EQ(h.Raw({"GET", "a"}), Bulk("1"));

  EXPECT_FALSE(ParseAofReplMark("#VIGIL-REPL " + id + " -1").has_value());
  EXPECT_FALSE(ParseAofReplMark("#VIGIL-REPL " + std::string(39, 'a') + " 5").has_value());
  EXPECT_FALSE(ParseAofReplMark("#VIGIL-REPL " + std::string(40, 'G') + " 5").has_value());
  EXPECT_FALSE(ParseAofReplMark("#TS:1700000000").has_value());
}

TEST(AofLoaderTest, TruncatedTailReportsLastCompleteRecord) {
  const std::string good = Records({{0, {"SET", "a", "1"}}, {0, {"SET", "b", "2"}}});
  const std::string data = good + "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nabc";
  ServiceHarness h;
  AofReplayer r(&h.service(), "f.aof");
  size_t leftover = 0;
  ASSERT_TRUE(ReplayInPieces(r, data, 7, &leftover).ok());
  AofFileEnd end = r.Finish(leftover);
  EXPECT_TRUE(end.truncated);
  EXPECT_EQ(end.valid_up_to, int64_t(good.size()));
  EXPECT_EQ(end.size, int64_t(data.size()));
  EXPECT_EQ(h.Raw({"DBSIZE"}), Int(2));
}

TEST(AofLoaderTest, OpenMultiAtEndIsTruncatedAtTheMulti) {
  const std::string before = Records({{0, {"SET", "a", "1"}}});
  std::string data = before;
  AppendRespCommand({"MULTI"}, &data);
  AppendRespCommand({"SET", "b", "2"}, &data);
  ServiceHarness h;
  AofReplayer r(&h.service(), "f.aof");
  size_t used = 0;
  ASSERT_TRUE(r.Feed(data, 100, &used).ok());
  AofFileEnd end = r.Finish(data.size() - used);
  EXPECT_TRUE(end.truncated);
  EXPECT_TRUE(end.open_multi);
  EXPECT_EQ(end.valid_up_to, int64_t(before.size()));
  EXPECT_EQ(h.Raw({"EXISTS", "b"}), Int(0));
}

TEST(AofLoaderTest, GarbageInTheMiddleNamesFileAndOffset) {
  const std::string good = Records({{0, {"SET", "a", "1"}}});
  const std::string data = good + "garbage\r\n" + Records({{0, {"SET", "b", "2"}}});
  ServiceHarness h;
  AofReplayer r(&h.service(), "appendonly.aof.1.incr.aof");
  size_t used = 0;
  Status st = r.Feed(data, 100, &used);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("appendonly.aof.1.incr.aof at offset " + std::to_string(good.size())),
            std::string::npos)
      << st.message();
  EXPECT_EQ(used, good.size());
}

TEST(AofLoaderTest, UnknownCommandIsFatal) {
  ServiceHarness h;
  AofReplayer r(&h.service(), "x.aof");
  std::string data;
  AppendRespCommand({"NOSUCHCMD", "a"}, &data);
  size_t used = 0;
  Status st = r.Feed(data, 100, &used);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "Unknown command 'NOSUCHCMD' reading the append only file x.aof at offset 0");
}

TEST(AofLoaderTest, PastAbsoluteExpiryIsKeptUntilTheStreamDeletesIt) {
  ServiceHarness h;
  AofReplayer r(&h.service(), "x.aof");
  const std::string data = Records({{0, {"SET", "a", "1"}}, {0, {"PEXPIREAT", "a", "1000"}}});
  size_t used = 0;
  ASSERT_TRUE(r.Feed(data, 100, &used).ok());
  EXPECT_EQ(r.commands(), 3);  // SELECT + 2
}

TEST(AofLoaderTest, StopsAfterMaxCommands) {
  ServiceHarness h;
  AofReplayer r(&h.service(), "x.aof");
  const std::string data = Records({{0, {"SET", "a", "1"}}, {0, {"SET", "b", "1"}}});
  size_t used = 0;
  ASSERT_TRUE(r.Feed(data, 2, &used).ok());
  EXPECT_LT(used, data.size());
  EXPECT_EQ(r.commands(), 2);
  size_t more = 0;
  ASSERT_TRUE(r.Feed(std::string_view(data).substr(used), 10, &more).ok());
  EXPECT_EQ(used + more, data.size());
  EXPECT_EQ(r.offset(), int64_t(data.size()));
}

}  // namespace
}  // namespace vigil::datanode
