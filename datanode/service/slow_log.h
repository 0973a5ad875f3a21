#pragma once
// SlowLog: the commands that took at least slowlog-log-slower-than microseconds, newest first,
// at most slowlog-max-len of them, as SLOWLOG GET shows them. An entry keeps Redis's shape: at
// most 32 arguments (the last one says how many more there were), each cut to 128 bytes, and
// secrets replaced by "(redacted)" (AUTH, HELLO AUTH, ACL SETUSER, CONFIG SET of a password,
// MIGRATE AUTH/AUTH2), so a log shared for debugging leaks no password.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace vigil::datanode {

struct SlowLogEntry {
  int64_t id = 0;
  int64_t unix_time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;
  std::string peer;         // "ip:port" of the client
  std::string client_name;  // CLIENT SETNAME, or empty
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  // Records the command when `duration_us >= slower_than_us` (a negative threshold disables the
  // log), then trims to `max_len`, as Redis does on every command.
  void Push(const std::vector<std::string>& argv, size_t argc, int64_t duration_us,
            int64_t unix_time_s, const std::string& peer, const std::string& client_name,
            int64_t slower_than_us, int64_t max_len);
  void Reset() { entries_.clear(); }
  const std::deque<SlowLogEntry>& entries() const { return entries_; }  // newest first

  // The arguments as logged: secrets redacted, then cut to the limits above.
  static std::vector<std::string> LoggedArgs(const std::vector<std::string>& argv, size_t argc);

 private:
  std::deque<SlowLogEntry> entries_;
  int64_t next_id_ = 0;
};

}  // namespace vigil::datanode
