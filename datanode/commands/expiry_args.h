#pragma once
// The EX/PX/EXAT/PXAT arguments shared by SET, SETEX, PSETEX and GETEX, resolved to an
// absolute Unix time in milliseconds with Redis's validation and error text.
#include <climits>
#include <string>
#include <string_view>

#include "datanode/commands/command_context.h"

namespace vigil::datanode {

enum class ExpiryUnit { kNone, kEx, kPx, kExat, kPxat };

struct ExpiryArg {
  ExpiryUnit unit = ExpiryUnit::kNone;
  std::string raw;
};

inline bool ParseExpiryUnit(std::string_view word, ExpiryUnit* out) {
  if (EqualsIgnoreCase(word, "EX"))
    *out = ExpiryUnit::kEx;
  else if (EqualsIgnoreCase(word, "PX"))
    *out = ExpiryUnit::kPx;
  else if (EqualsIgnoreCase(word, "EXAT"))
    *out = ExpiryUnit::kExat;
  else if (EqualsIgnoreCase(word, "PXAT"))
    *out = ExpiryUnit::kPxat;
  else
    return false;
  return true;
}

// Answers the error and returns false when the value is not an integer, not positive, or
// overflows once converted.
inline bool ResolveExpiry(CommandContext& ctx, const ExpiryArg& arg, const char* command,
                          int64_t* when_ms) {
  int64_t v = 0;
  if (!ParseInt64Strict(arg.raw, &v)) {
    ctx.ErrNotInteger();
    return false;
  }
  const bool seconds = arg.unit == ExpiryUnit::kEx || arg.unit == ExpiryUnit::kExat;
  auto invalid = [&] {
    ctx.reply.Error(std::string("ERR invalid expire time in '") + command + "' command");
    return false;
  };
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) return invalid();
  if (seconds) v *= 1000;
  if (arg.unit == ExpiryUnit::kEx || arg.unit == ExpiryUnit::kPx) {
    if (v > LLONG_MAX - ctx.now_ms()) return invalid();
    v += ctx.now_ms();
  }
  *when_ms = v;
  return true;
}

}  // namespace vigil::datanode
