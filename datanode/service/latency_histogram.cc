#include "datanode/service/latency_histogram.h"

#include <algorithm>
#include <cstdio>

namespace vigil::datanode {
namespace {

// Two significant digits need 200 distinct values per magnitude: 256 sub-buckets, of which the
// upper half are new in each power-of-two bucket after the first. 23 buckets reach past 1 s.
constexpr int kHalfMagnitude = 7;
constexpr int64_t kHalfCount = int64_t(1) << kHalfMagnitude;  // 128
constexpr int64_t kSubBucketMask = 2 * kHalfCount - 1;        // 255
constexpr int kBucketCount = 23;
constexpr size_t kCountsLen = size_t(kBucketCount + 1) * size_t(kHalfCount);

int BucketOf(int64_t v) {
  const int pow2ceiling = 64 - __builtin_clzll(uint64_t(v | kSubBucketMask));
  return pow2ceiling - (kHalfMagnitude + 1);
}

size_t IndexOf(int64_t v) {
  const int bucket = BucketOf(v);
  const int64_t sub = v >> bucket;
  return size_t(((int64_t(bucket) + 1) << kHalfMagnitude) + (sub - kHalfCount));
}

int64_t ValueAtIndex(size_t index) {
  int bucket = int(index >> kHalfMagnitude) - 1;
  int64_t sub = int64_t(index & size_t(kHalfCount - 1)) + kHalfCount;
  if (bucket < 0) {
    sub -= kHalfCount;
    bucket = 0;
  }
  return sub << bucket;
}

int64_t LowestEquivalent(int64_t v) {
  const int bucket = BucketOf(v);
  return (v >> bucket) << bucket;
}

int64_t HighestEquivalent(int64_t v) {
  const int bucket = BucketOf(v);
  return LowestEquivalent(v) + (int64_t(1) << bucket) - 1;
}

}  // namespace

std::string PercentileText(double percentile) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%f", percentile);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

void LatencyHistogram::Record(int64_t ns) {
  ns = std::clamp(ns, kMinNs, kMaxNs);
  if (counts_.empty()) counts_.assign(kCountsLen, 0);
  ++counts_[IndexOf(ns)];
  ++total_;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double p = percentile < 100.0 ? percentile : 100.0;
  int64_t rank = int64_t((p / 100) * double(total_) + 0.5);
  rank = std::max<int64_t>(rank, 1);
  int64_t seen = 0;
  int64_t value = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      value = ValueAtIndex(i);
      break;
    }
  }
  return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
}

std::vector<std::pair<int64_t, int64_t>> LatencyHistogram::CumulativeMicros() const {
  // HdrHistogram's logarithmic iteration (first level 1024 ns, base 2): each step walks the
  // buckets until one reaches the current level, then reports the highest value equivalent to
  // that bucket with the count so far; Redis lists the steps where the count grew.
  std::vector<std::pair<int64_t, int64_t>> out;
  if (total_ == 0) return out;
  const int64_t len = int64_t(counts_.size());
  int64_t level = 1024;
  int64_t level_lowest = LowestEquivalent(level);
  int64_t index = -1, value = 0, cumulative = 0, previous = 0;
  auto move_next = [&] {
    ++index;
    if (index >= len) return false;
    cumulative += counts_[size_t(index)];
    value = ValueAtIndex(size_t(index));
    return true;
  };
  while (cumulative < total_ || (index < len && ValueAtIndex(size_t(index + 1)) > level_lowest)) {
    while (true) {
      if (value >= level_lowest) {
        level *= 2;
        level_lowest = LowestEquivalent(level);
        break;
      }
      if (!move_next()) break;
    }
    if (cumulative > previous) out.emplace_back(HighestEquivalent(value) / 1000, cumulative);
    previous = cumulative;
  }
  return out;
}

}  // namespace vigil::datanode
