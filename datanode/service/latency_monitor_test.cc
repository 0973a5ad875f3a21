#include "datanode/service/latency_monitor.h"

#include <gtest/gtest.h>

#include <string>

#include "datanode/service/latency_histogram.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Int;
using testing::ServiceHarness;

TEST(LatencyMonitor, OneSamplePerSecondKeepingTheLargest) {
  LatencyMonitor m;
  m.AddSample("command", 300, 100);
  m.AddSample("command", 250, 100);
  m.AddSample("command", 400, 100);
  m.AddSample("command", 120, 101);
  const auto h = m.Find("command")->History();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].unix_s, 100);
  EXPECT_EQ(h[0].latency_ms, 400);
  EXPECT_EQ(h[1].latency_ms, 120);
  EXPECT_EQ(m.Find("command")->max_ms, 400);
  EXPECT_EQ(m.Find("command")->latest().latency_ms, 120);
}

TEST(LatencyMonitor, KeepsTheLast160Seconds) {
  LatencyMonitor m;
  for (int s = 1; s <= 200; ++s) m.AddSample("e", s, s);
  const auto h = m.Find("e")->History();
  ASSERT_EQ(h.size(), LatencyMonitor::kHistoryLen);
  EXPECT_EQ(h.front().unix_s, 41);
  EXPECT_EQ(h.back().unix_s, 200);
}

TEST(LatencyMonitor, ResetIgnoresCase) {
  LatencyMonitor m;
  m.AddSample("command", 1, 1);
  m.AddSample("fast-command", 1, 1);
  EXPECT_EQ(m.Reset("COMMAND"), 1);
  EXPECT_EQ(m.Reset("nope"), 0);
  EXPECT_EQ(m.ResetAll(), 1);
  EXPECT_TRUE(m.events().empty());
}

TEST(LatencyMonitor, GraphMatchesRedisLayout) {
  LatencyMonitor m;
  m.AddSample("command", 10, 1000);
  m.AddSample("command", 20, 1001);
  const std::string g = m.Graph("command", 1002);
  EXPECT_EQ(g, "command - high 20 ms, low 10 ms (all time high 20 ms)\n" + std::string(80, '-') +
                   "\n #\n |\n |\n_|\n  \n21\nss\n");
}

TEST(LatencyMonitor, DoctorWithoutMonitoring) {
  LatencyMonitor m;
  EXPECT_EQ(m.Doctor(0, {}).rfind("I'm sorry, Dave, I can't do that.", 0), 0u);
  LatencyMonitor::DoctorSettings on;
  on.threshold_ms = 100;
  EXPECT_EQ(m.Doctor(0, on).rfind("Dave, no latency spike was observed", 0), 0u);
}

TEST(LatencyHistogram, PercentilesUseBucketUpperBounds) {
  LatencyHistogram h;
  EXPECT_TRUE(h.empty());
  for (int i = 0; i < 99; ++i) h.Record(1000);  // 1 µs
  h.Record(2'500'000);                          // 2.5 ms
  EXPECT_EQ(h.total(), 100);
  EXPECT_EQ(h.ValueAtPercentile(50), 1003);  // 1000 sits in a bucket 4 ns wide
  EXPECT_EQ(h.ValueAtPercentile(100), 2'506'751);
  const auto cdf = h.CumulativeMicros();
  ASSERT_EQ(cdf.size(), 2u);
  EXPECT_EQ(cdf[0], std::make_pair(int64_t(1), int64_t(99)));
  EXPECT_EQ(cdf[1].second, 100);
}

TEST(LatencyHistogram, PercentileText) {
  EXPECT_EQ(PercentileText(50), "50");
  EXPECT_EQ(PercentileText(99.9), "99.9");
  EXPECT_EQ(PercentileText(0), "0");
}

TEST(LatencyCommands, RepliesAndErrors) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"latency", "latest"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"latency", "history", "command"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"latency", "reset"}), Int(0));
  EXPECT_EQ(h.Raw({"latency", "graph", "command"}),
            "-ERR No samples available for event 'command'\r\n");
  EXPECT_EQ(h.Raw({"latency", "help", "x"}),
            "-ERR wrong number of arguments for 'latency|help' command\r\n");
  h.service().latency().AddSample("command", 300, h.now_ms() / 1000);
  EXPECT_EQ(h.Raw({"latency", "latest"}),
            "*1\r\n*4\r\n$7\r\ncommand\r\n:" + std::to_string(h.now_ms() / 1000) +
                "\r\n:300\r\n:300\r\n");
  EXPECT_EQ(h.Raw({"latency", "reset", "command", "command"}), Int(1));
}

TEST(LatencyCommands, HistogramCountsCallsPerCommandAndSubcommand) {
  ServiceHarness h;
  h.Raw({"set", "a", "b"});
  h.Raw({"set", "a", "c"});
  h.Raw({"client", "id"});
  // Every call took 0 µs here (no clock): the 1 ns bucket reports as 1024 ns → 1 µs.
  EXPECT_EQ(
      h.Raw({"latency", "histogram", "set", "nosuch"}),
      "*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*2\r\n:1\r\n:2\r\n");
  EXPECT_EQ(h.Raw({"latency", "histogram", "CLIENT"}),
            "*2\r\n$9\r\nclient|id\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n*2\r\n:"
            "1\r\n:1\r\n");
  h.Raw({"config", "set", "latency-tracking", "no"});
  h.Raw({"config", "resetstat"});
  h.Raw({"get", "a"});
  EXPECT_EQ(h.Raw({"latency", "histogram"}), "*0\r\n");
}

TEST(LatencyCommands, InfoLatencystatsFormat) {
  ServiceHarness h;
  h.Raw({"set", "a", "b"});
  const std::string info = h.Run({"info", "latencystats"}).str;
  EXPECT_NE(info.find("# Latencystats\r\nlatency_percentiles_usec_set:p50=0.001,p99=0.001,"
                      "p99.9=0.001\r\n"),
            std::string::npos)
      << info;
  EXPECT_EQ(h.Raw({"config", "set", "latency-tracking-info-percentiles", "50 101"}),
            "-ERR CONFIG SET failed (possibly related to argument "
            "'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters "
            "should sit between [0.0,100.0]\r\n");
  EXPECT_EQ(h.Raw({"config", "set", "latency-tracking-info-percentiles", "0 50.5"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"config", "get", "latency-tracking-info-percentiles"}),
            "*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$6\r\n0 50.5\r\n");
}

}  // namespace
}  // namespace vigil::datanode
