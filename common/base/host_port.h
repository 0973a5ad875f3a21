#pragma once
// HostPort: the address of a master, replica or sentinel as the wire names it. No name
// resolution happens here: hosts compare as strings, case-insensitively, as Redis does.
#include <string>
#include <string_view>

namespace vigil {

struct HostPort {
  std::string host;
  int port = 0;

  friend bool operator==(const HostPort&, const HostPort&) = default;
  friend auto operator<=>(const HostPort&, const HostPort&) = default;
};

// Redis's instance name for a replica: "ip:port", or "[ip]:port" when the host is IPv6.
std::string FormatHostPort(const HostPort& addr);

// Case-insensitive host comparison plus equal port (sentinelAddrEqualsHostname).
bool SameAddress(const HostPort& a, const HostPort& b);

// True for a literal IPv4 or IPv6 address (SENTINEL MONITOR refuses hostnames by default).
bool IsIpLiteral(std::string_view host);

}  // namespace vigil
