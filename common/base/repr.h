#pragma once
// Redis's sdscatrepr quoting: a double-quoted string with C escapes (\n \r \t \a \b \\ \" and
// \xHH for other non-printable bytes). Config rewrites and AOF manifests write names this way,
// and Redis's loaders (sdssplitargs) read them back.
#include <string>
#include <string_view>

namespace vigil {

std::string Repr(std::string_view s);
// True when `s` must be quoted to survive sdssplitargs: empty, or holding spaces, quotes,
// backslashes or non-printable bytes.
bool NeedsRepr(std::string_view s);
// `s` as is when safe, else Repr(s).
inline std::string QuoteIfNeeded(std::string_view s) {
  return NeedsRepr(s) ? Repr(s) : std::string(s);
}

}  // namespace vigil
