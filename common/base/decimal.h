#pragma once
// Strict decimal parsers for wire fields and config values: the whole text must be one number in
// range, with no sign on unsigned values, no spaces and no trailing bytes. (The data node's
// Redis-canonical integer check, which also refuses "+1" and "007", is ParseCanonicalInt.)
// Header-only, so the client SDK can use it and stay free of Vigil's libraries.
#include <charconv>
#include <cstdint>
#include <string_view>

namespace vigil {

inline bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

inline bool ParseUint64(std::string_view text, uint64_t* out) {
  if (text.empty() || text[0] == '-') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// A TCP port, 0..65535.
inline bool ParsePort(std::string_view text, int* out) {
  int64_t value = 0;
  if (!ParseInt64(text, &value) || value < 0 || value > 65535) return false;
  *out = static_cast<int>(value);
  return true;
}

}  // namespace vigil
