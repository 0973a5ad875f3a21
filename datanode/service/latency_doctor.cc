// LATENCY DOCTOR: Redis 7.0's report (its texts), for the events Vigil records.
#include <strings.h>

#include <cstdio>

#include "datanode/service/latency_monitor.h"

namespace vigil::datanode {
namespace {

bool Is(const std::string& event, const char* name) {
  return strcasecmp(event.c_str(), name) == 0;
}

struct Stats {
  int64_t samples = 0, avg = 0, mad = 0, period = 0;
};

Stats Analyze(const LatencyMonitor::Series& ts, int64_t now_s) {
  Stats st;
  int64_t sum = 0, oldest = 0;
  const std::vector<LatencySample> history = ts.History();
  for (const LatencySample& s : history) {
    ++st.samples;
    sum += s.latency_ms;
    if (oldest == 0 || s.unix_s < oldest) oldest = s.unix_s;
  }
  if (st.samples == 0) return st;
  st.avg = sum / st.samples;
  st.period = now_s - oldest;
  if (st.period == 0) st.period = 1;
  int64_t dev = 0;
  for (const LatencySample& s : history)
    dev += s.latency_ms > st.avg ? s.latency_ms - st.avg : st.avg - s.latency_ms;
  st.mad = dev / st.samples;
  return st;
}

}  // namespace

std::string LatencyMonitor::Doctor(int64_t now_s, const DoctorSettings& cfg) const {
  if (events_.empty() && cfg.threshold_ms == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  std::string report;
  bool slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false;
  bool scheduler = false, hz = false, large_objects = false;
  int advices = 0, n = 0;
  for (const auto& [event, ts] : events_) {
    ++n;
    if (n == 1) {
      report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
          "about it, do you Dave?\n\n";
    }
    const Stats st = Analyze(ts, now_s);
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f "
                  "sec). Worst all time event %lums.",
                  n, event.c_str(), int(st.samples), (unsigned long)st.avg, (unsigned long)st.mad,
                  double(st.period) / double(st.samples), (unsigned long)ts.max_ms);
    report += line;
    if (Is(event, "command")) {
      if (cfg.slowlog_slower_than < 0) {
        slowlog_enabled = true;
        ++advices;
      } else if (cfg.slowlog_slower_than / 1000 > cfg.threshold_ms) {
        slowlog_tuning = true;
        ++advices;
      }
      slowlog_inspect = large_objects = true;
      advices += 2;
    }
    if (Is(event, "fast-command")) {
      scheduler = true;
      ++advices;
    }
    if (Is(event, "expire-cycle")) {
      hz = large_objects = true;
      advices += 2;
    }
    report += "\n";
  }
  if (n == 0 && advices == 0) {
    report +=
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, "
        "and think things over.\n";
    return report;
  }
  if (advices == 0) {
    report +=
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please "
        "use the Redis community to get some help, providing this report in your help request.\n";
    return report;
  }
  const std::string threshold_us = std::to_string(cfg.threshold_ms * 1000);
  report += "\nI have a few advices for you:\n\n";
  if (slowlog_enabled) {
    report +=
        "- There are latency issues with potentially slow commands you are using. Try to enable "
        "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than " +
        threshold_us +
        "'. If the Slow log is disabled Redis is not able to log slow commands execution for "
        "you.\n";
  }
  if (slowlog_tuning) {
    report +=
        "- Your current Slow Log configuration only logs events that are slower than your "
        "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than " +
        threshold_us + "'.\n";
  }
  if (slowlog_inspect) {
    report +=
        "- Check your Slow Log to understand what are the commands you are running which are too "
        "slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  }
  if (scheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (hz && cfg.hz < 100) {
    report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
        "configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (large_objects) {
    report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
        "blocking operation. If you have very large objects that are often deleted, expired, or "
        "evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  return report;
}

}  // namespace vigil::datanode
