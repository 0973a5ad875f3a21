#pragma once
// KeyTable: the keyspace's hash table of Entry chains: a ChainedTable (Redis's incremental
// rehashing and reverse-binary SCAN cursor) that owns its entries.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "datanode/store/chained_table.h"
#include "datanode/store/entry.h"

namespace vigil::datanode {

// Whether allocating `bytes` more would exceed maxmemory (Redis's overMaxmemoryAfterAlloc).
using OverLimitAfterAlloc = std::function<bool(size_t bytes)>;

class KeyTable {
 public:
  explicit KeyTable(uint64_t seed) : table_(seed) {}
  ~KeyTable();
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  size_t size() const { return table_.size(); }
  Entry* Find(std::string_view key) { return table_.Find(key); }
  // Requires: no entry with the same key.
  void Insert(Entry* e) { table_.Insert(e); }
  // Puts `e` where the entry with the same key was; returns that entry (caller frees).
  // Requires: the key is present.
  Entry* Replace(Entry* e);
  // Unlinks the entry with this key and returns it (caller frees), or nullptr.
  Entry* Remove(std::string_view key) { return table_.Remove(key); }
  // Frees every entry.
  void Clear();

  // One SCAN step: calls `fn` for each entry of the buckets visited, returns the next cursor
  // (0 when done). `fn` must not modify the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const {
    return table_.Scan(cursor, fn);
  }
  // A random entry (roughly uniform: random bucket, random chain position), nullptr if empty.
  Entry* Random(uint64_t r1, uint64_t r2) const { return table_.Random(r1, r2); }
  // Calls fn for every entry (no modification).
  void ForEach(const std::function<void(Entry*)>& fn) const { table_.ForEach(fn); }

  // Moves up to `buckets` buckets of an ongoing rehash; false when no rehash is in progress.
  bool RehashStep(size_t buckets) { return table_.RehashStep(buckets); }
  // Starts shrinking a table below 10% fill (Redis's tryResizeHashTables, run from cron).
  void MaybeShrink() { table_.MaybeShrink(); }
  bool rehashing() const { return table_.rehashing(); }
  size_t bucket_count() const { return table_.bucket_count(); }
  uint64_t Hash(std::string_view key) const { return table_.Hash(key); }
  // The chain length of every bucket of table `t` (1 is the rehash target), for DEBUG HTSTATS.
  std::vector<size_t> ChainLengths(int t) const { return table_.ChainLengths(t); }
  // Growth asks `check` first (null: always grow); it must outlive the table.
  void set_memory_check(const OverLimitAfterAlloc* check) { table_.grow_guard().check = check; }

 private:
  struct EntryKey {
    static std::string_view Key(const Entry& e) { return e.key(); }
  };
  // Redis's dictExpandAllowed for the keyspace: while the table is at most 1.618 nodes a bucket,
  // it does not grow if the new bucket array would take the server over maxmemory, since that
  // would only make it evict keys to pay for the table. Fuller than that, it grows anyway:
  // lookups would get slow.
  struct MemoryGuard {
    const OverLimitAfterAlloc* check = nullptr;
    bool Allow(size_t more_bytes, double load) const {
      constexpr double kMaxLoadFactor = 1.618;  // HASHTABLE_MAX_LOAD_FACTOR
      return load > kMaxLoadFactor || check == nullptr || !*check || !(*check)(more_bytes);
    }
  };
  ChainedTable<Entry, EntryKey, MemoryGuard> table_;
};

}  // namespace vigil::datanode
