#pragma once
// LatencyHistogram: a command's latency distribution for INFO latencystats and LATENCY
// HISTOGRAM, bucketed as Redis 7.0 buckets it (an HDR histogram over 1 ns .. 1 s with two
// significant digits: 128 linear sub-buckets per power of two), so percentiles and the
// histogram's bucket bounds come out as Redis reports them.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil::datanode {

class LatencyHistogram {
 public:
  static constexpr int64_t kMinNs = 1;
  static constexpr int64_t kMaxNs = 1'000'000'000;

  // Records one duration, clamped to [kMinNs, kMaxNs].
  void Record(int64_t ns);
  bool empty() const { return total_ == 0; }
  int64_t total() const { return total_; }
  // The value at `percentile` (0..100) in nanoseconds: the highest value equivalent to the
  // bucket holding that rank (the lowest for percentile 0).
  int64_t ValueAtPercentile(double percentile) const;
  // LATENCY HISTOGRAM's cumulative distribution: (upper bound in µs, count at or below it) for
  // power-of-two steps from 1024 ns, listing only steps where the count grew.
  std::vector<std::pair<int64_t, int64_t>> CumulativeMicros() const;

 private:
  std::vector<int64_t> counts_;  // allocated on the first Record
  int64_t total_ = 0;
};

// A percentile as Redis prints it in INFO and CONFIG GET: "%f" without trailing zeros (50, 99.9).
std::string PercentileText(double percentile);

}  // namespace vigil::datanode
