#pragma once
// One line typed at the vigil-cli prompt (or read from stdin), split and classified the way
// redis-cli's interactive loop does it. Pure.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::cli {

struct InputLine {
  enum class Kind {
    kEmpty,      // blank line: ignored, not added to history
    kInvalid,    // unbalanced quotes: "Invalid argument(s)"
    kBadRepeat,  // "0 PING", "-1 PING": "Invalid redis-cli repeat command option value."
    kQuit,       // quit / exit
    kConnect,    // connect <host> <port>
    kClear,      // clear: clear the screen
    kHelp,       // help / ?: answered locally
    kCommand,    // argv to send `repeat` times
  };
  Kind kind = Kind::kEmpty;
  int64_t repeat = 1;             // from a leading number: "3 INCR x" sends INCR three times
  std::vector<std::string> argv;  // the arguments after the repeat count
};

// Splits like Redis's sdssplitargs: blanks separate arguments; "..." understands \n \r \t \b \a
// \\ \" and \xHH; '...' understands \'. A closing quote must be followed by a blank or the end.
InputLine ParseInputLine(std::string_view line);

// True for commands whose arguments carry secrets (AUTH, ACL SETUSER, CONFIG SET requirepass,
// HELLO ... AUTH, MIGRATE ... AUTH): such lines are kept out of the history file.
bool IsSensitiveCommand(const std::vector<std::string>& argv);

}  // namespace vigil::cli
