#include "datanode/acl/acl_log.h"

#include <algorithm>
#include <cstdlib>

namespace vigil::datanode {
namespace {

constexpr int64_t kGroupingWindowMs = 60000;
constexpr size_t kGroupingScan = 10;

bool SameEvent(const AclLogEntry& a, const AclLogEntry& b) {
  return a.reason == b.reason && a.context == b.context &&
         std::llabs(a.updated_ms - b.updated_ms) <= kGroupingWindowMs && a.object == b.object &&
         a.username == b.username;
}

}  // namespace

void AclLog::Add(AclLogEntry entry, size_t max_len) {
  const size_t scan = std::min(kGroupingScan, entries_.size());
  for (size_t i = 0; i < scan; ++i) {
    if (!SameEvent(entries_[i], entry)) continue;
    AclLogEntry match = std::move(entries_[i]);
    entries_.erase(entries_.begin() + long(i));
    match.client_info = std::move(entry.client_info);
    match.updated_ms = entry.updated_ms;
    ++match.count;
    entries_.push_front(std::move(match));
    return;
  }
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

const char* AclLog::ReasonName(AclDenial reason) {
  switch (reason) {
    case AclDenial::kCommand:
      return "command";
    case AclDenial::kKey:
      return "key";
    case AclDenial::kChannel:
      return "channel";
    case AclDenial::kAuth:
      return "auth";
    case AclDenial::kNone:
      break;
  }
  return "unknown";
}

const char* AclLog::ContextName(AclLogContext context) {
  switch (context) {
    case AclLogContext::kToplevel:
      return "toplevel";
    case AclLogContext::kMulti:
      return "multi";
    case AclLogContext::kLua:
      return "lua";
    case AclLogContext::kModule:
      return "module";
  }
  return "unknown";
}

}  // namespace vigil::datanode
