#pragma once
// Redis's rule for the text of CLIENT SETNAME, HELLO ... SETNAME and CLIENT SETINFO values:
// printable ASCII without spaces ('!' to '~'), so CLIENT LIST stays one space-separated line.
#include <string_view>

namespace vigil {

inline bool IsClientNameText(std::string_view text) {
  for (unsigned char c : text) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

}  // namespace vigil
