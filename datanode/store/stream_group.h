#pragma once
// Consumer groups of a stream: the group's last delivered id and read counter, its pending
// entries list (PEL: delivered, not yet acknowledged, with delivery time and count) and its
// consumers, each with the subset of the PEL it owns. Times are given by the caller.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "datanode/store/stream_id.h"

namespace vigil::datanode {

struct PendingEntry {
  int64_t delivery_time = 0;
  uint64_t delivery_count = 1;
  std::string consumer;
};

struct StreamConsumer {
  int64_t seen_time = 0;
  std::set<StreamId> pel;
};

struct ConsumerGroup {
  StreamId last_id;
  int64_t entries_read = 0;
  std::map<StreamId, PendingEntry> pel;
  std::map<std::string, StreamConsumer> consumers;  // byte order, as Redis's rax

  // The consumer, created when absent; `*created` tells which. Refreshes its seen time.
  StreamConsumer& LookupConsumer(const std::string& name, int64_t now_ms, bool* created);
  // Records a delivery of `id` to `consumer` (new PEL entry, or a reassignment of an existing
  // one with count 1), as XREADGROUP does.
  PendingEntry& Deliver(const StreamId& id, const std::string& consumer, int64_t now_ms);
  // Moves an existing PEL entry to `consumer` (XCLAIM/XAUTOCLAIM).
  void Reassign(const StreamId& id, PendingEntry& p, const std::string& consumer);
  // Removes `id` from the PEL (and its owner's PEL); false when it was not pending.
  bool Ack(const StreamId& id);
  // Deletes a consumer and its pending entries; returns how many it had.
  uint64_t DeleteConsumer(const std::string& name);
};

}  // namespace vigil::datanode
