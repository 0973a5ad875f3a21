#include "common/config/config_file.h"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/resp/request_parser.h"

namespace vigil::config {

Syntax SyntaxForPath(const std::string& path) {
  constexpr std::string_view kExt = ".toml";
  if (path.size() >= kExt.size() &&
      path.compare(path.size() - kExt.size(), kExt.size(), kExt) == 0) {
    return Syntax::kToml;
  }
  return Syntax::kRedisConf;
}

Result<ConfigFile> LoadConfigFile(const std::string& path) {
  ConfigFile cf;
  char resolved[PATH_MAX];
  cf.path = realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot open config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  cf.text = ss.str();
  cf.syntax = SyntaxForPath(path);
  auto parsed =
      cf.syntax == Syntax::kToml ? ParseToml(cf.text, path) : ParseRedisConf(cf.text, path);
  if (!parsed.ok()) return parsed.status();
  cf.directives = std::move(parsed).value();
  return cf;
}

Result<std::vector<Directive>> ParseCommandLine(const std::vector<std::string>& words) {
  std::vector<Directive> out;
  bool has_value = true;  // the last directive got a value: a `--word` starts the next one
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (has_value && w.size() > 2 && w.compare(0, 2, "--") == 0) {
      std::vector<std::string> parts;
      size_t n = 0;
      if (!resp::SplitInlineArgs(w.substr(2), &parts, &n) || n == 0) {
        return Status::Error("command line: '" + w.substr(2) +
                             "': Unbalanced quotes in configuration line");
      }
      Directive d;
      d.name = parts[0];
      for (auto& c : d.name) c = char(std::tolower(static_cast<unsigned char>(c)));
      d.args.assign(parts.begin() + 1, parts.begin() + long(n));
      has_value = n > 1;
      // `--save` followed by another option or nothing means `save ""` (Redis 7.0.1's rule).
      const bool next_is_option = i + 1 == words.size() || words[i + 1].rfind("--", 0) == 0;
      if (!has_value && d.name == "save" && next_is_option) {
        d.args.emplace_back();
        has_value = true;
      }
      out.push_back(std::move(d));
      continue;
    }
    if (out.empty()) {
      // Words before any `--name` form a line of their own, as redis-server appends them
      // (`loglevel verbose` works without dashes there).
      Directive d;
      d.name = w;
      for (auto& c : d.name) c = char(std::tolower(static_cast<unsigned char>(c)));
      out.push_back(std::move(d));
      has_value = false;
      continue;
    }
    out.back().args.push_back(w);
    has_value = true;
  }
  return out;
}

}  // namespace vigil::config
