#include "common/resp/request_parser.h"

#include <charconv>
#include <cstring>

namespace vigil::resp {
namespace {

// Parses a strict decimal integer (optional leading '-'), as Redis's string2ll does.
bool ParseLen(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') return false;
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  return ec == std::errc() && ptr == end;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

}  // namespace

ParseStatus RequestParser::Fail(std::string message) {
  error_ = std::move(message);
  return ParseStatus::kError;
}

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out, size_t* argc) {
  size_t n = 0;
  size_t i = 0;
  auto slot = [&]() -> std::string& {
    if (out->size() <= n) out->emplace_back();
    std::string& s = (*out)[n];
    s.clear();
    return s;
  };
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) break;
    std::string& cur = slot();
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      if (in_dq) {
        if (i >= line.size()) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          cur.push_back(char(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < line.size()) {
          ++i;
          switch (line[i]) {
            case 'n':
              cur.push_back('\n');
              break;
            case 'r':
              cur.push_back('\r');
              break;
            case 't':
              cur.push_back('\t');
              break;
            case 'b':
              cur.push_back('\b');
              break;
            case 'a':
              cur.push_back('\a');
              break;
            default:
              cur.push_back(line[i]);
              break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a space or nothing.
          if (i + 1 < line.size() && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(c);
        }
      } else if (in_sq) {
        if (i >= line.size()) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < line.size() && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(c);
        }
      } else {
        if (i >= line.size()) {
          done = true;
          break;
        }
        char c = line[i];
        if (IsSpace(c)) {
          done = true;
        } else if (c == '"') {
          in_dq = true;
        } else if (c == '\'') {
          in_sq = true;
        } else {
          cur.push_back(c);
        }
      }
      if (i < line.size()) ++i;
    }
    ++n;
  }
  *argc = n;
  return true;
}

ParseStatus RequestParser::ParseInline(std::string_view data, size_t* pos,
                                       std::vector<std::string>* argv) {
  const char* start = data.data() + *pos;
  size_t avail = data.size() - *pos;
  const void* nl = std::memchr(start, '\n', avail);
  if (nl == nullptr) {
    if (avail > kInlineMax) return Fail("Protocol error: too big inline request");
    return ParseStatus::kNeedMore;
  }
  size_t line_len = size_t(static_cast<const char*>(nl) - start);
  std::string_view line(start, line_len);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t argc = 0;
  if (!SplitInlineArgs(line, argv, &argc)) {
    return Fail("Protocol error: unbalanced quotes in request");
  }
  *pos += line_len + 1;
  argc_ = argc;
  last_inline_ = true;
  return ParseStatus::kRequest;  // argc 0 is filtered by the caller loop
}

ParseStatus RequestParser::Parse(std::string_view data, const ParserLimits& limits,
                                 size_t* consumed, std::vector<std::string>* argv) {
  size_t pos = 0;
  saw_blank_ = false;
  *consumed = 0;
  while (pos < data.size()) {
    if (remaining_ < 0) {
      // Start of a new request.
      if (data[pos] != '*') {
        ParseStatus st = ParseInline(data, &pos, argv);
        *consumed = pos;
        if (st != ParseStatus::kRequest) return st;
        if (argc_ == 0) {
          saw_blank_ = true;
          continue;
        }
        return st;
      }
      const char* start = data.data() + pos;
      const void* cr = std::memchr(start, '\r', data.size() - pos);
      if (cr == nullptr || static_cast<const char*>(cr) + 1 >= data.data() + data.size()) {
        if (data.size() - pos > kInlineMax)
          return Fail("Protocol error: too big mbulk count string");
        return ParseStatus::kNeedMore;
      }
      size_t line_len = size_t(static_cast<const char*>(cr) - start);
      if (line_len > kInlineMax) return Fail("Protocol error: too big mbulk count string");
      int64_t count = 0;
      if (!ParseLen(std::string_view(start + 1, line_len - 1), &count) || count > INT32_MAX) {
        return Fail("Protocol error: invalid multibulk length");
      }
      if (!limits.authenticated && count > kUnauthMaxArgs) {
        return Fail("Protocol error: unauthenticated multibulk length");
      }
      pos += line_len + 2;
      *consumed = pos;
      if (count <= 0) continue;  // *0 and *-1 are ignored without a reply
      remaining_ = count;
      argc_ = 0;
      last_inline_ = false;
      // Pre-size modestly: a client may announce a huge count and never send it.
      if (argv->size() < size_t(std::min<int64_t>(count, 1024))) {
        argv->resize(size_t(std::min<int64_t>(count, 1024)));
      }
    }
    while (remaining_ > 0) {
      if (bulk_len_ < 0) {
        if (pos >= data.size()) return ParseStatus::kNeedMore;
        const char* start = data.data() + pos;
        const void* cr = std::memchr(start, '\r', data.size() - pos);
        if (cr == nullptr || static_cast<const char*>(cr) + 1 >= data.data() + data.size()) {
          if (data.size() - pos > kInlineMax)
            return Fail("Protocol error: too big bulk count string");
          return ParseStatus::kNeedMore;
        }
        size_t line_len = size_t(static_cast<const char*>(cr) - start);
        if (line_len > kInlineMax) return Fail("Protocol error: too big bulk count string");
        if (*start != '$') {
          return Fail(std::string("Protocol error: expected '$', got '") + *start + "'");
        }
        int64_t len = 0;
        if (!ParseLen(std::string_view(start + 1, line_len - 1), &len) || len < 0 ||
            (!limits.is_master && len > limits.max_bulk_len)) {
          return Fail("Protocol error: invalid bulk length");
        }
        if (!limits.authenticated && len > kUnauthMaxBulk) {
          return Fail("Protocol error: unauthenticated bulk length");
        }
        bulk_len_ = len;
        pos += line_len + 2;
        *consumed = pos;
      }
      if (data.size() - pos < size_t(bulk_len_) + 2) return ParseStatus::kNeedMore;
      if (argv->size() <= argc_) argv->emplace_back();
      (*argv)[argc_].assign(data.data() + pos, size_t(bulk_len_));
      ++argc_;
      pos += size_t(bulk_len_) + 2;
      *consumed = pos;
      bulk_len_ = -1;
      --remaining_;
    }
    remaining_ = -1;
    return ParseStatus::kRequest;
  }
  return ParseStatus::kNeedMore;
}

}  // namespace vigil::resp
