#include "datanode/service/slow_log.h"

#include "datanode/service/command_redaction.h"

namespace vigil::datanode {

std::vector<std::string> SlowLog::LoggedArgs(const std::vector<std::string>& argv, size_t argc) {
  std::vector<std::string> a(argv.begin(), argv.begin() + long(argc));
  RedactSecrets(a);
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
  // An entry lives until 128 newer ones push it out: it must not keep the room the full
  // command needed (a 100,000-argument SADD would pin 3 MB per entry).
  a.shrink_to_fit();
  for (std::string& arg : a) arg.shrink_to_fit();
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
