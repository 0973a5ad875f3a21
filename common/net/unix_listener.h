#pragma once
// The `unixsocket` listener: an AF_UNIX stream socket at a path, as redis-server opens it.
#include <string>

#include "common/base/status.h"

namespace vigil::net {

// Removes a stale socket file at `path`, binds, applies `perm` (octal mode; 0 leaves the umask's)
// and listens. Returns the non-blocking fd, or an error naming the path.
Result<int> ListenUnix(const std::string& path, int perm);

}  // namespace vigil::net
