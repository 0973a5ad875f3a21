#pragma once
// SetValue: the container behind a Redis set. Redis 7.0 keeps a set as an "intset" (a sorted
// array of 64-bit integers) while every member is a canonical integer and the set holds at most
// set-max-intset-entries members, and as a "hashtable" from then on (it never converts back in
// place). We mirror that: an intset is a sorted std::vector<int64_t> (so iteration is ascending
// numeric, as in Redis). A hashtable is a ChainedTable of member nodes (Redis's dict: buckets,
// incremental rehashing, shrinking below 10% fill, no resizing while a fork child runs) plus a
// dense vector of the same nodes for uniform random choice (SPOP, SRANDMEMBER) in O(1).
//
// SSCAN walks the chained table with Redis's cursor, so every member present for the whole scan
// is returned, and DEBUG HTSTATS-KEY shows the table as Redis would. Random picks move an
// ongoing rehash forward as Redis's random sampling does, so a set read only by SRANDMEMBER
// still finishes resizing. Iteration (SMEMBERS, RDB) follows the dense vector: insertion order
// perturbed by removals.
//
// Not thread-safe; owned by its Entry.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/store/chained_table.h"
#include "datanode/store/object_type.h"

namespace vigil::datanode {

class SetValue {
 public:
  SetValue() = default;  // an empty intset, as Redis's createIntsetObject
  ~SetValue();
  SetValue(const SetValue& other);
  SetValue& operator=(const SetValue& other);
  SetValue(SetValue&& other) noexcept;
  SetValue& operator=(SetValue&& other) noexcept;

  // Adds `member`; converts to a hashtable when it is not an integer or the set would exceed
  // `max_intset_entries`. Returns false when it was already there.
  bool Add(std::string_view member, size_t max_intset_entries);
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;
  size_t size() const { return intset_ ? ints_.size() : dense_.size(); }
  bool empty() const { return size() == 0; }

  // The i-th member in iteration order. Requires: i < size().
  std::string MemberAt(size_t i) const;
  // MemberAt for a random pick: first moves an ongoing rehash forward, as Redis's
  // dictGetFairRandomKey does (up to 15 one-bucket steps).
  std::string SampleAt(size_t i);
  // Every member in iteration order.
  std::vector<std::string> Members() const;
  void ForEach(const std::function<void(std::string_view)>& fn) const;

  // One SSCAN call: visits buckets from `cursor` until `count` members were passed to `fn` or
  // 10 x count buckets were seen, as Redis does, and returns the next cursor (0 when done). An
  // intset returns everything at once.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view)>& fn) const;

  Encoding encoding() const { return intset_ ? Encoding::kIntset : Encoding::kHashtable; }
  size_t AllocatedBytes() const;
  // Chain length of every bucket of array `t` (1: the rehash target), for DEBUG HTSTATS-KEY.
  std::vector<size_t> ChainLengths(int t) const { return table_.ChainLengths(t); }
  bool rehashing() const { return table_.rehashing(); }

 private:
  struct Node {
    Node* next = nullptr;  // bucket chain
    size_t pos = 0;        // index in dense_
    std::string member;
  };
  struct NodeKey {
    static std::string_view Key(const Node& n) { return n.member; }
  };
  void ConvertToHashtable();
  bool HashAdd(std::string_view member);
  void CopyFrom(const SetValue& other);
  void FreeNodes();

  bool intset_ = true;
  std::vector<int64_t> ints_;  // sorted, while intset_
  ChainedTable<Node, NodeKey> table_{ProcessHashSeed()};
  std::vector<Node*> dense_;  // the table's nodes, each at its `pos`
  size_t member_bytes_ = 0;   // heap bytes of long hashtable members, for AllocatedBytes
};

}  // namespace vigil::datanode
