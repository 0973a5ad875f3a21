#include "cli/session_state.h"

#include <cstdlib>

#include "common/base/ascii_case.h"

namespace vigil::cli {
std::string SessionState::Prompt(bool connected) const {
  if (!connected) return "not connected> ";
  // IPv6 literals are bracketed so the port stays readable, as in redis-cli.
  std::string p = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  p += ":" + std::to_string(port_);
  if (db_ != 0) p += "[" + std::to_string(db_) + "]";
  if (in_multi_) p += "(TX)";
  return p + "> ";
}

void SessionState::SetAddress(std::string host, int port) {
  host_ = std::move(host);
  port_ = port;
}

void SessionState::OnReply(const std::vector<std::string>& argv, const resp::Value& reply) {
  if (argv.empty()) return;
  const std::string& cmd = argv[0];
  const bool failed = reply.is_error();
  const size_t argc = argv.size();
  if (EqualsIgnoreCase(cmd, "select") && argc == 2 && !failed) {
    db_ = std::atoi(argv[1].c_str());
  } else if (EqualsIgnoreCase(cmd, "multi") && argc == 1 && !failed) {
    in_multi_ = true;
    pre_multi_db_ = db_;
  } else if (EqualsIgnoreCase(cmd, "exec") && argc == 1 && in_multi_) {
    in_multi_ = false;
    if (failed || reply.is_null()) db_ = pre_multi_db_;
  } else if (EqualsIgnoreCase(cmd, "discard") && argc == 1 && !failed) {
    in_multi_ = false;
    db_ = pre_multi_db_;
  } else if (EqualsIgnoreCase(cmd, "reset") && argc == 1 && !failed) {
    in_multi_ = false;
    db_ = 0;
    resp3_ = false;
  } else if (EqualsIgnoreCase(cmd, "hello") && argc >= 2 && !failed) {
    resp3_ = argv[1] == "3";
  }
}

bool StartsSubscription(const std::vector<std::string>& argv) {
  return !argv.empty() &&
         (EqualsIgnoreCase(argv[0], "subscribe") || EqualsIgnoreCase(argv[0], "psubscribe") ||
          EqualsIgnoreCase(argv[0], "ssubscribe"));
}

bool StartsMonitor(const std::vector<std::string>& argv) {
  return !argv.empty() && EqualsIgnoreCase(argv[0], "monitor");
}

}  // namespace vigil::cli
