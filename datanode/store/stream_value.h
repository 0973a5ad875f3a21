#pragma once
// StreamValue: the value of a stream key: entries, their metadata, and consumer groups.
//
// Entries live in nodes keyed by their master id, mirroring Redis 7.0's rax of listpacks: a
// node holds the master fields (those of its first entry), its entries in id order, and counts
// of live and deleted entries. Deleting an entry only flags it (a tombstone), and a node goes
// away when its last live entry does, as in Redis. Keeping Redis's node boundaries (and the
// exact listpack byte size of each node) is what makes approximate trimming (`MAXLEN ~`), which
// only drops whole nodes, remove the same entries as Redis, and lets the RDB writer emit each
// node as the very listpack Redis would hold.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/store/stream_group.h"
#include "datanode/store/stream_id.h"

namespace vigil::datanode {

inline constexpr int kStreamFlagDeleted = 1;     // STREAM_ITEM_FLAG_DELETED
inline constexpr int kStreamFlagSameFields = 2;  // STREAM_ITEM_FLAG_SAMEFIELDS

struct StreamRecord {
  StreamId id;
  int flags = 0;
  std::vector<std::string> fields_values;  // field0, value0, field1, value1, ...
  bool deleted() const { return flags & kStreamFlagDeleted; }
  size_t field_count() const { return fields_values.size() / 2; }
};

struct StreamNode {
  std::vector<std::string> master_fields;
  std::vector<StreamRecord> records;  // ascending ids, tombstones included
  uint64_t live = 0;
  uint64_t deleted = 0;
  // Listpack bytes of everything but the header, the live/deleted counts and the terminator.
  size_t body_bytes = 0;
  // The listpack size Redis would report (lpBytes).
  size_t ListpackBytes() const;
};

struct StreamNodeLimits {
  size_t max_bytes = 4096;    // stream-node-max-bytes (0 = unlimited)
  int64_t max_entries = 100;  // stream-node-max-entries (0 = unlimited)
};

enum class StreamTrimStrategy { kNone, kMaxLen, kMinId };

struct StreamTrimArgs {
  StreamTrimStrategy strategy = StreamTrimStrategy::kNone;
  bool approx = false;
  int64_t limit = 0;  // 0 = no limit on the entries removed
  int64_t maxlen = 0;
  StreamId minid;
};

inline constexpr int64_t kInvalidEntriesRead = -1;  // SCG_INVALID_ENTRIES_READ

class StreamValue {
 public:
  using NodeMap = std::map<StreamId, StreamNode>;

  uint64_t length() const { return length_; }
  const StreamId& last_id() const { return last_id_; }
  const StreamId& first_id() const { return first_id_; }
  const StreamId& max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  void set_last_id(const StreamId& id) { last_id_ = id; }
  void set_max_deleted_id(const StreamId& id) { max_deleted_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }
  void set_first_id(const StreamId& id) { first_id_ = id; }
  void set_length(uint64_t n) { length_ = n; }

  const NodeMap& nodes() const { return nodes_; }
  // Adds a whole node (RDB load). The caller validates order and counts.
  void AdoptNode(const StreamId& master, StreamNode node);

  // Appends an entry with id > last_id() (the caller checks) and returns its id.
  void Append(const StreamId& id, const std::vector<std::string>& fields_values,
              const StreamNodeLimits& limits);
  // Flags the entry deleted; false when absent. Maintains length and first id.
  bool Delete(const StreamId& id);
  // Redis's streamTrim; returns the number of entries removed.
  int64_t Trim(const StreamTrimArgs& args);

  // The live entry with this id, or nullptr.
  const StreamRecord* Find(const StreamId& id) const;
  // Calls fn(record) for live entries in [start, end], ascending (or descending when rev),
  // until fn returns false.
  template <class F>
  void ForEachInRange(const StreamId& start, const StreamId& end, bool rev, F&& fn) const;
  // The first (or last) live id, or false when empty.
  bool EdgeId(bool first, StreamId* out) const;

  // Consumer groups, by name in byte order (Redis keeps them in a rax).
  std::map<std::string, ConsumerGroup>& groups() { return groups_; }
  const std::map<std::string, ConsumerGroup>& groups() const { return groups_; }
  ConsumerGroup* FindGroup(std::string_view name);

  // streamEstimateDistanceFromFirstEverEntry: the entries_read counter `id` corresponds to.
  int64_t EstimateEntriesRead(const StreamId& id) const;
  bool RangeHasTombstones(const StreamId& start) const;
  // The group's lag, or false when it cannot be known (XINFO replies null).
  bool Lag(const ConsumerGroup& g, int64_t* out) const;
  // Moves a group's last id forward after delivering `id` (streamReplyWithRange's update).
  void AdvanceGroup(ConsumerGroup* g, const StreamId& id) const;

  size_t AllocatedBytes() const;

 private:
  void RefreshFirstId();
  // Listpack bytes of one entry: flags, id deltas, [field count], fields/values, lp-count.
  static size_t RecordBytes(const StreamRecord& r, const StreamId& master);

  NodeMap nodes_;
  uint64_t length_ = 0;
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  std::map<std::string, ConsumerGroup> groups_;
};

template <class F>
void StreamValue::ForEachInRange(const StreamId& start, const StreamId& end, bool rev,
                                 F&& fn) const {
  if (start > end || nodes_.empty()) return;
  if (!rev) {
    auto it = nodes_.upper_bound(start);
    if (it != nodes_.begin()) --it;
    for (; it != nodes_.end(); ++it) {
      for (const StreamRecord& r : it->second.records) {
        if (r.id < start || r.deleted()) continue;
        if (r.id > end) return;
        if (!fn(r)) return;
      }
    }
    return;
  }
  auto it = nodes_.upper_bound(end);
  while (it != nodes_.begin()) {
    --it;
    const auto& recs = it->second.records;
    for (auto r = recs.rbegin(); r != recs.rend(); ++r) {
      if (r->id > end || r->deleted()) continue;
      if (r->id < start) return;
      if (!fn(*r)) return;
    }
  }
}

}  // namespace vigil::datanode
