#pragma once
// The vigil-cli process around the pure pieces: owns the connection, sends commands, prints
// replies the way redis-cli does, and runs the interactive loop. Messages that redis-cli
// writes to stderr ("Could not connect to Redis at ...", "AUTH failed: ...") are written there
// with the same wording, so scripts that parse them keep working. Single-threaded.
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_options.h"
#include "cli/reply_format.h"
#include "cli/server_connection.h"
#include "cli/session_state.h"

namespace vigil::cli {

class LineEditor;

class CliSession {
 public:
  CliSession(CliOptions options, bool stdout_is_terminal);

  // Connects to -h/-p (or to the master a sentinel names, with --sentinel-master), then
  // authenticates, selects -n and switches to RESP3 with -3 as asked. Failures of those three
  // are printed and do not close the connection, as in redis-cli. Returns false, after printing
  // why, when no connection could be made.
  bool Connect();

  // Sends `argv` options.repeat times (one-shot mode). Returns the process exit code.
  int RunCommand(const std::vector<std::string>& argv);

  // The prompt loop; reads from the terminal, or plain lines from a pipe. Returns the exit code.
  int RunInteractive();

 private:
  // Sends argv `repeat` times and prints each reply. False when the connection failed (the
  // reason is printed); the connection is then dropped.
  bool Execute(const std::vector<std::string>& argv, int64_t repeat);
  // Reads one reply for a command, printing (or dropping) RESP3 pushes that arrive first.
  Result<resp::Value> ReadCommandReply();
  // Prints replies until the connection fails (SUBSCRIBE, MONITOR).
  void StreamReplies(bool raw_text_command);
  void Print(const resp::Value& v, bool raw_text_command);
  void Disconnect(const std::string& why);
  bool ResolveMaster();
  void SetUpConnection();

  CliOptions options_;
  ReplyStyle style_;
  bool print_pushes_;  // redis-cli shows out-of-band pushes only on a terminal
  std::string host_;
  int port_;
  SessionState state_;
  std::unique_ptr<ServerConnection> conn_;
};

}  // namespace vigil::cli
