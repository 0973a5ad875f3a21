#include "datanode/service/latency_monitor.h"

#include <strings.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace vigil::datanode {
namespace {

constexpr int kGraphColumns = 80;
constexpr int kGraphRows = 4;

// LATENCY GRAPH's sparkline: each sample is a column whose height (rows x 3 steps, drawn with
// "_o#" and '|' below the top) is its latency relative to the range, with its age as a
// vertical label underneath; wide histories wrap every 80 columns.
struct Point {
  double value;
  std::string label;
};

void RenderRange(std::string* out, const std::vector<Point>& pts, double min, double max,
                 size_t offset, size_t len) {
  static constexpr char kFill[] = "_o#";
  constexpr int kSteps = 3 * kGraphRows;
  double range = max - min;
  if (range == 0) range = 1;
  const bool labels =
      std::any_of(pts.begin(), pts.end(), [](const Point& p) { return !p.label.empty(); });
  std::string row_chars(len, ' ');
  for (int row = 0;; ++row) {
    bool more = false;
    row_chars.assign(len, ' ');
    for (size_t j = 0; j < len; ++j) {
      const Point& p = pts[j + offset];
      // Truncated before the division, as Redis's cast binds.
      int step = int(double(int((p.value - min) * kSteps)) / range);
      step = std::clamp(step, 0, kSteps - 1);
      if (row < kGraphRows) {
        const int idx = step - (kGraphRows - row - 1) * 3;
        more = true;
        if (idx >= 0 && idx < 3) {
          row_chars[j] = kFill[idx];
        } else if (idx >= 3) {
          row_chars[j] = '|';
        }
      } else {
        // One blank line between the graph and the labels.
        if (labels && row - kGraphRows < 1) {
          more = true;
          break;
        }
        const int at = row - kGraphRows - 1;
        if (int(p.label.size()) > at) {
          more = true;
          row_chars[j] = p.label[size_t(at)];
        }
      }
    }
    if (!more) break;
    out->append(row_chars);
    out->push_back('\n');
  }
}

std::string AgeLabel(int64_t elapsed) {
  if (elapsed < 60) return std::to_string(elapsed) + "s";
  if (elapsed < 3600) return std::to_string(elapsed / 60) + "m";
  if (elapsed < 86400) return std::to_string(elapsed / 3600) + "h";
  return std::to_string(elapsed / 86400) + "d";
}

bool Is(const std::string& event, const char* name) {
  return strcasecmp(event.c_str(), name) == 0;
}

}  // namespace

std::vector<LatencySample> LatencyMonitor::Series::History() const {
  std::vector<LatencySample> out;
  for (size_t j = 0; j < kHistoryLen; ++j) {
    const LatencySample& s = samples[(next + j) % kHistoryLen];
    if (s.unix_s != 0) out.push_back(s);
  }
  return out;
}

void LatencyMonitor::AddSample(const std::string& event, int64_t latency_ms, int64_t now_s) {
  Series& ts = events_[event];
  ts.max_ms = std::max(ts.max_ms, latency_ms);
  // One sample a second: a second spike in the same second only raises it.
  LatencySample& prev = ts.samples[(ts.next + kHistoryLen - 1) % kHistoryLen];
  if (prev.unix_s == now_s) {
    prev.latency_ms = std::max(prev.latency_ms, latency_ms);
    return;
  }
  ts.samples[ts.next] = LatencySample{now_s, latency_ms};
  ts.next = (ts.next + 1) % kHistoryLen;
}

int LatencyMonitor::Reset(const std::string& event) {
  // Event names compare without case, as Redis's reset does.
  for (auto it = events_.begin(); it != events_.end(); ++it) {
    if (Is(it->first, event.c_str())) {
      events_.erase(it);
      return 1;
    }
  }
  return 0;
}

int LatencyMonitor::ResetAll() {
  const int n = int(events_.size());
  events_.clear();
  return n;
}

const LatencyMonitor::Series* LatencyMonitor::Find(const std::string& event) const {
  auto it = events_.find(event);
  return it == events_.end() ? nullptr : &it->second;
}

std::string LatencyMonitor::Graph(const std::string& event, int64_t now_s) const {
  const Series& ts = events_.at(event);
  std::vector<Point> pts;
  int64_t lo = 0, hi = 0;
  double smin = 0, smax = 0;
  for (const LatencySample& s : ts.History()) {
    if (pts.empty()) {
      lo = hi = s.latency_ms;
      smin = smax = double(s.latency_ms);
    } else {
      lo = std::min(lo, s.latency_ms);
      hi = std::max(hi, s.latency_ms);
      // The sparkline's own range tracks min and max with an else-if, as Redis's does.
      if (double(s.latency_ms) < smin) {
        smin = double(s.latency_ms);
      } else if (double(s.latency_ms) > smax) {
        smax = double(s.latency_ms);
      }
    }
    pts.push_back({double(s.latency_ms), AgeLabel(now_s - s.unix_s)});
  }
  std::string out = event + " - high " + std::to_string(hi) + " ms, low " + std::to_string(lo) +
                    " ms (all time high " + std::to_string(ts.max_ms) + " ms)\n";
  out.append(kGraphColumns, '-');
  out.push_back('\n');
  for (size_t j = 0; j < pts.size(); j += kGraphColumns) {
    if (j != 0) out.push_back('\n');
    RenderRange(&out, pts, smin, smax, j, std::min<size_t>(kGraphColumns, pts.size() - j));
  }
  return out;
}

}  // namespace vigil::datanode
