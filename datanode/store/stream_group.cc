#include "datanode/store/stream_group.h"

namespace vigil::datanode {

StreamConsumer& ConsumerGroup::LookupConsumer(const std::string& name, int64_t now_ms,
                                              bool* created) {
  auto [it, inserted] = consumers.try_emplace(name);
  if (created != nullptr) *created = inserted;
  it->second.seen_time = now_ms;
  return it->second;
}

PendingEntry& ConsumerGroup::Deliver(const StreamId& id, const std::string& consumer,
                                     int64_t now_ms) {
  auto [it, inserted] = pel.try_emplace(id);
  PendingEntry& p = it->second;
  if (!inserted) {
    // Someone else (or this consumer) already had it: a SETID rewound the group.
    auto owner = consumers.find(p.consumer);
    if (owner != consumers.end()) owner->second.pel.erase(id);
  }
  p.consumer = consumer;
  p.delivery_time = now_ms;
  p.delivery_count = 1;
  consumers[consumer].pel.insert(id);
  return p;
}

void ConsumerGroup::Reassign(const StreamId& id, PendingEntry& p, const std::string& consumer) {
  if (p.consumer == consumer) return;
  auto owner = consumers.find(p.consumer);
  if (owner != consumers.end()) owner->second.pel.erase(id);
  p.consumer = consumer;
  consumers[consumer].pel.insert(id);
}

bool ConsumerGroup::Ack(const StreamId& id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  auto owner = consumers.find(it->second.consumer);
  if (owner != consumers.end()) owner->second.pel.erase(id);
  pel.erase(it);
  return true;
}

uint64_t ConsumerGroup::DeleteConsumer(const std::string& name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return 0;
  uint64_t n = it->second.pel.size();
  for (const StreamId& id : it->second.pel) pel.erase(id);
  consumers.erase(it);
  return n;
}

}  // namespace vigil::datanode
