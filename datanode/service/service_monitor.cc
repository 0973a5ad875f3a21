// MONITOR: every command the server runs, as one status line per command to each monitor:
// `+<unix seconds>.<microseconds> [<db> <origin>] "arg" "arg" ...`, the origin being the
// client's address, `lua` for a script's commands, or `unix:<path>` for the unix socket.
// As Redis feeds its monitors from call(): a command is shown after it ran (so a transaction
// shows MULTI, its commands, then EXEC), except EVAL/FCALL and kin, shown before the commands
// their script runs; admin commands (CONFIG, DEBUG, MONITOR...) are never shown, nor what the
// AOF replays at start-up, nor a blocked command again when it is served.
#include <cinttypes>
#include <cstdio>

#include "common/base/repr.h"
#include "datanode/service/command_redaction.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

void Service::StartMonitor(Session& s) {
  if (s.monitor || s.is_replica) return;
  s.monitor = true;
  monitors_.push_back(&s);
}

void Service::StopMonitor(Session& s) {
  if (!s.monitor) return;
  s.monitor = false;
  std::erase(monitors_, &s);
}

void Service::FeedMonitors(const Session& s, const std::vector<std::string>& argv, size_t argc) {
  if (monitors_.empty() || loading_) return;
  const int64_t us = wall_clock_us_ ? wall_clock_us_() : now_ms_ * 1000;
  char stamp[48];
  std::snprintf(stamp, sizeof(stamp), "+%" PRId64 ".%06" PRId64 " ", us / 1000000, us % 1000000);
  std::string line = stamp;
  line += "[" + std::to_string(s.db) + " ";
  if (script_run_ != nullptr && &s == script_run_->client) {
    line += "lua";
  } else if (!config_->unixsocket.empty() && s.addr == config_->unixsocket + ":0") {
    line += "unix:" + config_->unixsocket;
  } else {
    line += s.addr;
  }
  line += "] ";
  std::vector<std::string> args(argv.begin(), argv.begin() + long(argc));
  RedactSecrets(args);
  for (size_t j = 0; j < args.size(); ++j) {
    if (j > 0) line += ' ';
    line += Repr(args[j]);
  }
  line += "\r\n";
  for (Session* m : monitors_) {
    m->out += line;
    NoteWoken(m);
  }
}

}  // namespace vigil::datanode
