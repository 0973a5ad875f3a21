#pragma once
// SetValue: the container behind a Redis set. Redis 7.0 keeps a set as an "intset" (a sorted
// array of 64-bit integers) while every member is a canonical integer and the set holds at most
// set-max-intset-entries members, and as a "hashtable" from then on (it never converts back in
// place). We mirror that: an intset is a sorted std::vector<int64_t> (so iteration is ascending
// numeric, as in Redis), a hashtable is a dense vector of members indexed by a hash map, which
// gives O(1) add, remove, lookup and uniform random choice (SPOP, SRANDMEMBER).
//
// Hashtable order is arbitrary (insertion order perturbed by removals). SSCAN over a hashtable
// walks the dense vector by position; a removal moves the last member into the freed slot, so a
// member added or moved during a scan may be returned twice or (if moved behind the cursor)
// missed. Members present and not moved for the whole scan are always returned.
//
// Not thread-safe; owned by its Entry.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "datanode/store/object_type.h"

namespace vigil::datanode {

class SetValue {
 public:
  SetValue() = default;  // an empty intset, as Redis's createIntsetObject
  SetValue(const SetValue& other);
  SetValue& operator=(const SetValue& other);
  SetValue(SetValue&&) noexcept = default;
  SetValue& operator=(SetValue&&) noexcept = default;

  // Adds `member`; converts to a hashtable when it is not an integer or the set would exceed
  // `max_intset_entries`. Returns false when it was already there.
  bool Add(std::string_view member, size_t max_intset_entries);
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;
  size_t size() const { return intset_ ? ints_.size() : dense_.size(); }
  bool empty() const { return size() == 0; }

  // The i-th member in iteration order. Requires: i < size().
  std::string MemberAt(size_t i) const;
  // Every member in iteration order.
  std::vector<std::string> Members() const;
  void ForEach(const std::function<void(std::string_view)>& fn) const;

  // One SSCAN step: calls `fn` for up to `count` members from `cursor` on and returns the next
  // cursor (0 when done). An intset returns everything at once.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view)>& fn) const;

  Encoding encoding() const { return intset_ ? Encoding::kIntset : Encoding::kHashtable; }
  size_t AllocatedBytes() const;
  // Chain length of every bucket (hashtable encoding), for DEBUG HTSTATS-KEY.
  std::vector<size_t> ChainLengths() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < index_.bucket_count(); ++i) out.push_back(index_.bucket_size(i));
    return out;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void ConvertToHashtable();
  void RebuildDense();
  bool HashAdd(std::string_view member);

  bool intset_ = true;
  std::vector<int64_t> ints_;  // sorted, while intset_
  // Hashtable: member -> its position in dense_; dense_ points at the map's keys (node-based,
  // so the pointers stay valid across rehashing).
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
  std::vector<const std::string*> dense_;
  size_t member_bytes_ = 0;  // heap bytes of long hashtable members, for AllocatedBytes
};

}  // namespace vigil::datanode
