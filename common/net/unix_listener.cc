#include "common/net/unix_listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::net {

Result<int> ListenUnix(const std::string& path, int perm) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return Status::Error("unixsocket path too long: " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Error("socket(AF_UNIX): " + std::string(std::strerror(errno)));
  // A file left by an earlier process that did not exit cleanly would make bind fail.
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      (perm != 0 && ::chmod(path.c_str(), mode_t(perm)) != 0) || ::listen(fd, 511) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::Error("Could not create server unix socket " + path + ": " + why);
  }
  return fd;
}

}  // namespace vigil::net
