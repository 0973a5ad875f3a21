#pragma once
// ASCII case-insensitive comparison with strcasecmp semantics, for command and option names
// (Redis matches those without regard to case).
#include <cctype>
#include <string_view>

namespace vigil {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace vigil
