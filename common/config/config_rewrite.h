#pragma once
// CONFIG REWRITE the Redis way, for either syntax: the user's lines and comments stay in order,
// a directive that is set is replaced where it already stood, surplus old lines for it are
// dropped, and directives not in the file yet are appended under a marker comment. Options at
// their default that the file never mentioned are not added.
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/config/config_file.h"
#include "common/config/option_registry.h"

namespace vigil::config {

std::string RewriteConfigText(const std::string& original, Syntax syntax,
                              const std::vector<OptionRegistry::RewriteEntry>& entries);

// Quotes an argument for a redis.conf line when it needs it (empty, spaces, quotes, control
// bytes), the way Redis's rewrite does with sdscatrepr.
std::string QuoteConfArg(const std::string& arg);

// A TOML basic string: quotes, backslashes and control bytes escaped.
std::string TomlQuote(std::string_view s);

// Writes `content` to `path` so that a crash leaves either the old file or the new one: a temp
// file in the same directory, fsync, rename over the target, fsync of the directory.
Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace vigil::config
