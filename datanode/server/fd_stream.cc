#include "datanode/server/fd_stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::datanode {

Status FdSink::Write(std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Error(error_prefix_ + std::strerror(errno));
    done += size_t(n);
  }
  return Status::Ok();
}

Result<size_t> FdSource::Read(char* dst, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd_, dst, n);
    if (r >= 0) return size_t(r);
    if (errno == EINTR) continue;
    return Status::Error(std::string("read error: ") + std::strerror(errno));
  }
}

}  // namespace vigil::datanode
