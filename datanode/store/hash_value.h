#pragma once
// HashValue: the value of a hash key, with Redis 7.0's two encodings.
//
// listpack: while the hash has at most hash-max-listpack-entries fields and every field and
//   value is at most hash-max-listpack-value bytes, pairs are packed in one byte buffer
//   ([varint len][bytes] per field and value) in insertion order; lookups scan it, as Redis's
//   listpack does. HGETALL, HSCAN and HRANDFIELD see insertion order, byte-identical to Redis.
// hashtable: once a limit is exceeded the hash converts (never back) to a chained hash table of
//   power-of-two buckets. Its iteration order is unspecified, as Redis's dict order is, and
//   Scan() uses Redis's reverse-binary cursor so a full scan returns every field present
//   throughout, across resizes.
//
// Not thread-safe; owned by its Entry. Views returned by Get/ForEach/Pairs stay valid until the
// next modification.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/random/prng.h"
#include "datanode/store/object_type.h"

namespace vigil::datanode {

class HashValue {
 public:
  using Pair = std::pair<std::string_view, std::string_view>;

  HashValue() = default;
  HashValue(const HashValue& other);
  HashValue& operator=(const HashValue& other);
  ~HashValue();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool is_listpack() const { return buckets_.empty(); }

  // The value of `field`, or false.
  bool Get(std::string_view field, std::string_view* value) const;
  bool Contains(std::string_view field) const;
  // Adds or updates; true when the field was created. Converts to hashtable when the field or
  // value is longer than `max_value` or the size exceeds `max_entries` (Redis's hashTypeSet).
  bool Set(std::string_view field, std::string_view value, size_t max_entries, size_t max_value);
  // True when the field existed.
  bool Delete(std::string_view field);

  // Calls fn(field, value) for every pair: insertion order for listpack, bucket order else.
  template <class F>
  void ForEach(F&& fn) const {
    if (is_listpack()) {
      size_t pos = 0;
      std::string_view f, v;
      while (NextPacked(&pos, &f, &v)) fn(f, v);
      return;
    }
    for (const Node* head : buckets_) {
      for (const Node* n = head; n != nullptr; n = n->next) fn(n->field, n->value);
    }
  }
  std::vector<Pair> Pairs() const;
  // A uniformly-ish random pair (random bucket, then random chain position, like Redis's
  // dictGetFairRandomKey). Requires: !empty().
  Pair Random(Prng& prng) const;

  // One HSCAN step over the hashtable encoding: visits one bucket, calls fn for each pair in
  // it and returns the next cursor (0 when done). Requires: !is_listpack().
  template <class F>
  uint64_t ScanStep(uint64_t cursor, F&& fn) const {
    const uint64_t mask = buckets_.size() - 1;
    for (const Node* n = buckets_[cursor & mask]; n != nullptr; n = n->next) fn(n->field, n->value);
    return NextCursor(cursor, mask);
  }

  size_t AllocatedBytes() const;
  Encoding encoding() const { return is_listpack() ? Encoding::kListpack : Encoding::kHashtable; }
  // Chain length of every bucket (hashtable encoding), for DEBUG HTSTATS-KEY.
  std::vector<size_t> ChainLengths() const {
    std::vector<size_t> out;
    for (const Node* head : buckets_) {
      size_t n = 0;
      for (const Node* x = head; x != nullptr; x = x->next) ++n;
      out.push_back(n);
    }
    return out;
  }

 private:
  struct Node {
    Node* next;
    std::string field;
    std::string value;
  };

  // Listpack helpers. `pos` walks the buffer; false at the end.
  bool NextPacked(size_t* pos, std::string_view* field, std::string_view* value) const;
  // Offset of the pair holding `field` (and the offsets of its value), or npos.
  size_t FindPacked(std::string_view field, size_t* value_at, size_t* end_at) const;
  static void AppendPacked(std::string* buf, std::string_view s);

  // Hashtable helpers.
  uint64_t HashOf(std::string_view s) const;
  Node** FindSlot(std::string_view field);
  void InsertNode(Node* n);
  void Rehash(size_t new_bucket_count);
  void ConvertToTable();
  void FreeNodes();
  static uint64_t NextCursor(uint64_t cursor, uint64_t mask);
  static size_t HeapCost(size_t len) { return len > 15 ? len + 1 : 0; }

  std::string packed_;          // listpack encoding
  std::vector<Node*> buckets_;  // hashtable encoding (power-of-two size), empty for listpack
  size_t size_ = 0;
  size_t node_heap_bytes_ = 0;  // strings' heap bytes in the hashtable encoding
};

}  // namespace vigil::datanode
