#include "datanode/server/oom_score_adj.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigil::datanode {

Status OomScoreAdj::Apply(int mode, const std::array<int, 3>& values, OomClass cls) {
  int val = 0;
  if (mode != kOomScoreAdjNo) {
    if (!adjusted_) {
      // What the process started with, restored when oom-score-adj is turned off again.
      const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      char buf[64] = {0};
      const ssize_t n = fd >= 0 ? ::read(fd, buf, sizeof(buf) - 1) : -1;
      const int err = errno;
      if (fd >= 0) ::close(fd);
      if (n < 0)
        return Status::Error(std::string("Unable to read oom_score_adj: ") + std::strerror(err));
      base_ = std::atoi(buf);
      adjusted_ = true;
    }
    val = values[size_t(cls)];
    if (mode == kOomScoreAdjRelative) val += base_;
    val = std::clamp(val, -1000, 1000);
  } else if (adjusted_) {
    adjusted_ = false;
    val = base_;
  } else {
    return Status::Ok();
  }
  const std::string text = std::to_string(val) + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok)
    return Status::Error(std::string("Unable to write oom_score_adj: ") + std::strerror(err));
  return Status::Ok();
}

}  // namespace vigil::datanode
