#pragma once
// ListValue: the value of a list key. Elements live in a std::deque<std::string>: pushes and
// pops at both ends are O(1), LINDEX/LSET are O(1), and middle edits (LINSERT, LREM) are O(n)
// as in Redis. Small elements stay inside the string object (SSO), so a list of short strings
// costs about 32 bytes per element and no extra allocation.
//
// Redis 7.0 reports every list as "quicklist" in OBJECT ENCODING (7.2 introduced listpack
// lists), so encoding() is fixed.
//
// Not thread-safe; owned by its Entry. Requires of callers: a list key never holds an empty
// ListValue (commands delete the key when the last element goes).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "datanode/store/object_type.h"

namespace vigil::datanode {

class ListValue {
 public:
  using Container = std::deque<std::string>;

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  void PushFront(std::string_view v);
  void PushBack(std::string_view v);
  // Requires: !empty().
  std::string PopFront();
  std::string PopBack();

  // Maps a Redis index (negative counts from the tail) to a position; false when outside.
  bool ResolveIndex(int64_t index, size_t* pos) const;
  // Requires: pos < size().
  const std::string& At(size_t pos) const { return items_[pos]; }
  void Set(size_t pos, std::string_view v);
  // Inserts `v` before position `pos` (pos == size() appends).
  void InsertAt(size_t pos, std::string_view v);
  // First position holding `v`, or size() when absent.
  size_t Find(std::string_view v) const;

  // LREM: removes up to `limit` elements equal to `v` (0 = all), scanning from the tail when
  // `from_tail`. Returns how many were removed. One pass, O(n).
  size_t Remove(std::string_view v, size_t limit, bool from_tail);
  // Removes `front` elements from the head and `back` from the tail (clamped).
  void TrimEnds(size_t front, size_t back);

  Container::const_iterator begin() const { return items_.begin(); }
  Container::const_iterator end() const { return items_.end(); }

  size_t AllocatedBytes() const;
  Encoding encoding() const { return Encoding::kQuicklist; }

 private:
  // Heap bytes a string of this length owns beyond the std::string object itself.
  static size_t HeapCost(size_t len);

  Container items_;
  size_t heap_bytes_ = 0;  // sum of HeapCost over the elements
};

}  // namespace vigil::datanode
