#pragma once
// ACL LOG: recent refusals (commands, keys, channels, failed AUTH), newest first. A refusal like
// one of the last ten entries within 60 s bumps that entry's count instead of adding one.
#include <cstdint>
#include <deque>
#include <string>

#include "datanode/acl/acl_selector.h"

namespace vigil::datanode {

enum class AclLogContext { kToplevel, kMulti, kLua, kModule };

struct AclLogEntry {
  uint64_t count = 1;
  AclDenial reason = AclDenial::kCommand;
  AclLogContext context = AclLogContext::kToplevel;
  std::string object;    // the command, key or channel refused; "AUTH" for a failed AUTH
  std::string username;  // the user refused (for AUTH, the name tried)
  int64_t updated_ms = 0;
  std::string client_info;  // CLIENT INFO of the last client refused
};

class AclLog {
 public:
  void Add(AclLogEntry entry, size_t max_len);
  void Reset() { entries_.clear(); }
  const std::deque<AclLogEntry>& entries() const { return entries_; }

  static const char* ReasonName(AclDenial reason);
  static const char* ContextName(AclLogContext context);

 private:
  std::deque<AclLogEntry> entries_;
};

}  // namespace vigil::datanode
