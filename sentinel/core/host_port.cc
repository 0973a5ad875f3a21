#include "sentinel/core/host_port.h"

#include <cctype>
#include <charconv>
#include <utility>

namespace vigil::sentinel {

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

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParseUint64(std::string_view text, uint64_t* out) {
  if (text.empty() || text[0] == '-') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParsePort(std::string_view text, int* out) {
  int64_t value = 0;
  if (!ParseInt64(text, &value) || value < 0 || value > 65535) return false;
  *out = static_cast<int>(value);
  return true;
}

namespace {
char Lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
}  // namespace

int CompareIgnoreCase(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    char x = Lower(a[i]);
    char y = Lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = Lower(c);
  return out;
}

namespace {

// Matches one bracket class starting after '['; advances *p past ']'.
bool MatchClass(std::string_view pattern, size_t* p, char c, bool nocase) {
  size_t i = *p;
  bool negate = i < pattern.size() && pattern[i] == '^';
  if (negate) ++i;
  bool match = false;
  while (i < pattern.size() && pattern[i] != ']') {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      ++i;
      if (pattern[i] == c) match = true;
    } else if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      char lo = pattern[i], hi = pattern[i + 2];
      if (lo > hi) std::swap(lo, hi);
      char x = nocase ? Lower(c) : c;
      if (x >= (nocase ? Lower(lo) : lo) && x <= (nocase ? Lower(hi) : hi)) match = true;
      i += 2;
    } else if (nocase ? Lower(pattern[i]) == Lower(c) : pattern[i] == c) {
      match = true;
    }
    ++i;
  }
  *p = i < pattern.size() ? i + 1 : i;
  return negate ? !match : match;
}

bool GlobFrom(std::string_view pattern, size_t p, std::string_view text, size_t t, bool nocase) {
  while (p < pattern.size()) {
    char pc = pattern[p];
    if (pc == '*') {
      while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
      if (p + 1 == pattern.size()) return true;
      for (size_t k = t; k <= text.size(); ++k) {
        if (GlobFrom(pattern, p + 1, text, k, nocase)) return true;
      }
      return false;
    }
    if (t >= text.size()) return false;
    if (pc == '?') {
      ++p;
    } else if (pc == '[') {
      ++p;
      if (!MatchClass(pattern, &p, text[t], nocase)) return false;
      ++t;
      continue;
    } else {
      if (pc == '\\' && p + 1 < pattern.size()) pc = pattern[++p];
      bool same = nocase ? Lower(pc) == Lower(text[t]) : pc == text[t];
      if (!same) return false;
      ++p;
    }
    ++t;
  }
  return t == text.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  return GlobFrom(pattern, 0, text, 0, nocase);
}

}  // namespace vigil::sentinel
