#pragma once
// Reads lines for the interactive mode. On a terminal it edits in raw mode (EditBuffer: left,
// right, backspace, up/down history, Home/End, Ctrl-U/K/L) and keeps history in a file; when
// stdin is not a terminal it reads plain lines without a prompt, like linenoise does for
// redis-cli. Owns the terminal mode: raw only while a line is being edited, so command output
// is printed in the normal mode.
#include <deque>
#include <optional>
#include <string>

#include "cli/edit_buffer.h"

namespace vigil::cli {

class LineEditor {
 public:
  // `history_path` empty: history is kept in memory only.
  explicit LineEditor(std::string history_path);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // nullopt at end of input (Ctrl-D on an empty line, Ctrl-C, or EOF).
  std::optional<std::string> ReadLine(const std::string& prompt);

  // Adds a line to the history and rewrites the history file (mode 0600), as redis-cli does
  // after every accepted line.
  void AddToHistory(const std::string& line);

  bool is_terminal() const { return is_terminal_; }

  // $VIGILCLI_HISTFILE if set ("/dev/null" disables the file), else ~/.vigilcli_history.
  static std::string DefaultHistoryPath();

  // Clears the screen (the "clear" command, Ctrl-L).
  static void ClearScreen();

 private:
  std::optional<std::string> ReadPlainLine();
  std::optional<std::string> EditLine(const std::string& prompt);
  void LoadHistory();
  void SaveHistory() const;

  std::string history_path_;
  History history_;
  KeyDecoder decoder_;
  std::deque<Key> pending_keys_;
  bool is_terminal_;
};

}  // namespace vigil::cli
