#pragma once
// TCP listening and peer helpers shared by the data node and the sentinel servers: the
// redis.conf `bind` syntax ("*", "::*", a leading '-' for optional), address text for CLIENT
// LIST, the loopback test behind protected mode, and Redis's protected-mode refusal text.
#include <sys/socket.h>

#include <string>

#include "common/base/status.h"

namespace vigil::net {

// Binds and listens (non-blocking, SO_REUSEADDR, IPv6-only for v6). Returns the fd, or -1 when
// `optional` and the address is unavailable (Redis's "-::*"), or an error naming the address.
Result<int> ListenTcp(const std::string& spec, int port, bool optional);

// "ip:port" of an accepted peer or a local address.
std::string SockAddrText(const sockaddr_storage& ss);
bool IsLoopbackPeer(const sockaddr_storage& ss);

// The reply Redis sends, then closes, to a non-loopback client in protected mode.
extern const char* const kProtectedModeError;

}  // namespace vigil::net
