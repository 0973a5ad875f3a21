#pragma once
// OomScoreAdj: Redis's oom-score-adj. With it on, the process writes its Linux OOM-killer
// adjustment for its class (master, replica, fork child) from oom-score-adj-values: added to
// the score the process started with ("yes"/"relative"), or as is ("absolute"), clamped to
// -1000..1000. Turning it off restores the starting score; with it off nothing is written, so
// an operator's own setting stands.
#include <array>
#include <string>

#include "common/base/status.h"

namespace vigil::datanode {

enum class OomClass { kMaster = 0, kReplica = 1, kBackgroundChild = 2 };

// oom-score-adj: 0 no, 1 relative (also "yes"), 2 absolute.
inline constexpr int kOomScoreAdjNo = 0;
inline constexpr int kOomScoreAdjRelative = 1;
inline constexpr int kOomScoreAdjAbsolute = 2;

class OomScoreAdj {
 public:
  // Redis's setOOMScoreAdj. `path` is /proc/self/oom_score_adj but for tests.
  Status Apply(int mode, const std::array<int, 3>& values, OomClass cls);
  void set_path(std::string path) { path_ = std::move(path); }

 private:
  std::string path_ = "/proc/self/oom_score_adj";
  bool adjusted_ = false;  // we wrote the score: base_ is what to restore
  int base_ = 0;
};

}  // namespace vigil::datanode
