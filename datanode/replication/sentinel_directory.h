#pragma once
// SentinelDirectory: the sentinels that monitor this node, learned from the hellos they publish
// through it (every 2 s each), for the shutdown handoff to ask. Only hellos that name this node
// as the master count; a sentinel silent for `max_age` is left out. Pure.
#include <map>
#include <string>
#include <vector>

#include "common/time/mono_time.h"
#include "common/wire/sentinel_hello.h"
#include "datanode/replication/shutdown_handoff.h"

namespace vigil::datanode {

class SentinelDirectory {
 public:
  void Observe(MonoTime now, const SentinelHello& hello);
  // Sentinels heard within `max_age`, the most recently heard first.
  std::vector<HandoffSentinel> Recent(MonoTime now, Millis max_age) const;
  void Clear() { entries_.clear(); }

 private:
  struct Entry {
    HandoffSentinel sentinel;
    MonoTime last_seen;
  };
  std::map<std::string, Entry> entries_;  // by run id
  static constexpr size_t kMaxEntries = 64;
};

}  // namespace vigil::datanode
