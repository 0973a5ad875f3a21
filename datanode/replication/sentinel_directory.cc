#include "datanode/replication/sentinel_directory.h"

#include <algorithm>

namespace vigil::datanode {

void SentinelDirectory::Observe(MonoTime now, const SentinelHello& hello) {
  auto it = entries_.find(hello.runid);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxEntries) return;
    it = entries_.emplace(hello.runid, Entry{}).first;
  }
  it->second.sentinel = HandoffSentinel{hello.sentinel, hello.master_name};
  it->second.last_seen = now;
}

std::vector<HandoffSentinel> SentinelDirectory::Recent(MonoTime now, Millis max_age) const {
  std::vector<const Entry*> fresh;
  for (const auto& [id, e] : entries_) {
    if (now - e.last_seen <= max_age) fresh.push_back(&e);
  }
  std::sort(fresh.begin(), fresh.end(),
            [](const Entry* a, const Entry* b) { return a->last_seen > b->last_seen; });
  std::vector<HandoffSentinel> out;
  for (const Entry* e : fresh) out.push_back(e->sentinel);
  return out;
}

}  // namespace vigil::datanode
