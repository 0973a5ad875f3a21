#pragma once
// One string escaper for the JSON the sentinel serves over HTTP and the TOML basic strings the
// config rewrite writes: both accept `\"`, `\\` and `\uXXXX`, and TOML forbids raw control
// characters including DEL (0x7f), so those are escaped for both.
#include <string>
#include <string_view>

namespace vigil {

// `s` between double quotes, escaped.
std::string QuoteJsonString(std::string_view s);

}  // namespace vigil
