#include "datanode/acl/acl_catalog.h"

#include <cctype>

#include "common/base/check.h"
#include "datanode/acl/acl_categories.h"
#include "datanode/commands/redis_command_info.h"

namespace vigil::datanode {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// COMMAND INFO element positions (Redis 7.0).
enum InfoField { kName = 0, kArity = 1, kFlags = 2, kCategories = 6, kKeySpecs = 8, kSubs = 9 };

AclCommand FromInfo(const resp::Value& info) {
  AclCommand cmd;
  const auto& e = info.elements;
  cmd.fullname = e[kName].str;
  cmd.keys.arity = int(e[kArity].integer);
  for (const auto& f : e[kFlags].elements) cmd.no_auth |= f.str == "no_auth";
  for (const auto& c : e[kCategories].elements) {
    cmd.categories |= AclCategoryBit(std::string_view(c.str).substr(1));  // "@read"
  }
  cmd.keys.specs = ParseKeySpecs(e[kKeySpecs]);
  AddNativeKeyFacts(cmd.fullname, &cmd.keys);
  return cmd;
}

}  // namespace

uint32_t AclCatalog::Add(AclCommand cmd) {
  // Running out of bits would be a build-time mistake (Redis 7.0 has under 400 commands).
  VIGIL_CHECK(commands_.size() < kFutureBit);
  cmd.id = uint32_t(commands_.size());
  by_name_[cmd.fullname] = cmd.id;
  if (cmd.parent < 0) {
    top_level_.push_back(cmd.id);
  } else {
    commands_[size_t(cmd.parent)].subcommands.push_back(cmd.id);
  }
  commands_.push_back(std::move(cmd));
  return commands_.back().id;
}

void AclCatalog::AddRedisCommand(const resp::Value& info) {
  if (info.elements.size() <= kSubs) return;
  const uint32_t id = Add(FromInfo(info));
  for (const auto& sub_info : info.elements[kSubs].elements) {
    if (sub_info.elements.size() <= kSubs) continue;
    AclCommand sub = FromInfo(sub_info);
    sub.parent = int32_t(id);
    Add(std::move(sub));
  }
}

void AclCatalog::AddExtraCommand(const std::string& fullname, const std::string& parent,
                                 uint64_t categories, bool no_auth, int arity, int first_key,
                                 int last_key, int key_step) {
  AclCommand cmd;
  cmd.fullname = fullname;
  cmd.categories = categories;
  cmd.no_auth = no_auth;
  cmd.keys.arity = arity;
  if (!parent.empty()) {
    const AclCommand* p = Find(parent);
    if (p == nullptr) return;
    cmd.parent = int32_t(p->id);
  }
  if (first_key > 0) {
    // The legacy (first, last, step) triple as one range spec; its flags are unknown, so every
    // key pattern applies, as for Redis's own spec-less finders.
    KeySpec spec;
    spec.begin = KeySpec::Begin::kIndex;
    spec.index = first_key;
    spec.find = KeySpec::Find::kRange;
    spec.lastkey = last_key < 0 ? last_key : last_key - first_key;
    spec.keystep = key_step > 0 ? key_step : 1;
    cmd.keys.specs.push_back(spec);
  }
  Add(std::move(cmd));
}

const AclCommand* AclCatalog::Find(std::string_view fullname) const {
  auto it = by_name_.find(Lower(fullname));
  return it == by_name_.end() ? nullptr : &commands_[it->second];
}

const AclCatalog& RedisAclCatalog() {
  static const AclCatalog catalog = [] {
    AclCatalog c;
    for (const auto& [name, info] : RedisCommandInfo()) {
      if (name.find('|') == std::string::npos) c.AddRedisCommand(info);
    }
    return c;
  }();
  return catalog;
}

}  // namespace vigil::datanode
