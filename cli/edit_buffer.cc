#include "cli/edit_buffer.h"

namespace vigil::cli {
namespace {

constexpr char kEsc = 27;

Key Code(Key::Code code) {
  return Key{code, 0};
}

// Decodes the sequence at the front of `s` (which starts with ESC). Returns the number of bytes
// it takes, or 0 when more bytes are needed.
size_t DecodeEscape(std::string_view s, Key* key) {
  if (s.size() < 2) return 0;
  if (s[1] != '[' && s[1] != 'O') {
    *key = Code(Key::Code::kIgnored);
    return 1;
  }
  if (s.size() < 3) return 0;
  char c = s[2];
  if (c >= '0' && c <= '9') {  // ESC [ n ~
    if (s.size() < 4) return 0;
    if (s[3] != '~') {
      *key = Code(Key::Code::kIgnored);
      return 3;
    }
    switch (c) {
      case '1':
      case '7':
        *key = Code(Key::Code::kHome);
        break;
      case '4':
      case '8':
        *key = Code(Key::Code::kEnd);
        break;
      case '3':
        *key = Code(Key::Code::kDelete);
        break;
      default:
        *key = Code(Key::Code::kIgnored);
    }
    return 4;
  }
  switch (c) {
    case 'A':
      *key = Code(Key::Code::kUp);
      break;
    case 'B':
      *key = Code(Key::Code::kDown);
      break;
    case 'C':
      *key = Code(Key::Code::kRight);
      break;
    case 'D':
      *key = Code(Key::Code::kLeft);
      break;
    case 'H':
      *key = Code(Key::Code::kHome);
      break;
    case 'F':
      *key = Code(Key::Code::kEnd);
      break;
    default:
      *key = Code(Key::Code::kIgnored);
  }
  return 3;
}

Key ControlKey(char c) {
  switch (c) {
    case '\r':
    case '\n':
      return Code(Key::Code::kEnter);
    case 127:
    case 8:  // Ctrl-H
      return Code(Key::Code::kBackspace);
    case 3:
      return Code(Key::Code::kInterrupt);
    case 4:
      return Code(Key::Code::kCtrlD);
    case 1:
      return Code(Key::Code::kHome);
    case 5:
      return Code(Key::Code::kEnd);
    case 2:
      return Code(Key::Code::kLeft);
    case 6:
      return Code(Key::Code::kRight);
    case 16:
      return Code(Key::Code::kUp);
    case 14:
      return Code(Key::Code::kDown);
    case 21:
      return Code(Key::Code::kKillLine);
    case 11:
      return Code(Key::Code::kKillToEnd);
    case 12:
      return Code(Key::Code::kClearScreen);
    default:
      return Code(Key::Code::kIgnored);
  }
}

}  // namespace

void KeyDecoder::Feed(std::string_view bytes, std::vector<Key>* out) {
  pending_.append(bytes);
  size_t i = 0;
  while (i < pending_.size()) {
    char c = pending_[i];
    if (c == kEsc) {
      Key key;
      size_t used = DecodeEscape(std::string_view(pending_).substr(i), &key);
      if (used == 0) break;
      out->push_back(key);
      i += used;
    } else if (static_cast<unsigned char>(c) < 32 || c == 127) {
      out->push_back(ControlKey(c));
      ++i;
    } else {
      out->push_back(Key{Key::Code::kChar, c});
      ++i;
    }
  }
  pending_.erase(0, i);
}

void History::Add(std::string line) {
  if (!lines_.empty() && lines_.back() == line) return;
  lines_.push_back(std::move(line));
  while (lines_.size() > kMaxLines) lines_.pop_front();
}

void EditBuffer::ShowHistoryEntry(size_t index) {
  const auto& lines = history_->lines();
  text_ = index < lines.size() ? lines[index] : draft_;
  cursor_ = text_.size();
  history_pos_ = index;
}

EditBuffer::Outcome EditBuffer::Apply(const Key& key) {
  const size_t count = history_->lines().size();
  switch (key.code) {
    case Key::Code::kChar:
      text_.insert(cursor_, 1, key.ch);
      ++cursor_;
      break;
    case Key::Code::kEnter:
      return Outcome::kSubmit;
    case Key::Code::kBackspace:
      if (cursor_ > 0) text_.erase(--cursor_, 1);
      break;
    case Key::Code::kCtrlD:
      if (text_.empty()) return Outcome::kEndOfInput;
      [[fallthrough]];
    case Key::Code::kDelete:
      if (cursor_ < text_.size()) text_.erase(cursor_, 1);
      break;
    case Key::Code::kInterrupt:
      return Outcome::kInterrupt;
    case Key::Code::kLeft:
      if (cursor_ > 0) --cursor_;
      break;
    case Key::Code::kRight:
      if (cursor_ < text_.size()) ++cursor_;
      break;
    case Key::Code::kUp: {
      size_t pos = history_pos_.value_or(count);
      if (pos == 0) break;
      if (pos == count) draft_ = text_;  // keep what was typed, for Down to bring back
      ShowHistoryEntry(pos - 1);
      break;
    }
    case Key::Code::kDown: {
      size_t pos = history_pos_.value_or(count);
      if (pos >= count) break;
      ShowHistoryEntry(pos + 1);
      break;
    }
    case Key::Code::kHome:
      cursor_ = 0;
      break;
    case Key::Code::kEnd:
      cursor_ = text_.size();
      break;
    case Key::Code::kKillLine:
      text_.clear();
      cursor_ = 0;
      break;
    case Key::Code::kKillToEnd:
      text_.erase(cursor_);
      break;
    case Key::Code::kClearScreen:
      return Outcome::kClearScreen;
    case Key::Code::kIgnored:
      break;
  }
  return Outcome::kContinue;
}

std::string RenderLine(std::string_view prompt, const EditBuffer& buffer) {
  std::string out = "\r";
  out.append(prompt);
  out.append(buffer.text());
  out.append("\x1b[0K\r");
  size_t column = prompt.size() + buffer.cursor();
  if (column > 0) out.append("\x1b[" + std::to_string(column) + "C");
  return out;
}

}  // namespace vigil::cli
