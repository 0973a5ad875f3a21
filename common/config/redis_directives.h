#pragma once
// The directive names Redis 7.0 knows (every CONFIG GET * name, its aliases, and the lines that
// exist only in files). Both servers accept any of them so an existing redis.conf or
// sentinel.conf loads unchanged; a name outside this set is a configuration error.
#include <string_view>

namespace vigil::config {

// `name` in lower case.
bool IsRedisDirective(std::string_view name);

}  // namespace vigil::config
