#include "datanode/acl/acl_key_specs.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/base/ascii_case.h"

namespace vigil::datanode {
namespace {

const resp::Value* MapGet(const resp::Value& map, std::string_view key) {
  if (map.type != resp::Value::Type::kMap) return nullptr;
  for (size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    if (map.elements[i].str == key) return &map.elements[i + 1];
  }
  return nullptr;
}

int MapInt(const resp::Value* map, std::string_view key) {
  const resp::Value* v = map ? MapGet(*map, key) : nullptr;
  return v ? int(v->integer) : 0;
}

uint32_t FlagByName(std::string_view name) {
  static const std::pair<const char*, uint32_t> kNames[] = {{"RO", kKeyRO},
                                                            {"RW", kKeyRW},
                                                            {"OW", kKeyOW},
                                                            {"RM", kKeyRM},
                                                            {"access", kKeyAccess},
                                                            {"update", kKeyUpdate},
                                                            {"insert", kKeyInsert},
                                                            {"delete", kKeyDelete},
                                                            {"not_key", kKeyNotKey},
                                                            {"incomplete", kKeyIncomplete},
                                                            {"variable_flags", kKeyVariableFlags}};
  for (const auto& [n, bit] : kNames) {
    if (name == n) return bit;
  }
  return 0;
}

// Redis's string2ll: the whole argument, no spaces, no leading '+'.
bool StrictInt(std::string_view s, long long* out) {
  if (s.empty() || s[0] == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// getKeysUsingKeySpecs: false when a spec cannot be applied (the caller falls back).
bool KeysFromSpecs(const CommandKeys& cmd, std::span<const std::string> args,
                   std::vector<KeyRef>* out) {
  const int argc = int(args.size());
  for (const KeySpec& spec : cmd.specs) {
    if (spec.flags & kKeyNotKey) continue;
    int first = 0;
    if (spec.begin == KeySpec::Begin::kIndex) {
      first = spec.index;
    } else if (spec.begin == KeySpec::Begin::kKeyword) {
      const int start = spec.startfrom > 0 ? spec.startfrom : argc + spec.startfrom;
      const int end = spec.startfrom > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqualsIgnoreCase(args[size_t(i)], spec.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;  // keyword absent: this spec finds nothing
    } else {
      return false;
    }
    int last = 0, step = 1;
    if (spec.find == KeySpec::Find::kRange) {
      step = spec.keystep;
      if (spec.lastkey >= 0) {
        last = first + spec.lastkey;
      } else if (spec.limit == 0) {
        last = argc + spec.lastkey;
      } else {
        last = first + ((argc - first) / spec.limit + spec.lastkey);
      }
    } else if (spec.find == KeySpec::Find::kKeynum) {
      step = spec.keystep;
      long long numkeys = 0;
      const int at = first + spec.keynumidx;
      if (spec.keynumidx >= argc || at >= argc || !StrictInt(args[size_t(at)], &numkeys) ||
          numkeys < 0) {
        return false;
      }
      first += spec.firstkey;
      last = first + int(numkeys) - 1;
    } else {
      return false;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += std::max(step, 1)) {
      if (i >= argc || i < first) continue;
      out->push_back({i, spec.flags});
    }
    if (spec.flags & kKeyIncomplete) return false;
  }
  return true;
}

void NativeKeys(const CommandKeys& cmd, std::span<const std::string> args,
                std::vector<KeyRef>* out) {
  const int argc = int(args.size());
  auto is = [&](int i, std::string_view word) {
    return i < argc && EqualsIgnoreCase(args[size_t(i)], word);
  };
  switch (cmd.finder) {
    case KeyFinder::kNone:
      return;
    case KeyFinder::kSet: {
      for (int i = 3; i < argc; ++i) {
        if (is(i, "get")) {
          out->push_back({1, kKeyRW | kKeyAccess | kKeyUpdate});
          return;
        }
      }
      out->push_back({1, kKeyOW | kKeyUpdate});
      return;
    }
    case KeyFinder::kBitfield: {
      bool readonly = true;
      for (int i = 2; i < argc; ++i) {
        const int remaining = argc - i - 1;
        if (is(i, "get") && remaining >= 2) {
          i += 2;
        } else if ((is(i, "set") || is(i, "incrby")) && remaining >= 3) {
          readonly = false;
          break;
        } else if (is(i, "overflow") && remaining >= 1) {
          i += 1;
        } else {
          readonly = false;  // a syntax error: assume it writes
          break;
        }
      }
      out->push_back({1, readonly ? kKeyRO | kKeyAccess : kKeyRW | kKeyAccess | kKeyUpdate});
      return;
    }
    case KeyFinder::kSortRo:
      out->push_back({1, kKeyRO | kKeyAccess});
      return;
    case KeyFinder::kSort: {
      out->push_back({1, kKeyRO | kKeyAccess});
      int store = 0;
      for (int i = 2; i < argc; ++i) {
        if (is(i, "limit")) {
          i += 2;
        } else if (is(i, "store") && i + 1 < argc) {
          store = i + 1;  // the last STORE wins, as in SORT
        } else if (is(i, "get") || is(i, "by")) {
          i += 1;
        }
      }
      if (store > 0) out->push_back({store, kKeyOW | kKeyUpdate});
      return;
    }
    case KeyFinder::kMigrate: {
      int first = 3, num = 1;
      for (int i = 6; argc > 6 && i < argc; ++i) {
        if (is(i, "keys")) {
          if (!args[3].empty()) {
            num = 0;  // a syntax error MIGRATE itself reports
          } else {
            first = i + 1;
            num = argc - first;
          }
          break;
        }
        if (is(i, "auth")) {
          i += 1;
        } else if (is(i, "auth2")) {
          i += 2;
        }
      }
      for (int i = 0; i < num; ++i) out->push_back({first + i, kKeyRW | kKeyAccess | kKeyDelete});
      return;
    }
    case KeyFinder::kGeoradius: {
      int stored = -1;
      for (int i = 5; i < argc; ++i) {
        if ((is(i, "store") || is(i, "storedist")) && i + 1 < argc) {
          stored = i + 1;
          ++i;
        }
      }
      out->push_back({1, 0});
      if (stored > 0) out->push_back({stored, 0});
      return;
    }
    case KeyFinder::kXread: {
      int streams = -1;
      for (int i = 1; i < argc; ++i) {
        if (is(i, "block") || is(i, "count")) {
          ++i;
        } else if (is(i, "group")) {
          i += 2;
        } else if (is(i, "noack")) {
        } else if (is(i, "streams")) {
          streams = i;
          break;
        } else {
          break;
        }
      }
      const int num = streams < 0 ? 0 : argc - streams - 1;
      if (streams < 0 || num == 0 || num % 2 != 0) return;
      for (int i = streams + 1; i < argc - num / 2; ++i) out->push_back({i, 0});
      return;
    }
    case KeyFinder::kNumkeys: {
      if (cmd.numkeys_count >= argc) return;
      // Redis reads the count with atoi here: leading digits count, junk means 0.
      const int num = std::atoi(args[size_t(cmd.numkeys_count)].c_str());
      if (num < 1 || num > argc - cmd.numkeys_first) return;
      for (int i = 0; i < num; ++i) out->push_back({cmd.numkeys_first + i, 0});
      if (cmd.numkeys_store > 0) out->push_back({cmd.numkeys_store, 0});
      return;
    }
  }
}

}  // namespace

bool CommandKeys::has_keys() const {
  if (finder != KeyFinder::kNone) return true;
  for (const auto& s : specs) {
    if (!(s.flags & kKeyNotKey)) return true;
  }
  return false;
}

std::vector<KeySpec> ParseKeySpecs(const resp::Value& specs) {
  std::vector<KeySpec> out;
  for (const resp::Value& m : specs.elements) {
    KeySpec spec;
    if (const resp::Value* flags = MapGet(m, "flags")) {
      for (const auto& f : flags->elements) spec.flags |= FlagByName(f.str);
    }
    if (const resp::Value* bs = MapGet(m, "begin_search")) {
      const resp::Value* type = MapGet(*bs, "type");
      const resp::Value* detail = MapGet(*bs, "spec");
      if (type && type->str == "index") {
        spec.begin = KeySpec::Begin::kIndex;
        spec.index = MapInt(detail, "index");
      } else if (type && type->str == "keyword") {
        spec.begin = KeySpec::Begin::kKeyword;
        const resp::Value* kw = detail ? MapGet(*detail, "keyword") : nullptr;
        spec.keyword = kw ? kw->str : "";
        spec.startfrom = MapInt(detail, "startfrom");
      }
    }
    if (const resp::Value* fk = MapGet(m, "find_keys")) {
      const resp::Value* type = MapGet(*fk, "type");
      const resp::Value* detail = MapGet(*fk, "spec");
      if (type && type->str == "range") {
        spec.find = KeySpec::Find::kRange;
        spec.lastkey = MapInt(detail, "lastkey");
        spec.keystep = MapInt(detail, "keystep");
        spec.limit = MapInt(detail, "limit");
      } else if (type && type->str == "keynum") {
        spec.find = KeySpec::Find::kKeynum;
        spec.keynumidx = MapInt(detail, "keynumidx");
        spec.firstkey = MapInt(detail, "firstkey");
        spec.keystep = MapInt(detail, "keystep");
      }
    }
    out.push_back(std::move(spec));
  }
  return out;
}

void AddNativeKeyFacts(std::string_view name, CommandKeys* k) {
  struct Numkeys {
    const char* name;
    int store, count, first;
  };
  static const Numkeys kNumkeys[] = {
      {"sintercard", 0, 1, 2}, {"zunionstore", 1, 2, 3}, {"zinterstore", 1, 2, 3},
      {"zdiffstore", 1, 2, 3}, {"zunion", 0, 1, 2},      {"zinter", 0, 1, 2},
      {"zdiff", 0, 1, 2},      {"zintercard", 0, 1, 2},  {"eval", 0, 2, 3},
      {"evalsha", 0, 2, 3},    {"eval_ro", 0, 2, 3},     {"evalsha_ro", 0, 2, 3},
      {"fcall", 0, 2, 3},      {"fcall_ro", 0, 2, 3},    {"lmpop", 0, 1, 2},
      {"blmpop", 0, 2, 3},     {"bzmpop", 0, 2, 3},      {"zmpop", 0, 1, 2}};
  for (const auto& n : kNumkeys) {
    if (name == n.name) {
      k->finder = KeyFinder::kNumkeys;
      k->numkeys_store = n.store;
      k->numkeys_count = n.count;
      k->numkeys_first = n.first;
    }
  }
  static const std::pair<const char*, KeyFinder> kFinders[] = {
      {"set", KeyFinder::kSet},
      {"bitfield", KeyFinder::kBitfield},
      {"sort", KeyFinder::kSort},
      {"sort_ro", KeyFinder::kSortRo},
      {"migrate", KeyFinder::kMigrate},
      {"georadius", KeyFinder::kGeoradius},
      {"georadiusbymember", KeyFinder::kGeoradius},
      {"xread", KeyFinder::kXread},
      {"xreadgroup", KeyFinder::kXread}};
  for (const auto& [n, f] : kFinders) {
    if (name == n) k->finder = f;
  }
  struct Channels {
    const char* name;
    uint32_t flags;
    int start, count;
  };
  static const Channels kChannels[] = {
      {"subscribe", kChannelSubscribe, 1, -1},
      {"ssubscribe", kChannelSubscribe, 1, -1},
      {"unsubscribe", kChannelUnsubscribe, 1, -1},
      {"sunsubscribe", kChannelUnsubscribe, 1, -1},
      {"psubscribe", kChannelPattern | kChannelSubscribe, 1, -1},
      {"punsubscribe", kChannelPattern | kChannelUnsubscribe, 1, -1},
      {"publish", kChannelPublish, 1, 1},
      {"spublish", kChannelPublish, 1, 1}};
  for (const auto& c : kChannels) {
    if (name == c.name) {
      k->channel_flags = c.flags;
      k->channel_start = c.start;
      k->channel_count = c.count;
    }
  }
}

void FindKeys(const CommandKeys& cmd, std::span<const std::string> args, std::vector<KeyRef>* out) {
  out->clear();
  bool has_spec = false, variable = false;
  for (const auto& s : cmd.specs) {
    has_spec |= !(s.flags & kKeyNotKey);
    variable |= (s.flags & kKeyVariableFlags) != 0;
  }
  if (has_spec && !variable) {
    if (KeysFromSpecs(cmd, args, out)) return;
    out->clear();
  }
  NativeKeys(cmd, args, out);
}

void FindChannels(const CommandKeys& cmd, std::span<const std::string> args,
                  std::vector<KeyRef>* out) {
  out->clear();
  if (cmd.channel_flags == 0) return;
  const int argc = int(args.size());
  int stop = cmd.channel_count == -1 ? argc : cmd.channel_start + cmd.channel_count;
  if (stop > argc) stop = argc;
  for (int i = cmd.channel_start; i < stop; ++i) out->push_back({i, cmd.channel_flags});
}

}  // namespace vigil::datanode
