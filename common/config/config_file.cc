#include "common/config/config_file.h"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
      Directive d;
      d.name = w.substr(2);
      for (auto& c : d.name) c = char(std::tolower(static_cast<unsigned char>(c)));
      out.push_back(std::move(d));
      continue;
    }
    if (out.empty()) {
      return Status::Error("command line: expected an option starting with '--', got '" + w + "'");
    }
    out.back().args.push_back(w);
  }
  for (auto& d : out) {
    // `--save` with no value means `save ""`, as for redis-server.
    if (d.args.empty()) d.args.emplace_back();
  }
  return out;
}

}  // namespace vigil::config
