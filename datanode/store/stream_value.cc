#include "datanode/store/stream_value.h"

#include <algorithm>
#include <iterator>

#include "datanode/persistence/listpack.h"

namespace vigil::datanode {
namespace {

constexpr size_t kListpackMaxSize = size_t(1) << 30;  // STREAM_LISTPACK_MAX_SIZE

size_t IntBytes(int64_t v) {
  return ListpackWriter::EntrySize(std::to_string(v));
}

}  // namespace

size_t StreamNode::ListpackBytes() const {
  return 6 + IntBytes(int64_t(live)) + IntBytes(int64_t(deleted)) + body_bytes + 1;
}

size_t StreamValue::RecordBytes(const StreamRecord& r, const StreamId& master) {
  const bool same = r.flags & kStreamFlagSameFields;
  const int64_t n = int64_t(r.field_count());
  size_t bytes = IntBytes(r.flags) + IntBytes(int64_t(r.id.ms - master.ms)) +
                 IntBytes(int64_t(r.id.seq - master.seq));
  if (!same) bytes += IntBytes(n);
  for (size_t i = 0; i < r.fields_values.size(); ++i) {
    if (same && i % 2 == 0) continue;
    bytes += ListpackWriter::EntrySize(r.fields_values[i]);
  }
  const int64_t lp_count = n + 3 + (same ? 0 : n + 1);
  return bytes + IntBytes(lp_count);
}

void StreamValue::AdoptNode(const StreamId& master, StreamNode node) {
  nodes_[master] = std::move(node);
}

void StreamValue::Append(const StreamId& id, const std::vector<std::string>& fv,
                         const StreamNodeLimits& limits) {
  size_t total = 0;
  for (const auto& s : fv) total += s.size();
  StreamNode* node = nullptr;
  StreamId master;
  if (!nodes_.empty()) {
    auto last = std::prev(nodes_.end());
    size_t max_bytes = limits.max_bytes;
    if (max_bytes == 0 || max_bytes > kListpackMaxSize) max_bytes = kListpackMaxSize;
    StreamNode& n = last->second;
    bool fresh = n.ListpackBytes() + total >= max_bytes ||
                 (limits.max_entries > 0 && int64_t(n.live + n.deleted) >= limits.max_entries);
    if (!fresh) {
      node = &n;
      master = last->first;
    }
  }
  StreamRecord r{id, 0, fv};
  if (node == nullptr) {
    master = id;
    node = &nodes_[id];
    node->body_bytes = IntBytes(int64_t(r.field_count())) + IntBytes(0);
    for (size_t i = 0; i < fv.size(); i += 2) {
      node->master_fields.push_back(fv[i]);
      node->body_bytes += ListpackWriter::EntrySize(fv[i]);
    }
    r.flags = kStreamFlagSameFields;
  } else if (node->master_fields.size() == r.field_count()) {
    bool same = true;
    for (size_t i = 0; i < node->master_fields.size() && same; ++i)
      same = node->master_fields[i] == fv[2 * i];
    if (same) r.flags = kStreamFlagSameFields;
  }
  node->body_bytes += RecordBytes(r, master);
  node->live++;
  node->records.push_back(std::move(r));
  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
}

const StreamRecord* StreamValue::Find(const StreamId& id) const {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return nullptr;
  --it;
  const auto& recs = it->second.records;
  auto r = std::lower_bound(recs.begin(), recs.end(), id,
                            [](const StreamRecord& a, const StreamId& b) { return a.id < b; });
  if (r == recs.end() || r->id != id || r->deleted()) return nullptr;
  return &*r;
}

bool StreamValue::Delete(const StreamId& id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  auto& recs = it->second.records;
  auto r = std::lower_bound(recs.begin(), recs.end(), id,
                            [](const StreamRecord& a, const StreamId& b) { return a.id < b; });
  if (r == recs.end() || r->id != id || r->deleted()) return false;
  r->flags |= kStreamFlagDeleted;
  if (it->second.live == 1) {
    nodes_.erase(it);
  } else {
    it->second.live--;
    it->second.deleted++;
  }
  --length_;
  RefreshFirstId();
  return true;
}

void StreamValue::RefreshFirstId() {
  if (length_ == 0 || !EdgeId(true, &first_id_)) first_id_ = StreamId{};
}

bool StreamValue::EdgeId(bool first, StreamId* out) const {
  bool found = false;
  ForEachInRange(StreamId{}, StreamId::Max(), !first, [&](const StreamRecord& r) {
    *out = r.id;
    found = true;
    return false;
  });
  return found;
}

int64_t StreamValue::Trim(const StreamTrimArgs& args) {
  if (args.strategy == StreamTrimStrategy::kNone) return 0;
  const bool by_len = args.strategy == StreamTrimStrategy::kMaxLen;
  const uint64_t maxlen = uint64_t(args.maxlen);
  int64_t removed = 0;
  auto it = nodes_.begin();
  while (it != nodes_.end()) {
    if (by_len && length_ <= maxlen) break;
    StreamNode& node = it->second;
    const int64_t entries = int64_t(node.live);
    if (args.limit && removed + entries > args.limit) break;
    bool remove_node;
    if (by_len) {
      remove_node = length_ - uint64_t(entries) >= maxlen;
    } else {
      // The node's last id counts tombstones too (Redis reads the listpack's last entry).
      remove_node = node.records.back().id < args.minid;
    }
    if (remove_node) {
      length_ -= uint64_t(entries);
      removed += entries;
      it = nodes_.erase(it);
      continue;
    }
    if (args.approx) break;
    int64_t from_node = 0;
    for (StreamRecord& r : node.records) {
      const bool stop = by_len ? length_ <= maxlen : r.id >= args.minid;
      if (stop) break;
      if (!r.deleted()) {
        r.flags |= kStreamFlagDeleted;
        ++from_node;
        --length_;
      }
    }
    node.live -= uint64_t(from_node);
    node.deleted += uint64_t(from_node);
    removed += from_node;
    break;
  }
  if (length_ == 0) {
    first_id_ = StreamId{};
  } else if (removed) {
    RefreshFirstId();
  }
  return removed;
}

ConsumerGroup* StreamValue::FindGroup(std::string_view name) {
  auto it = groups_.find(std::string(name));
  return it == groups_.end() ? nullptr : &it->second;
}

bool StreamValue::RangeHasTombstones(const StreamId& start) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  if (first_id_ > max_deleted_id_) return false;  // the newest tombstone precedes every entry
  return start <= max_deleted_id_;
}

