#include "datanode/scripting/script_flags.h"

#include <cctype>

namespace vigil::datanode {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

uint32_t ScriptFlagByName(std::string_view name) {
  if (name == "no-writes") return kScriptNoWrites;
  if (name == "allow-oom") return kScriptAllowOom;
  if (name == "allow-stale") return kScriptAllowStale;
  if (name == "no-cluster") return kScriptNoCluster;
  if (name == "allow-cross-slot-keys") return kScriptAllowCrossSlot;
  return 0;
}

bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= n) return true;
    std::string word;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          word.push_back(char(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 4;
        } else if (line[i] == '\\' && i + 1 < n) {
          char c = line[i + 1];
          switch (c) {
            case 'n':
              c = '\n';
              break;
            case 'r':
              c = '\r';
              break;
            case 't':
              c = '\t';
              break;
            case 'b':
              c = '\b';
              break;
            case 'a':
              c = '\a';
              break;
            default:
              break;
          }
          word.push_back(c);
          i += 2;
        } else if (line[i] == '"') {
          // A closing quote must end the word.
          if (i + 1 < n && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          done = true;
          ++i;
        } else {
          word.push_back(line[i++]);
        }
      } else if (in_single) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          word.push_back('\'');
          i += 2;
        } else if (line[i] == '\'') {
          if (i + 1 < n && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          done = true;
          ++i;
        } else {
          word.push_back(line[i++]);
        }
      } else if (i >= n || std::isspace(static_cast<unsigned char>(line[i]))) {
        done = true;
      } else if (line[i] == '"') {
        in_double = true;
        ++i;
      } else if (line[i] == '\'') {
        in_single = true;
        ++i;
      } else {
        word.push_back(line[i++]);
      }
    }
    out->push_back(std::move(word));
  }
}

bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* err) {
  *shebang_len = 0;
  *flags = kScriptEvalCompat;
  if (body.substr(0, 2) != "#!") return true;
  const size_t eol = body.find('\n');
  if (eol == std::string_view::npos) {
    *err = "Invalid script shebang";
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(body.substr(0, eol), &parts) || parts.empty()) {
    *err = "Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *err = "Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  uint32_t f = 0;
  for (size_t j = 1; j < parts.size(); ++j) {
    std::string_view part = parts[j];
    if (part.substr(0, 6) != "flags=") {
      *err = "Unknown lua shebang option: " + parts[j];
      return false;
    }
    std::string_view list = part.substr(6);
    // Redis splits on ',' and an empty list has no flags at all (but "a,,b" has an empty one).
    size_t start = 0;
    while (!list.empty() && start <= list.size()) {
      size_t comma = list.find(',', start);
      std::string_view name = list.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      const uint32_t bit = ScriptFlagByName(name);
      if (bit == 0) {
        *err = "Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      f |= bit;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  *flags = f;
  *shebang_len = eol;
  return true;
}

}  // namespace vigil::datanode
