#include "common/base/host_port.h"

#include <cctype>

#include "common/base/ascii_case.h"

namespace vigil {

std::string FormatHostPort(const HostPort& addr) {
  if (addr.host.find(':') != std::string::npos) {
    return "[" + addr.host + "]:" + std::to_string(addr.port);
  }
  return addr.host + ":" + std::to_string(addr.port);
}

bool SameAddress(const HostPort& a, const HostPort& b) {
  return a.port == b.port && EqualsIgnoreCase(a.host, b.host);
}

namespace {

bool IsIpv4(std::string_view host) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view part =
        host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
    if (part.empty() || part.size() > 3) return false;
    int value = 0;
    for (char c : part) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view host) {
  // A pragmatic check: hex digits and colons, at most one "::", an optional IPv4 tail.
  if (host.size() < 2 || host.find(':') == std::string_view::npos) return false;
  size_t double_colon = host.find("::");
  if (double_colon != std::string_view::npos && host.find("::", double_colon + 1) != host.npos) {
    return false;
  }
  size_t last_colon = host.rfind(':');
  std::string_view tail = host.substr(last_colon + 1);
  bool ipv4_tail = tail.find('.') != std::string_view::npos;
  if (ipv4_tail && !IsIpv4(tail)) return false;
  std::string_view head = ipv4_tail ? host.substr(0, last_colon + 1) : host;
  int group_len = 0;
  for (char c : head) {
    if (c == ':') {
      group_len = 0;
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c)) || ++group_len > 4) return false;
  }
  return true;
}

}  // namespace

bool IsIpLiteral(std::string_view host) {
  return IsIpv4(host) || IsIpv6(host);
}

}  // namespace vigil
