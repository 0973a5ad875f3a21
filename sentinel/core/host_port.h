#pragma once
// HostPort: the address of a master, replica or sentinel, plus the small pure parsing helpers
// the core needs for wire fields (ports, epochs, integers). No name resolution happens here:
// the core compares hosts as strings, case-insensitively, as Redis does.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/ascii_case.h"

namespace vigil::sentinel {

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

// Strict decimal parsers: the whole string must be a number in range.
bool ParseInt64(std::string_view text, int64_t* out);
bool ParseUint64(std::string_view text, uint64_t* out);
// A TCP port, 0..65535.
bool ParsePort(std::string_view text, int* out);

// ASCII case-insensitive comparisons (strcasecmp semantics).
using vigil::EqualsIgnoreCase;
int CompareIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view text);

// Redis's stringmatch glob (*, ?, [abc], [^a-z], backslash escape); used by SENTINEL RESET and
// CONFIG GET. `nocase` folds ASCII case.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase);

}  // namespace vigil::sentinel
