#include "cli/line_editor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <vector>

namespace vigil::cli {
namespace {

void WriteAll(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += size_t(n);
  }
}

// Raw mode for the duration of one line: no echo, no line buffering, no signals from Ctrl-C
// (it ends the line editor instead), output post-processing kept so "\n" still moves to the
// start of the next line.
class RawMode {
 public:
  RawMode() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_cflag |= CS8;
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
  }
  ~RawMode() {
    if (active_) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
  }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

LineEditor::LineEditor(std::string history_path)
    : history_path_(std::move(history_path)), is_terminal_(isatty(STDIN_FILENO) != 0) {
  // As in redis-cli, history is only used when a person is typing.
  if (!is_terminal_) history_path_.clear();
  LoadHistory();
}

LineEditor::~LineEditor() = default;

std::string LineEditor::DefaultHistoryPath() {
  const char* env = std::getenv("VIGILCLI_HISTFILE");
  if (env != nullptr && *env != '\0') {
    return std::string(env) == "/dev/null" ? "" : env;
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return "";
  return std::string(home) + "/.vigilcli_history";
}

void LineEditor::ClearScreen() {
  WriteAll("\x1b[H\x1b[2J");
}

void LineEditor::LoadHistory() {
  if (history_path_.empty()) return;
  std::ifstream in(history_path_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    history_.Add(line);
  }
}

void LineEditor::SaveHistory() const {
  if (history_path_.empty()) return;
  int fd = ::open(history_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;  // an unwritable history file is not worth failing a command over
  std::string data;
  for (const auto& l : history_.lines()) data.append(l).push_back('\n');
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  ::close(fd);
}

void LineEditor::AddToHistory(const std::string& line) {
  if (!is_terminal_) return;
  history_.Add(line);
  SaveHistory();
}

std::optional<std::string> LineEditor::ReadLine(const std::string& prompt) {
  return is_terminal_ ? EditLine(prompt) : ReadPlainLine();
}

std::optional<std::string> LineEditor::ReadPlainLine() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> LineEditor::EditLine(const std::string& prompt) {
  RawMode raw;
  EditBuffer buffer(&history_);
  WriteAll(prompt);
  char bytes[256];
  while (true) {
    // Keys typed ahead (a pasted block of lines) are kept for the following lines.
    while (!pending_keys_.empty()) {
      Key key = pending_keys_.front();
      pending_keys_.pop_front();
      switch (buffer.Apply(key)) {
        case EditBuffer::Outcome::kContinue:
          WriteAll(RenderLine(prompt, buffer));
          break;
        case EditBuffer::Outcome::kSubmit:
          WriteAll("\n");
          return buffer.text();
        case EditBuffer::Outcome::kEndOfInput:
        case EditBuffer::Outcome::kInterrupt:
          WriteAll("\n");
          return std::nullopt;
        case EditBuffer::Outcome::kClearScreen:
          ClearScreen();
          WriteAll(RenderLine(prompt, buffer));
          break;
      }
    }
    ssize_t n = ::read(STDIN_FILENO, bytes, sizeof(bytes));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    std::vector<Key> keys;
    decoder_.Feed(std::string_view(bytes, size_t(n)), &keys);
    pending_keys_.insert(pending_keys_.end(), keys.begin(), keys.end());
  }
}

}  // namespace vigil::cli
