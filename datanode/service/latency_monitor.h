#pragma once
// LatencyMonitor: LATENCY's event time series. Each named event (command, fast-command,
// expire-cycle, ...) keeps its 160 latest samples, at most one per second (the largest latency
// seen in that second), and its all-time maximum, as Redis 7.0's latency monitor does. The
// caller measures and passes the time; samples below latency-monitor-threshold are never given.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil::datanode {

struct LatencySample {
  int64_t unix_s = 0;
  int64_t latency_ms = 0;
};

class LatencyMonitor {
 public:
  static constexpr size_t kHistoryLen = 160;

  struct Series {
    size_t next = 0;     // where the next sample goes
    int64_t max_ms = 0;  // all-time high since the last reset
    std::array<LatencySample, kHistoryLen> samples{};
    const LatencySample& latest() const { return samples[(next + kHistoryLen - 1) % kHistoryLen]; }
    // The samples held, oldest first.
    std::vector<LatencySample> History() const;
  };

  void AddSample(const std::string& event, int64_t latency_ms, int64_t now_s);
  // Forgets `event`; returns 1 if it existed.
  int Reset(const std::string& event);
  // Forgets every event; returns how many there were.
  int ResetAll();
  const Series* Find(const std::string& event) const;
  const std::map<std::string, Series>& events() const { return events_; }

  // LATENCY GRAPH's text for `event` (which must exist).
  std::string Graph(const std::string& event, int64_t now_s) const;
  // What LATENCY DOCTOR's advice depends on besides the samples.
  struct DoctorSettings {
    int64_t threshold_ms = 0;         // latency-monitor-threshold
    int64_t slowlog_slower_than = 0;  // µs; negative = slow log off
    int64_t hz = 10;
  };
  // LATENCY DOCTOR's report.
  std::string Doctor(int64_t now_s, const DoctorSettings& settings) const;

 private:
  std::map<std::string, Series> events_;
};

}  // namespace vigil::datanode
