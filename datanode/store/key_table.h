#pragma once
// KeyTable: the keyspace's hash table of Entry chains, with Redis's incremental rehashing (two
// bucket arrays while growing or shrinking, one bucket moved per operation) and Redis's SCAN
// cursor (reverse-binary increment), so a SCAN returns every key present for its whole
// duration even across resizes, and cursors look like Redis's.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "datanode/store/entry.h"

namespace vigil::datanode {

class KeyTable {
 public:
  explicit KeyTable(uint64_t seed) : seed_(seed) {}
  ~KeyTable();
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  size_t size() const { return size_; }
  Entry* Find(std::string_view key);
  // Requires: no entry with the same key.
  void Insert(Entry* e);
  // Puts `e` where the entry with the same key was; returns that entry (caller frees).
  // Requires: the key is present.
  Entry* Replace(Entry* e);
  // Unlinks the entry with this key and returns it (caller frees), or nullptr.
  Entry* Remove(std::string_view key);
  // Frees every entry.
  void Clear();

  // One SCAN step: calls `fn` for each entry of the buckets visited, returns the next cursor
  // (0 when done). `fn` must not modify the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const;
  // A random entry (roughly uniform: random bucket, random chain position), nullptr if empty.
  Entry* Random(uint64_t r1, uint64_t r2) const;
  // Calls fn for every entry (no modification).
  void ForEach(const std::function<void(Entry*)>& fn) const;

  // Moves up to `buckets` buckets of an ongoing rehash; false when no rehash is in progress.
  bool RehashStep(size_t buckets);
  bool rehashing() const { return rehash_idx_ >= 0; }
  size_t bucket_count() const { return t_[0].size() + t_[1].size(); }
  uint64_t Hash(std::string_view key) const;
  // The chain length of every bucket of table `t` (1 is the rehash target), for DEBUG HTSTATS.
  std::vector<size_t> ChainLengths(int t) const;

 private:
  void MaybeResize();
  void StartRehash(size_t new_size);
  Entry** FindSlot(std::string_view key, uint64_t h);

  uint64_t seed_;
  std::vector<Entry*> t_[2];
  int64_t rehash_idx_ = -1;
  size_t size_ = 0;
};

}  // namespace vigil::datanode
