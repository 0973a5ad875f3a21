#include "common/config/redis_directives.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace vigil::config {

namespace {

// Accepted in a config file but absent from CONFIG GET * (file-only lines, and hidden configs
// that Redis's own test suite sets).
constexpr std::string_view kFileOnly[] = {
    "include",  "loadmodule",        "rename-command",  "user",
    "sentinel", "use-exit-on-panic", "watchdog-period",
};

constexpr std::string_view kNames[] = {
#define VIGIL_REDIS_DIRECTIVE(name, def) name,
#define VIGIL_REDIS_ALIAS(alias, name) alias,
#include "common/config/redis_directives.inc"
#undef VIGIL_REDIS_DIRECTIVE
#undef VIGIL_REDIS_ALIAS
};

}  // namespace

bool IsRedisDirective(std::string_view name) {
  if (std::find(std::begin(kFileOnly), std::end(kFileOnly), name) != std::end(kFileOnly)) {
    return true;
  }
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace vigil::config
