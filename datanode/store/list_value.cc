#include "datanode/store/list_value.h"

#include <algorithm>

namespace vigil::datanode {

size_t ListValue::HeapCost(size_t len) {
  // libstdc++ keeps up to 15 bytes inline; longer strings own a len+1 byte buffer.
  return len > 15 ? len + 1 : 0;
}

void ListValue::PushFront(std::string_view v) {
  items_.emplace_front(v);
  heap_bytes_ += HeapCost(v.size());
}

void ListValue::PushBack(std::string_view v) {
  items_.emplace_back(v);
  heap_bytes_ += HeapCost(v.size());
}

std::string ListValue::PopFront() {
  std::string v = std::move(items_.front());
  items_.pop_front();
  heap_bytes_ -= HeapCost(v.size());
  return v;
}

std::string ListValue::PopBack() {
  std::string v = std::move(items_.back());
  items_.pop_back();
  heap_bytes_ -= HeapCost(v.size());
  return v;
}

bool ListValue::ResolveIndex(int64_t index, size_t* pos) const {
  const int64_t n = int64_t(items_.size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  *pos = size_t(index);
  return true;
}

void ListValue::Set(size_t pos, std::string_view v) {
  heap_bytes_ -= HeapCost(items_[pos].size());
  items_[pos].assign(v);
  heap_bytes_ += HeapCost(v.size());
}

void ListValue::InsertAt(size_t pos, std::string_view v) {
  items_.emplace(items_.begin() + std::ptrdiff_t(pos), v);
  heap_bytes_ += HeapCost(v.size());
}

size_t ListValue::Find(std::string_view v) const {
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i] == v) return i;
  }
  return items_.size();
}

size_t ListValue::Remove(std::string_view v, size_t limit, bool from_tail) {
  size_t removed = 0;
  auto matches = [&](const std::string& s) {
    if (s != v || (limit != 0 && removed == limit)) return false;
    ++removed;
    heap_bytes_ -= HeapCost(s.size());
    return true;
  };
  if (from_tail) {
    // Compact towards the tail so that the matches nearest the tail go first.
    auto keep = std::remove_if(items_.rbegin(), items_.rend(), matches);
    items_.erase(items_.begin(), items_.begin() + (items_.rend() - keep));
  } else {
    auto keep = std::remove_if(items_.begin(), items_.end(), matches);
    items_.erase(keep, items_.end());
  }
  return removed;
}

void ListValue::TrimEnds(size_t front, size_t back) {
  front = std::min(front, items_.size());
  for (size_t i = 0; i < front; ++i) heap_bytes_ -= HeapCost(items_[i].size());
  items_.erase(items_.begin(), items_.begin() + std::ptrdiff_t(front));
  back = std::min(back, items_.size());
  for (size_t i = items_.size() - back; i < items_.size(); ++i) {
    heap_bytes_ -= HeapCost(items_[i].size());
  }
  items_.erase(items_.end() - std::ptrdiff_t(back), items_.end());
}

size_t ListValue::AllocatedBytes() const {
  return sizeof(*this) + items_.size() * sizeof(std::string) + heap_bytes_;
}

}  // namespace vigil::datanode
