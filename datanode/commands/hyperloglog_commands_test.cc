#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Int;
using testing::RecordingPropagator;
using testing::ServiceHarness;

TEST(HyperLogLogCommands, PfaddCountAndCacheInvalidation) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"PFADD", "h"}), Int(1));
  EXPECT_EQ(h.Raw({"PFADD", "h"}), Int(0));
  EXPECT_EQ(h.Raw({"PFADD", "h", "a", "b", "c"}), Int(1));
  EXPECT_EQ(h.Raw({"PFADD", "h", "a", "b", "c"}), Int(0));
  EXPECT_EQ(h.Raw({"PFCOUNT", "h"}), Int(3));
  EXPECT_EQ(h.Raw({"GETRANGE", "h", "15", "15"}), "$1\r\n" + std::string(1, '\0') + "\r\n");
  EXPECT_EQ(h.Raw({"PFADD", "h", "1", "2", "3"}), Int(1));
  EXPECT_EQ(h.Raw({"GETRANGE", "h", "15", "15"}), "$1\r\n\x80\r\n");
  EXPECT_EQ(h.Raw({"PFCOUNT", "h"}), Int(6));
  EXPECT_EQ(h.Raw({"OBJECT", "ENCODING", "h"}), "$3\r\nraw\r\n");
}

TEST(HyperLogLogCommands, TypeAndCorruptionErrors) {
  ServiceHarness h;
  h.Raw({"SET", "s", "bar"});
  h.Raw({"RPUSH", "l", "x"});
  const std::string not_hll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
  EXPECT_EQ(h.Raw({"PFADD", "s", "x"}), not_hll);
  EXPECT_EQ(h.Raw({"PFCOUNT", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.Raw({"PFMERGE", "d", "s"}), not_hll);
  h.Raw({"PFADD", "h", "a", "b", "c"});
  h.Raw({"APPEND", "h", "hello"});
  EXPECT_EQ(h.Raw({"PFCOUNT", "h"}), "-INVALIDOBJ Corrupted HLL object detected\r\n");
  h.Raw({"SETRANGE", "h", "4", "x"});
  EXPECT_EQ(h.Raw({"PFCOUNT", "h"}), not_hll);
}

TEST(HyperLogLogCommands, CacheRefreshIsPropagatedAndDebugConversionSkipsWatch) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  h.Raw({"PFADD", "h", "a", "b"});
  h.Raw({"PFCOUNT", "h"});
  h.Raw({"PFCOUNT", "h"});  // cached: nothing changes
  h.Raw({"PFCOUNT", "h", "other"});
  ASSERT_EQ(p.lines.size(), 2u);
  EXPECT_EQ(p.lines[0], "0: PFADD h a b");
  EXPECT_EQ(p.lines[1], "0: PFCOUNT h");

  h.Raw({"WATCH", "h"});
  EXPECT_EQ(h.Raw({"PFDEBUG", "TODENSE", "h"}), Int(1));
  EXPECT_EQ(h.Raw({"PFDEBUG", "TODENSE", "h"}), Int(0));
  EXPECT_EQ(h.Raw({"PFDEBUG", "ENCODING", "h"}), "+dense\r\n");
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[2], "0: PFDEBUG TODENSE h");
  h.Raw({"MULTI"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*1\r\n+PONG\r\n");
}

}  // namespace
}  // namespace vigil::datanode
