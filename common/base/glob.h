#pragma once
// Redis-style glob matching (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes), as used by KEYS, SCAN
// MATCH, PSUBSCRIBE and CONFIG GET.
#include <string_view>

namespace vigil {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace vigil