int64_t StreamValue::EstimateEntriesRead(const StreamId& id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return int64_t(entries_added_);
  if (id == last_id_) return int64_t(entries_added_);
  if (id > last_id_) return kInvalidEntriesRead;
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    if (id < first_id_) return int64_t(entries_added_ - length_);
    if (id == first_id_) return int64_t(entries_added_ - length_ + 1);
  }
  return kInvalidEntriesRead;
}

bool StreamValue::Lag(const ConsumerGroup& g, int64_t* out) const {
  if (entries_added_ == 0) {
    *out = 0;
    return true;
  }
  if (g.entries_read != kInvalidEntriesRead && !RangeHasTombstones(g.last_id)) {
    *out = int64_t(entries_added_) - g.entries_read;
    return true;
  }
  const int64_t read = EstimateEntriesRead(g.last_id);
  if (read == kInvalidEntriesRead) return false;
  *out = int64_t(entries_added_) - read;
  return true;
}

void StreamValue::AdvanceGroup(ConsumerGroup* g, const StreamId& id) const {
  if (g->entries_read != kInvalidEntriesRead && !RangeHasTombstones(id)) {
    g->entries_read++;
  } else if (entries_added_ != 0) {
    g->entries_read = EstimateEntriesRead(id);
  }
  g->last_id = id;
}

size_t StreamValue::AllocatedBytes() const {
  size_t n = sizeof(StreamValue);
  for (const auto& [id, node] : nodes_) n += node.ListpackBytes() + 64;
  for (const auto& [name, g] : groups_) {
    n += sizeof(ConsumerGroup) + name.size() + g.pel.size() * 64;
    for (const auto& [cname, c] : g.consumers) n += 64 + cname.size() + c.pel.size() * 40;
  }
  return n;
}

}  // namespace vigil::datanode
