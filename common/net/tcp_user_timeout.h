#pragma once
// TCP_USER_TIMEOUT: how long sent data may stay unacknowledged before the kernel aborts the
// connection with ETIMEDOUT. Replication links set it so a silently partitioned peer is noticed
// in seconds; without it Linux keeps retransmitting with exponential backoff for ~15 minutes, and
// after a heal the next retransmission can be seconds away.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdint>

namespace vigil::net {

// `ms` <= 0 leaves the kernel default. Returns false when the option could not be set.
inline bool SetTcpUserTimeout(int fd, int64_t ms) {
  if (ms <= 0) return true;
  unsigned int v = ms > 0x7fffffff ? 0x7fffffffu : static_cast<unsigned int>(ms);
  return ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)) == 0;
}

}  // namespace vigil::net
