// oom-score-adj against a file standing in for /proc/self/oom_score_adj.
#include "datanode/server/oom_score_adj.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace vigil::datanode {
namespace {

struct ScoreFile {
  ScoreFile() {
    char tmpl[] = "/tmp/vigil-oom-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
    Write(22);
  }
  ~ScoreFile() { ::unlink(path.c_str()); }
  void Write(int v) const { std::ofstream(path) << v << "\n"; }
  int Read() const {
    int v = 0;
    std::ifstream(path) >> v;
    return v;
  }
  std::string path;
};

TEST(OomScoreAdj, RelativeAddsToTheStartingScoreAndOffRestoresIt) {
  ScoreFile f;
  OomScoreAdj oom;
  oom.set_path(f.path);
  const std::array<int, 3> values{9, 20, 30};
  ASSERT_TRUE(oom.Apply(kOomScoreAdjRelative, values, OomClass::kMaster).ok());
  EXPECT_EQ(f.Read(), 31);
  ASSERT_TRUE(oom.Apply(kOomScoreAdjRelative, values, OomClass::kReplica).ok());
  EXPECT_EQ(f.Read(), 42);
  ASSERT_TRUE(oom.Apply(kOomScoreAdjAbsolute, values, OomClass::kBackgroundChild).ok());
  EXPECT_EQ(f.Read(), 30);
  ASSERT_TRUE(oom.Apply(kOomScoreAdjNo, values, OomClass::kMaster).ok());
  EXPECT_EQ(f.Read(), 22);
}

TEST(OomScoreAdj, OffLeavesAnOperatorsScoreAloneAndValuesAreClamped) {
  ScoreFile f;
  OomScoreAdj oom;
  oom.set_path(f.path);
  f.Write(7);
  ASSERT_TRUE(oom.Apply(kOomScoreAdjNo, {1, 1, 1}, OomClass::kMaster).ok());
  EXPECT_EQ(f.Read(), 7);
  ASSERT_TRUE(oom.Apply(kOomScoreAdjRelative, {2000, 0, 0}, OomClass::kMaster).ok());
  EXPECT_EQ(f.Read(), 1000);
  ASSERT_TRUE(oom.Apply(kOomScoreAdjAbsolute, {-2000, 0, 0}, OomClass::kMaster).ok());
  EXPECT_EQ(f.Read(), -1000);
}

TEST(OomScoreAdj, AnUnreadableScoreIsAnError) {
  OomScoreAdj oom;
  oom.set_path("/nonexistent/oom_score_adj");
  EXPECT_FALSE(oom.Apply(kOomScoreAdjRelative, {0, 0, 0}, OomClass::kMaster).ok());
}

}  // namespace
}  // namespace vigil::datanode
