#include "datanode/service/command_redaction.h"

#include "common/base/ascii_case.h"

namespace vigil::datanode {
namespace {

constexpr const char* kRedacted = "(redacted)";

// CONFIG SET values that are secrets (Redis's sensitive configs).
bool IsSecretConfig(const std::string& name) {
  return EqualsIgnoreCase(name, "masterauth") || EqualsIgnoreCase(name, "requirepass") ||
         EqualsIgnoreCase(name, "masteruser");
}

}  // namespace

void RedactSecrets(std::vector<std::string>& a) {
  const size_t n = a.size();
  auto redact_from = [&](size_t first) {
    for (size_t j = first; j < n; ++j) a[j] = kRedacted;
  };
  if (n == 0) return;
  if (EqualsIgnoreCase(a[0], "auth")) {
    if (n <= 3) redact_from(1);  // more arguments are a syntax error, logged as sent
  } else if (EqualsIgnoreCase(a[0], "hello")) {
    for (size_t j = 2; j + 2 < n; ++j) {
      if (EqualsIgnoreCase(a[j], "auth")) {
        a[j + 1] = kRedacted;
        a[j + 2] = kRedacted;
        j += 2;
      }
    }
  } else if (EqualsIgnoreCase(a[0], "acl") && n > 1 && EqualsIgnoreCase(a[1], "setuser")) {
    redact_from(2);
  } else if (EqualsIgnoreCase(a[0], "config") && n > 1 && EqualsIgnoreCase(a[1], "set")) {
    for (size_t j = 2; j + 1 < n; j += 2) {
      if (IsSecretConfig(a[j])) a[j + 1] = kRedacted;
    }
  } else if (EqualsIgnoreCase(a[0], "migrate")) {
    for (size_t j = 6; j < n; ++j) {
      if (EqualsIgnoreCase(a[j], "keys")) break;
      if (EqualsIgnoreCase(a[j], "auth") && j + 1 < n) {
        a[++j] = kRedacted;
      } else if (EqualsIgnoreCase(a[j], "auth2") && j + 2 < n) {
        a[++j] = kRedacted;
        a[++j] = kRedacted;
      }
    }
  }
}

}  // namespace vigil::datanode
