#include "datanode/store/expire_table.h"

#include <algorithm>

namespace vigil::datanode {

size_t ExpireTable::Home(const Entry* e) const {
  uint64_t x = reinterpret_cast<uintptr_t>(e);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return size_t(x) & (slots_.size() - 1);
}

size_t ExpireTable::FindIndex(const Entry* e) const {
  if (slots_.empty()) return 0;
  size_t i = Home(e);
  while (slots_[i].entry != nullptr) {
    if (slots_[i].entry == e) return i;
    i = (i + 1) & (slots_.size() - 1);
  }
  return slots_.size();
}

int64_t ExpireTable::Get(const Entry* e) const {
  size_t i = FindIndex(e);
  return i < slots_.size() ? slots_[i].when : -1;
}

void ExpireTable::Rebuild(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  size_ = 0;
  for (const Slot& s : old) {
    if (s.entry != nullptr) Set(s.entry, s.when);
  }
}

void ExpireTable::Grow() {
  Rebuild(slots_.empty() ? 16 : slots_.size() * 2);
}

void ExpireTable::Shrink() {
  size_t cap = 16;
  while (cap < size_ * 2) cap <<= 1;
  if (cap < slots_.size()) Rebuild(cap);
}

void ExpireTable::Set(const Entry* e, int64_t when_ms) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();  // keep load under 75%
  size_t i = Home(e);
  while (slots_[i].entry != nullptr) {
    if (slots_[i].entry == e) {
      slots_[i].when = when_ms;
      return;
    }
    i = (i + 1) & (slots_.size() - 1);
  }
  slots_[i] = Slot{e, when_ms};
  ++size_;
}

bool ExpireTable::Remove(const Entry* e) {
  size_t i = FindIndex(e);
  if (i >= slots_.size()) return false;
  // Backward-shift deletion keeps probe chains intact without tombstones.
  const size_t mask = slots_.size() - 1;
  size_t j = i;
  while (true) {
    j = (j + 1) & mask;
    if (slots_[j].entry == nullptr) break;
    size_t home = Home(slots_[j].entry);
    bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
  --size_;
  if (slots_.size() > 16 && size_ * 8 < slots_.size()) Shrink();
  return true;
}

void ExpireTable::Rekey(const Entry* from, const Entry* to) {
  int64_t when = Get(from);
  if (when < 0) return;
  Remove(from);
  Set(to, when);
}

void ExpireTable::Clear() {
  slots_.clear();
  slots_.shrink_to_fit();
  size_ = 0;
}

}  // namespace vigil::datanode
