#pragma once
// The state of the interactive line editor, without a terminal: the line being edited, the
// cursor, and the history walk. Terminal bytes are decoded into Keys by KeyDecoder; each Key is
// applied to EditBuffer, which says what the terminal shell should do next. Pure, so every
// editing rule is unit-tested without a pseudo-terminal.
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::cli {

struct Key {
  enum class Code {
    kChar,  // `ch` is inserted
    kEnter,
    kBackspace,
    kDelete,     // the character under the cursor (also Ctrl-D on a non-empty line)
    kCtrlD,      // end of input on an empty line
    kInterrupt,  // Ctrl-C
    kLeft,
    kRight,
    kUp,
    kDown,
    kHome,         // also Ctrl-A
    kEnd,          // also Ctrl-E
    kKillLine,     // Ctrl-U: delete the whole line
    kKillToEnd,    // Ctrl-K
    kClearScreen,  // Ctrl-L
    kIgnored,
  };
  Code code = Code::kIgnored;
  char ch = 0;
};

// Turns terminal input bytes into keys, understanding the VT100/xterm escape sequences for the
// arrows, Home, End and Delete. Bytes of an unfinished sequence are kept for the next call.
class KeyDecoder {
 public:
  void Feed(std::string_view bytes, std::vector<Key>* out);

 private:
  std::string pending_;
};

// A bounded, in-memory history (oldest first). Adding the same line twice in a row keeps one.
class History {
 public:
  static constexpr size_t kMaxLines = 1000;
  void Add(std::string line);
  const std::deque<std::string>& lines() const { return lines_; }

 private:
  std::deque<std::string> lines_;
};

class EditBuffer {
 public:
  enum class Outcome { kContinue, kSubmit, kEndOfInput, kInterrupt, kClearScreen };

  // Starts editing an empty line; Up walks back through `history`, which must outlive this.
  explicit EditBuffer(const History* history) : history_(history) {}

  Outcome Apply(const Key& key);
  const std::string& text() const { return text_; }
  size_t cursor() const { return cursor_; }

 private:
  void ShowHistoryEntry(size_t index);

  const History* history_;
  std::string text_;
  size_t cursor_ = 0;
  // Which history line is shown: history size means the line being typed (kept in draft_).
  std::optional<size_t> history_pos_;
  std::string draft_;
};

// The bytes that redraw a single-line prompt: carriage return, prompt, text, erase to the end
// of the line, then the cursor moved to its column.
std::string RenderLine(std::string_view prompt, const EditBuffer& buffer);

}  // namespace vigil::cli
