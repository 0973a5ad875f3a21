#pragma once
// ExpireTable: the expiry time of each volatile key, keyed by its Entry. Open addressing with
// linear probing and backward-shift deletion: 16 bytes a slot, no per-key allocation. The
// active expiry cycle walks it with a cursor, as Redis's walks its expires dict.
#include <cstdint>
#include <vector>

#include "datanode/store/entry.h"

namespace vigil::datanode {

class ExpireTable {
 public:
  size_t size() const { return size_; }
  // Requires: e != nullptr. Returns -1 when the entry has no expiry here.
  int64_t Get(const Entry* e) const;
  void Set(const Entry* e, int64_t when_ms);
  bool Remove(const Entry* e);
  // Moves an expiry from one entry to its replacement (same key, new allocation).
  void Rekey(const Entry* from, const Entry* to);
  void Clear();

  // Visits up to `max_slots` slots from `*cursor` (wrapping), calling fn(entry, when) for each
  // occupied slot. fn may not modify the table; collect and delete afterwards.
  template <typename Fn>
  void Walk(size_t* cursor, size_t max_slots, Fn&& fn) const {
    if (slots_.empty()) return;
    for (size_t n = 0; n < max_slots && n < slots_.size(); ++n) {
      size_t i = (*cursor + n) & (slots_.size() - 1);
      if (slots_[i].entry != nullptr) fn(slots_[i].entry, slots_[i].when);
    }
    *cursor = (*cursor + std::min(max_slots, slots_.size())) & (slots_.size() - 1);
  }
  size_t capacity() const { return slots_.size(); }
  // 1 for every occupied slot, 0 for a free one (DEBUG HTSTATS shows it as a table of chains).
  std::vector<size_t> ChainLengths() const {
    std::vector<size_t> out(slots_.size());
    for (size_t i = 0; i < slots_.size(); ++i) out[i] = slots_[i].entry != nullptr ? 1 : 0;
    return out;
  }
  // A random volatile entry (random slot, then the next occupied one), nullptr if empty.
  const Entry* Random(uint64_t r) const {
    if (size_ == 0) return nullptr;
    size_t i = size_t(r) & (slots_.size() - 1);
    while (slots_[i].entry == nullptr) i = (i + 1) & (slots_.size() - 1);
    return slots_[i].entry;
  }

 private:
  struct Slot {
    const Entry* entry = nullptr;
    int64_t when = 0;
  };
  size_t Home(const Entry* e) const;
  size_t FindIndex(const Entry* e) const;  // slots_.size() when absent
  void Grow();
  void Shrink();
  void Rebuild(size_t capacity);

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace vigil::datanode
