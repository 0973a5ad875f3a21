#include "cli/input_line.h"

#include <cerrno>
#include <cstdlib>

#include "common/resp/request_parser.h"

#include "common/base/ascii_case.h"

namespace vigil::cli {
namespace {

// A leading all-digits argument (strtol-style, as redis-cli does) followed by more arguments
// is a repeat count.
bool LeadingRepeat(const std::vector<std::string>& argv, int64_t* repeat, bool* valid) {
  if (argv.size() < 2 || argv[0].empty()) return false;
  const std::string& first = argv[0];
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(first.c_str(), &end, 10);
  if (*end != '\0') return false;
  *valid = errno == 0 && n > 0;
  *repeat = n;
  return true;
}

}  // namespace

InputLine ParseInputLine(std::string_view line) {
  InputLine in;
  size_t argc = 0;
  std::vector<std::string> argv;
  if (!resp::SplitInlineArgs(line, &argv, &argc)) {
    in.kind = InputLine::Kind::kInvalid;
    return in;
  }
  argv.resize(argc);
  if (argv.empty()) return in;
  bool valid = true;
  if (LeadingRepeat(argv, &in.repeat, &valid)) {
    if (!valid) {
      in.kind = InputLine::Kind::kBadRepeat;
      return in;
    }
    argv.erase(argv.begin());
  }
  in.argv = std::move(argv);
  const std::string& cmd = in.argv[0];
  if (EqualsIgnoreCase(cmd, "quit") || EqualsIgnoreCase(cmd, "exit")) {
    in.kind = InputLine::Kind::kQuit;
  } else if (EqualsIgnoreCase(cmd, "connect") && in.argv.size() == 3) {
    in.kind = InputLine::Kind::kConnect;
  } else if (EqualsIgnoreCase(cmd, "clear") && in.argv.size() == 1) {
    in.kind = InputLine::Kind::kClear;
  } else if (EqualsIgnoreCase(cmd, "help") || cmd == "?") {
    in.kind = InputLine::Kind::kHelp;
  } else {
    in.kind = InputLine::Kind::kCommand;
  }
  return in;
}

bool IsSensitiveCommand(const std::vector<std::string>& argv) {
  const size_t argc = argv.size();
  if (argc == 0) return false;
  if (EqualsIgnoreCase(argv[0], "auth")) return true;
  if (argc > 1 && EqualsIgnoreCase(argv[0], "acl") && EqualsIgnoreCase(argv[1], "setuser"))
    return true;
  if (argc > 2 && EqualsIgnoreCase(argv[0], "config") && EqualsIgnoreCase(argv[1], "set")) {
    return EqualsIgnoreCase(argv[2], "masterauth") || EqualsIgnoreCase(argv[2], "masteruser") ||
           EqualsIgnoreCase(argv[2], "requirepass");
  }
  if (argc > 4 && EqualsIgnoreCase(argv[0], "hello")) {
    for (size_t j = 2; j < argc; ++j) {
      size_t more = argc - 1 - j;
      if (EqualsIgnoreCase(argv[j], "auth") && more >= 2) return true;
      if (EqualsIgnoreCase(argv[j], "setname") && more >= 1) {
        ++j;
      } else {
        return false;
      }
    }
    return false;
  }
  if (argc > 7 && EqualsIgnoreCase(argv[0], "migrate")) {
    for (size_t j = 6; j < argc; ++j) {
      size_t more = argc - 1 - j;
      if (EqualsIgnoreCase(argv[j], "auth") && more >= 1) return true;
      if (EqualsIgnoreCase(argv[j], "auth2") && more >= 2) return true;
      if (EqualsIgnoreCase(argv[j], "keys") && more >= 1) return false;
    }
  }
  return false;
}

}  // namespace vigil::cli
