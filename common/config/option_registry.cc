#include "common/config/option_registry.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/base/glob.h"
#include "common/base/repr.h"
#include "common/resp/request_parser.h"

namespace vigil::config {

// Directive lives with the file loader (config_file.h), but the registry names directives in
// its errors and is pure, so the one function it needs is defined here.
std::string Directive::Where() const {
  if (file.empty()) return "command line";
  return file + ":" + std::to_string(line);
}

std::string Directive::Shown() const {
  if (!file.empty()) return name;
  // The line redis-server builds from its command line: the values quoted.
  std::string s = name;
  for (const std::string& a : args) s += " " + Repr(a);
  return s;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ParseMemory(const std::string& in, int64_t* out) {
  std::string s = Lower(in);
  int64_t mul = 1;
  auto strip = [&](std::string_view suffix, int64_t m) {
    if (s.size() > suffix.size() &&
        s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
      s.resize(s.size() - suffix.size());
      mul = m;
      return true;
    }
    return false;
  };
  strip("gb", 1LL << 30) || strip("mb", 1LL << 20) || strip("kb", 1LL << 10) ||
      strip("g", 1000LL * 1000 * 1000) || strip("m", 1000LL * 1000) || strip("k", 1000) ||
      strip("b", 1);
  int64_t v = 0;
  if (!ParseInt64(s, &v)) return false;
  if (v < 0 && mul != 1) return false;
  if (v != 0 && std::abs(v) > INT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

bool ParseYesNo(const std::string& s, bool* out) {
  std::string l = Lower(s);
  if (l == "yes") {
    *out = true;
    return true;
  }
  if (l == "no") {
    *out = false;
    return true;
  }
  return false;
}

void OptionRegistry::AddCustom(Option option) {
  if (option.get) option.default_value = option.get();
  index_[option.name] = options_.size();
  options_.push_back(std::move(option));
}

void OptionRegistry::AddAlias(const std::string& alias, const std::string& name) {
  auto it = index_.find(name);
  if (it == index_.end()) return;
  index_[alias] = it->second;
  alias_of_[alias] = name;
}

void OptionRegistry::AddBool(const std::string& name, bool* field, bool def, uint32_t flags) {
  *field = def;
  AddCustom({name, flags,
             [field](const std::vector<std::string>& a) {
               if (a.size() != 1 || !ParseYesNo(a[0], field)) {
                 return Status::Error("argument must be 'yes' or 'no'");
               }
               return Status::Ok();
             },
             [field] { return std::string(*field ? "yes" : "no"); }, nullptr, ""});
}

void OptionRegistry::AddInt(const std::string& name, int64_t* field, int64_t min, int64_t max,
                            int64_t def, uint32_t flags) {
  *field = def;
  AddCustom({name, flags,
             [field, min, max, flags](const std::vector<std::string>& a) {
               int64_t v = 0;
               if (a.size() != 1) return Status::Error("wrong number of arguments");
               bool ok = (flags & kMemory) ? ParseMemory(a[0], &v) : ParseInt64(a[0], &v);
               // Redis reads memory values as unsigned (memtoull): a sign is a parse error.
               if ((flags & kMemory) && !a[0].empty() && a[0][0] == '-') ok = false;
               if (!ok) {
                 return Status::Error((flags & kMemory)
                                          ? "argument must be a memory value"
                                          : "argument couldn't be parsed into an integer");
               }
               if (v < min || v > max) {
                 return Status::Error("argument must be between " + std::to_string(min) + " and " +
                                      std::to_string(max) + " inclusive");
               }
               *field = v;
               return Status::Ok();
             },
             [field] { return std::to_string(*field); }, nullptr, ""});
}

void OptionRegistry::AddString(const std::string& name, std::string* field, std::string def,
                               uint32_t flags) {
  *field = std::move(def);
  AddCustom({name, flags,
             [field](const std::vector<std::string>& a) {
               if (a.size() != 1) return Status::Error("wrong number of arguments");
               *field = a[0];
               return Status::Ok();
             },
             [field] { return *field; }, nullptr, ""});
}

void OptionRegistry::AddEnum(const std::string& name, int* field, std::vector<std::string> names,
                             int def, uint32_t flags) {
  *field = def;
  AddCustom({name, flags,
             [field, names](const std::vector<std::string>& a) {
               if (a.size() == 1) {
                 std::string v = Lower(a[0]);
                 for (size_t i = 0; i < names.size(); ++i) {
                   if (names[i] == v) {
                     *field = int(i);
                     return Status::Ok();
                   }
                 }
               }
               std::string all;
               for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
               return Status::Error("argument(s) must be one of the following: " + all);
             },
             [field, names] { return names[size_t(*field)]; }, nullptr, ""});
}

const OptionRegistry::Option* OptionRegistry::Find(const std::string& name) const {
  auto it = index_.find(Lower(name));
  return it == index_.end() ? nullptr : &options_[it->second];
}

Status OptionRegistry::Apply(const Directive& d) {
  const Option* opt = Find(d.name);
  if (opt == nullptr) {
    return Status::Error(d.Where() + ": unknown directive '" + d.name + "'");
  }
  std::vector<std::string> args = d.args;
  // A multi-word directive given as one quoted word (`--save "900 1"`) is split, as Redis 7.0
  // does for its multi-arg configs.
  if ((opt->flags & kMultiArg) && args.size() == 1 && args[0].find(' ') != std::string::npos) {
    std::vector<std::string> words;
    size_t argc = 0;
    if (resp::SplitInlineArgs(args[0], &words, &argc))
      args.assign(words.begin(), words.begin() + long(argc));
  }
  if (!(opt->flags & kMultiArg) && args.size() != 1) {
    return Status::Error(d.Where() + ": '" + d.Shown() + "': wrong number of arguments");
  }
  reading_file_ = true;
  Status st = opt->set(args);
  reading_file_ = false;
  if (!st.ok()) return Status::Error(d.Where() + ": '" + d.Shown() + "': " + st.message());
  return Status::Ok();
}

Status OptionRegistry::SetFromClient(const std::string& name, const std::string& value) {
  const Option* opt = Find(name);
  if (opt == nullptr) {
    return Status::Error("ERR Unknown option or number of arguments for CONFIG SET - '" + name +
                         "'");
  }
  auto fail = [&](const std::string& why) {
    return Status::Error("ERR CONFIG SET failed (possibly related to argument '" + Lower(name) +
                         "') - " + why);
  };
  if (opt->flags & kImmutable) return fail("can't set immutable config");
  std::vector<std::string> args;
  if (opt->flags & kMultiArg) {
    size_t start = 0;
    while (start < value.size()) {
      size_t sp = value.find(' ', start);
      if (sp == std::string::npos) sp = value.size();
      if (sp > start) args.push_back(value.substr(start, sp - start));
      start = sp + 1;
    }
  } else {
    args.push_back(value);
  }
  Status st = opt->set(args);
  if (!st.ok()) return fail(st.message());
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> OptionRegistry::Get(
    const std::vector<std::string>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<bool> seen(options_.size(), false);
  for (const auto& pat : patterns) {
    std::string p = Lower(pat);
    bool has_glob = p.find_first_of("*?[") != std::string::npos;
    if (!has_glob) {
      auto it = index_.find(p);
      if (it != index_.end() && !seen[it->second]) {
        seen[it->second] = true;
        out.emplace_back(p, options_[it->second].get());
      }
      continue;
    }
    for (size_t i = 0; i < options_.size(); ++i) {
      if (options_[i].flags & kHidden) continue;
      if (!seen[i] && GlobMatch(p, options_[i].name, true)) {
        seen[i] = true;
        out.emplace_back(options_[i].name, options_[i].get());
      }
    }
    for (const auto& [alias, canonical] : alias_of_) {
      size_t i = index_.at(alias);
      if (GlobMatch(p, alias, true)) out.emplace_back(alias, options_[i].get());
    }
  }
  return out;
}

std::vector<OptionRegistry::RewriteEntry> OptionRegistry::RewriteEntries() const {
  std::vector<RewriteEntry> out;
  for (const auto& opt : options_) {
    RewriteEntry e;
    e.name = opt.name;
    for (const auto& [alias, canonical] : alias_of_) {
      if (canonical == opt.name) e.aliases.push_back(alias);
    }
    std::string v = opt.get ? opt.get() : "";
    e.is_default = v == opt.default_value;
    if (opt.rewrite) {
      e.lines = opt.rewrite();
    } else {
      e.lines.push_back({v});
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vigil::config
