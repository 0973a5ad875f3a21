#include "datanode/service/slow_log.h"

#include "common/base/ascii_case.h"

namespace vigil::datanode {
namespace {

constexpr const char* kRedacted = "(redacted)";

// CONFIG SET values that are secrets (Redis's sensitive configs).
bool IsSecretConfig(const std::string& name) {
  return EqualsIgnoreCase(name, "masterauth") || EqualsIgnoreCase(name, "requirepass") ||
         EqualsIgnoreCase(name, "masteruser");
}

void Redact(std::vector<std::string>& a) {
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

}  // namespace

std::vector<std::string> SlowLog::LoggedArgs(const std::vector<std::string>& argv, size_t argc) {
  std::vector<std::string> a(argv.begin(), argv.begin() + long(argc));
  Redact(a);
  if (a.size() > kMaxArgs) {
    const size_t more = a.size() - kMaxArgs + 1;
    a.resize(kMaxArgs);
    a.back() = "... (" + std::to_string(more) + " more arguments)";
  }
  for (size_t j = 0; j < a.size(); ++j) {
    if (a.size() == kMaxArgs && j + 1 == a.size() && argc > kMaxArgs) break;
    if (a[j].size() > kMaxArgBytes) {
      const size_t more = a[j].size() - kMaxArgBytes;
      a[j].resize(kMaxArgBytes);
      a[j] += "... (" + std::to_string(more) + " more bytes)";
    }
  }
  return a;
}

void SlowLog::Push(const std::vector<std::string>& argv, size_t argc, int64_t duration_us,
                   int64_t unix_time_s, const std::string& peer, const std::string& client_name,
                   int64_t slower_than_us, int64_t max_len) {
  if (slower_than_us < 0) return;
  if (duration_us >= slower_than_us) {
    entries_.push_front(
        {next_id_++, unix_time_s, duration_us, LoggedArgs(argv, argc), peer, client_name});
  }
  while (int64_t(entries_.size()) > max_len) entries_.pop_back();
}

}  // namespace vigil::datanode
