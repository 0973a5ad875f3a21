#include "cli/cli_session.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "cli/input_line.h"
#include "cli/line_editor.h"
#include "cli/master_lookup.h"
#include "vigil/version.h"

namespace vigil::cli {
namespace {

void WriteOut(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

void WriteErr(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

std::string Address(const std::string& host, int port) {
  return host + ":" + std::to_string(port);
}

std::string InteractiveHelp() {
  return std::string("vigil-cli ") + kVersion +
         "\n"
         "Type a command and its arguments, as with redis-cli; \"quoted strings\" may use\n"
         "\\n \\t \\xHH escapes. A leading number repeats the command (\"3 INCR x\").\n"
         "      \"connect <host> <port>\" to switch server\n"
         "      \"clear\" to clear the screen\n"
         "      \"quit\" to exit\n";
}

}  // namespace

CliSession::CliSession(CliOptions options, bool stdout_is_terminal)
    : options_(std::move(options)),
      style_(options_.output == OutputMode::kRaw        ? ReplyStyle::kRaw
             : options_.output == OutputMode::kStandard ? ReplyStyle::kStandard
             : stdout_is_terminal                       ? ReplyStyle::kStandard
                                                        : ReplyStyle::kRaw),
      print_pushes_(stdout_is_terminal),
      host_(options_.host),
      port_(options_.port),
      state_(options_.host, options_.port) {}

bool CliSession::ResolveMaster() {
  const std::string& name = *options_.sentinel_master;
  auto sentinel = ServerConnection::Open(options_.host, options_.port, options_.tls);
  if (!sentinel.ok()) {
    WriteErr("Could not connect to Sentinel at " + Address(options_.host, options_.port) + ": " +
             sentinel.error() + "\n");
    return false;
  }
  auto reply = sentinel.value()->Call(MasterAddressCommand(name));
  Result<MasterAddress> addr = reply.ok() ? MasterAddressFromReply(reply.value(), name)
                                          : Result<MasterAddress>(reply.status());
  if (!addr.ok()) {
    WriteErr("Sentinel at " + Address(options_.host, options_.port) + ": " + addr.error() + "\n");
    return false;
  }
  host_ = addr.value().host;
  port_ = addr.value().port;
  state_.SetAddress(host_, port_);
  return true;
}

bool CliSession::Connect() {
  conn_.reset();
  if (options_.sentinel_master && !ResolveMaster()) return false;
  auto conn = ServerConnection::Open(host_, port_);
  if (!conn.ok()) {
    WriteErr("Could not connect to Redis at " + Address(host_, port_) + ": " + conn.error() + "\n");
    return false;
  }
  if (options_.tls.enabled) {
    Status st = conn.value()->StartTls(host_, options_.tls);
    if (!st.ok()) {
      WriteErr("Could not negotiate a TLS connection: " + st.message() + "\n");
      return false;
    }
  }
  conn_ = std::move(conn.value());
  SetUpConnection();
  return conn_ != nullptr;
}

// AUTH, SELECT and HELLO 3, in redis-cli's order; their failures are reported, not fatal.
void CliSession::SetUpConnection() {
  auto call = [this](const std::vector<std::string>& argv, const std::string& what) {
    auto reply = conn_->Call(argv);
    if (!reply.ok()) {
      Disconnect(reply.error());
      return false;
    }
    if (reply.value().is_error()) {
      WriteErr(what + " failed: " + reply.value().str + "\n");
      return false;
    }
    return true;
  };
  if (options_.password) {
    std::vector<std::string> auth = {"AUTH"};
    if (options_.user) auth.push_back(*options_.user);
    auth.push_back(*options_.password);
    call(auth, "AUTH");
    if (!conn_) return;
  }
  state_.set_db(0);
  if (options_.db != 0) {
    std::string db = std::to_string(options_.db);
    if (call({"SELECT", db}, "SELECT " + db)) state_.set_db(options_.db);
    if (!conn_) return;
  }
  if (options_.resp3 && call({"HELLO", "3"}, "HELLO 3")) state_.set_resp3(true);
}

void CliSession::Disconnect(const std::string& why) {
  WriteErr("Error: " + why + "\n");
  conn_.reset();
}

void CliSession::Print(const resp::Value& v, bool raw_text_command) {
  WriteOut(FormatReply(v, style_, raw_text_command));
}

Result<resp::Value> CliSession::ReadCommandReply() {
  while (true) {
    auto reply = conn_->Read();
    if (!reply.ok() || reply.value().type != resp::Value::Type::kPush) return reply;
    // An out-of-band RESP3 push (client tracking invalidation, ...), not the command's reply.
    if (print_pushes_) Print(reply.value(), false);
  }
}

void CliSession::StreamReplies(bool raw_text_command) {
  while (conn_) {
    auto reply = conn_->Read();
    if (!reply.ok()) {
      Disconnect(reply.error());
      return;
    }
    Print(reply.value(), raw_text_command);
  }
}

bool CliSession::Execute(const std::vector<std::string>& argv, int64_t repeat) {
  const bool raw_text = IsRawTextCommand(argv);
  while (repeat < 0 || repeat-- > 0) {
    Status sent = conn_->Send(argv);
    if (!sent.ok()) {
      Disconnect(sent.message());
      return false;
    }
    if (StartsMonitor(argv) || StartsSubscription(argv)) {
      if (StartsSubscription(argv) && style_ != ReplyStyle::kRaw) {
        WriteOut("Reading messages... (press Ctrl-C to quit)\n");
      }
      StreamReplies(raw_text);
      return false;
    }
    auto reply = ReadCommandReply();
    if (!reply.ok()) {
      Disconnect(reply.error());
      return false;
    }
    Print(reply.value(), raw_text);
    state_.OnReply(argv, reply.value());
    if (options_.interval_us > 0) usleep(static_cast<useconds_t>(options_.interval_us));
  }
  return true;
}

int CliSession::RunCommand(const std::vector<std::string>& argv) {
  return Execute(argv, options_.repeat) ? 0 : 1;
}

int CliSession::RunInteractive() {
  LineEditor editor(LineEditor::DefaultHistoryPath());
  while (auto line = editor.ReadLine(state_.Prompt(conn_ != nullptr))) {
    InputLine in = ParseInputLine(*line);
    if (in.kind == InputLine::Kind::kEmpty) continue;
    if (in.kind != InputLine::Kind::kBadRepeat && !IsSensitiveCommand(in.argv)) {
      editor.AddToHistory(*line);
    }
    switch (in.kind) {
      case InputLine::Kind::kEmpty:
        break;
      case InputLine::Kind::kInvalid:
        WriteOut("Invalid argument(s)\n");
        break;
      case InputLine::Kind::kBadRepeat:
        WriteOut("Invalid redis-cli repeat command option value.\n");
        break;
      case InputLine::Kind::kQuit:
        return 0;
      case InputLine::Kind::kClear:
        LineEditor::ClearScreen();
        break;
      case InputLine::Kind::kHelp:
        WriteOut(InteractiveHelp());
        break;
      case InputLine::Kind::kConnect:
        host_ = in.argv[1];
        port_ = std::atoi(in.argv[2].c_str());
        state_.SetAddress(host_, port_);
        options_.sentinel_master.reset();
        Connect();
        break;
      case InputLine::Kind::kCommand: {
        if (!conn_ && !Connect()) break;
        auto start = std::chrono::steady_clock::now();
        Execute(in.argv, in.repeat);
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        // Slow commands get their time printed, in the human style only (as redis-cli does).
        if (took.count() >= 0.5 && style_ == ReplyStyle::kStandard) {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "(%.2fs)\n", took.count());
          WriteOut(buf);
        }
        break;
      }
    }
  }
  return 0;
}

}  // namespace vigil::cli
