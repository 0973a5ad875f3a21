// The classic redis.conf / sentinel.conf syntax: one directive per line, arguments split like
// redis-cli input (quotes and escapes), '#' comments, `include` of other files.
#include <fstream>
#include <sstream>

#include "common/config/config_file.h"
#include "common/resp/request_parser.h"

namespace vigil::config {
namespace {

constexpr int kMaxIncludeDepth = 8;

Status ParseInto(const std::string& text, const std::string& file, int depth,
                 std::vector<Directive>* out) {
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  std::vector<std::string> words;
  while (std::getline(in, raw)) {
    ++line_no;
    size_t start = raw.find_first_not_of(" \t\r");
    if (start == std::string::npos || raw[start] == '#') continue;
    size_t argc = 0;
    if (!resp::SplitInlineArgs(raw, &words, &argc)) {
      return Status::Error(file + ":" + std::to_string(line_no) +
                           ": unbalanced quotes in configuration line");
    }
    if (argc == 0) continue;
    Directive d;
    d.name = words[0];
    for (auto& c : d.name) c = char(std::tolower(static_cast<unsigned char>(c)));
    d.args.assign(words.begin() + 1, words.begin() + long(argc));
    d.file = file;
    d.line = line_no;
    if (d.name == "include") {
      if (d.args.size() != 1) return Status::Error(d.Where() + ": include takes one file name");
      if (depth >= kMaxIncludeDepth)
        return Status::Error(d.Where() + ": include nested too deeply");
      std::ifstream inc(d.args[0], std::ios::binary);
      if (!inc) return Status::Error(d.Where() + ": cannot open included file '" + d.args[0] + "'");
      std::stringstream ss;
      ss << inc.rdbuf();
      Status st = ParseInto(ss.str(), d.args[0], depth + 1, out);
      if (!st.ok()) return st;
      continue;
    }
    // A directive with nothing after it (`save` alone, as Redis's own test harness writes
    // `save ""`) reads as one empty argument: Redis accepts it for multi-argument options, and
    // each option validates its value anyway.
    if (d.args.empty()) d.args.emplace_back();
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Directive>> ParseRedisConf(const std::string& text, const std::string& file) {
  std::vector<Directive> out;
  Status st = ParseInto(text, file, 0, &out);
  if (!st.ok()) return st;
  return out;
}

}  // namespace vigil::config
