#pragma once
// One loader, two syntaxes: a config file is read into an ordered list of directives, whether it
// is a classic redis.conf / sentinel.conf (`name arg arg`) or TOML (`name = value`, keys named
// after the Redis directives). Command-line `--name value` overrides become directives too, so
// the programs apply one list through one option registry (config_registry.h).
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vigil::config {

enum class Syntax { kRedisConf, kToml };

struct Directive {
  std::string name;               // lowercase; TOML tables flatten to dotted names ("a.b.key")
  std::vector<std::string> args;  // at least one for a valid directive
  std::string file;               // where it came from, for error messages ("" = command line)
  int line = 0;

  // "file:line" or "command line", for errors.
  std::string Where() const;
  // The directive as errors show it: its name, or on the command line the line redis-server
  // would build (`port "6379" "6380"`), so a wrong split is visible.
  std::string Shown() const;
};

struct ConfigFile {
  std::string path;  // absolute path, "" when no file was given
  Syntax syntax = Syntax::kRedisConf;
  std::string text;  // the original bytes, kept for CONFIG REWRITE
  std::vector<Directive> directives;
};

// `.toml` files use TOML; anything else the redis.conf syntax.
Syntax SyntaxForPath(const std::string& path);

// Reads and parses a config file. Errors name the file and line: "path:12: <reason>".
Result<ConfigFile> LoadConfigFile(const std::string& path);

// Parses text in the given syntax (for tests, and for LoadConfigFile).
Result<std::vector<Directive>> ParseRedisConf(const std::string& text, const std::string& file);
Result<std::vector<Directive>> ParseToml(const std::string& text, const std::string& file);

// Turns `--port 7000 --save "" --replicaof host port` into directives the way redis-server 7.0
// reads its command line: `--name` starts a directive and the words after it are its values; a
// word holding a name and values (`"--maxmemory 700mb"`) is split as a config line would be; a
// word starting with `--` right after a name with no value yet is that value
// (`--proc-title-template --my--title`); a `--save` with no value means `save ""`.
Result<std::vector<Directive>> ParseCommandLine(const std::vector<std::string>& words);

}  // namespace vigil::config
