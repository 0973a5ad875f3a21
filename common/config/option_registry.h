#pragma once
// A table of typed options shared by the config file loader, `--name value` overrides,
// CONFIG GET, CONFIG SET and CONFIG REWRITE, so one vocabulary (Redis's directive names) means
// the same thing everywhere. Each option binds a field of the program's config struct.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/base/decimal.h"
#include "common/base/status.h"
#include "common/config/config_file.h"

namespace vigil::config {

class OptionRegistry {
 public:
  enum Flags : uint32_t {
    kNone = 0,
    kImmutable = 1,     // only from the file or command line
    kMemory = 2,        // integer accepting 1k/1kb/1m/1mb/1g/1gb suffixes
    kMultiArg = 4,      // file line takes several words; CONFIG SET splits its one argument
    kSensitive = 8,     // never echoed in errors
    kHidden = 16,       // CONFIG GET shows it only when named exactly (Redis's test knobs)
    kProtected = 32,    // CONFIG SET only as enable-protected-configs allows (dir, dbfilename)
    kDenyLoading = 64,  // CONFIG SET refused with -LOADING while the dataset loads
  };

  struct Option {
    std::string name;
    uint32_t flags = kNone;
    // Applies arguments (already split). Returns an error sentence without location.
    std::function<Status(const std::vector<std::string>&)> set;
    // The CONFIG GET value.
    std::function<std::string()> get;
    // Lines written by CONFIG REWRITE (each a vector of args); empty to write none. Defaults to
    // one line holding get()'s value.
    std::function<std::vector<std::vector<std::string>>()> rewrite;
    std::string default_value;  // get() right after registration, to skip defaults on rewrite
  };

  void AddBool(const std::string& name, bool* field, bool def, uint32_t flags = kNone);
  void AddInt(const std::string& name, int64_t* field, int64_t min, int64_t max, int64_t def,
              uint32_t flags = kNone);
  void AddString(const std::string& name, std::string* field, std::string def,
                 uint32_t flags = kNone);
  void AddEnum(const std::string& name, int* field, std::vector<std::string> names, int def,
               uint32_t flags = kNone);
  // Registers a fully custom option; `get` is called once to record its default.
  void AddCustom(Option option);
  void AddAlias(const std::string& alias, const std::string& name);

  const Option* Find(const std::string& name) const;
  // True while Apply() runs: options that accumulate over several file lines (save) use it.
  bool reading_file() const { return reading_file_; }

  // Applies a directive from a file or the command line. Errors carry the directive's location.
  Status Apply(const Directive& d);
  // CONFIG SET semantics: Redis's exact error texts, no location.
  Status SetFromClient(const std::string& name, const std::string& value);
  // CONFIG GET: (name, value) for each option whose name or alias matches any pattern, in
  // registration order, each once.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string>& patterns) const;
  // For CONFIG REWRITE: every option in registration order with its lines; `is_default` tells
  // whether the current value equals the default.
  struct RewriteEntry {
    std::string name;
    std::vector<std::vector<std::string>> lines;
    bool is_default = false;
    // Old names of the same option (hash-max-ziplist-entries): their lines are this option's.
    std::vector<std::string> aliases;
  };
  std::vector<RewriteEntry> RewriteEntries() const;

 private:
  bool reading_file_ = false;
  std::vector<Option> options_;
  std::map<std::string, size_t> index_;          // name and aliases → options_ position
  std::map<std::string, std::string> alias_of_;  // alias → canonical name
};

// Parses "100", "1k", "1kb", "5mb", "2gb" the way Redis's memtoull does. Returns false on junk.
bool ParseMemory(const std::string& s, int64_t* out);
using vigil::ParseInt64;
// "yes"/"no" (case-insensitive).
bool ParseYesNo(const std::string& s, bool* out);
std::string Lower(std::string s);

}  // namespace vigil::config
