#include "common/config/config_rewrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "common/resp/request_parser.h"

namespace vigil::config {
namespace {

bool IsIntegerText(const std::string& s) {
  int64_t v = 0;
  return ParseInt64(s, &v);
}

std::string TomlScalar(const std::string& s) {
  if (s == "yes") return "true";
  if (s == "no") return "false";
  if (IsIntegerText(s)) return s;
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(char(c));
    }
  }
  return out + "\"";
}

std::string RenderLines(const std::string& name, const std::vector<std::vector<std::string>>& lines,
                        Syntax syntax) {
  std::string out;
  if (syntax == Syntax::kRedisConf) {
    for (const auto& args : lines) {
      out += name;
      for (const auto& a : args) out += " " + QuoteConfArg(a);
      out += "\n";
    }
    return out;
  }
  auto array = [](const std::vector<std::string>& args) {
    std::string s = "[";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + TomlScalar(args[i]);
    return s + "]";
  };
  if (lines.size() == 1 && lines[0].size() == 1)
    return name + " = " + TomlScalar(lines[0][0]) + "\n";
  if (lines.size() == 1) return name + " = " + array(lines[0]) + "\n";
  std::string s = name + " = [";
  for (size_t i = 0; i < lines.size(); ++i) s += (i ? ", " : "") + array(lines[i]);
  return s + "]\n";
}

// The directive a line sets, or "" for comments, blanks, table headers and foreign lines.
std::string LineDirective(const std::string& line, Syntax syntax, bool* in_table) {
  size_t start = line.find_first_not_of(" \t\r");
  if (start == std::string::npos || line[start] == '#') return "";
  if (syntax == Syntax::kToml) {
    if (line[start] == '[') {
      *in_table = true;
      return "";
    }
    if (*in_table) return "";
    size_t eq = line.find('=', start);
    if (eq == std::string::npos) return "";
    std::string key = line.substr(start, eq - start);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
      key = key.substr(1, key.size() - 2);
    return Lower(key);
  }
  size_t end = line.find_first_of(" \t\r", start);
  return Lower(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

}  // namespace

std::string QuoteConfArg(const std::string& arg) {
  bool needs = arg.empty();
  for (unsigned char c : arg) {
    if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c >= 0x7f) needs = true;
  }
  if (!needs) return arg;
  std::string out = "\"";
  for (unsigned char c : arg) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c < ' ' || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(char(c));
        }
    }
  }
  return out + "\"";
}

std::string RewriteConfigText(const std::string& original, Syntax syntax,
                              const std::vector<OptionRegistry::RewriteEntry>& entries) {
  std::map<std::string, const OptionRegistry::RewriteEntry*> by_name;
  for (const auto& e : entries) by_name[e.name] = &e;

  std::vector<std::string> lines;
  {
    std::istringstream in(original);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  std::set<std::string> written;
  std::string out;
  std::string toml_tables;  // TOML: keys must precede the first table, so tables go last
  bool in_table = false;
  size_t first_table_line = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string name = LineDirective(lines[i], syntax, &in_table);
    if (syntax == Syntax::kToml && in_table && first_table_line == lines.size())
      first_table_line = i;
    auto it = name.empty() ? by_name.end() : by_name.find(name);
    std::string* sink = (syntax == Syntax::kToml && i >= first_table_line) ? &toml_tables : &out;
    if (it == by_name.end()) {
      *sink += lines[i] + "\n";
      continue;
    }
    if (written.count(name)) continue;  // surplus old lines for a directive already written
    written.insert(name);
    *sink += RenderLines(name, it->second->lines, syntax);
  }
  std::string appended;
  for (const auto& e : entries) {
    if (written.count(e.name) || e.is_default || e.lines.empty()) continue;
    appended += RenderLines(e.name, e.lines, syntax);
  }
  if (!appended.empty()) {
    if (!out.empty() && out.back() != '\n') out += "\n";
    out += "# Generated by CONFIG REWRITE\n" + appended;
  }
  return out + toml_tables;
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string dir = ".";
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error("cannot create '" + tmp + "': " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Error("cannot write '" + tmp + "': " + err);
    }
    off += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::Error("cannot sync '" + tmp + "': " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::Error("cannot rename '" + tmp + "' to '" + path + "': " + err);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace vigil::config
