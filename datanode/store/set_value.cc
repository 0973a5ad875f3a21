#include "datanode/store/set_value.h"

#include <algorithm>

#include "common/base/check.h"
#include "datanode/store/entry.h"

namespace vigil::datanode {

SetValue::SetValue(const SetValue& other)
    : intset_(other.intset_),
      ints_(other.ints_),
      index_(other.index_),
      member_bytes_(other.member_bytes_) {
  RebuildDense();
}

SetValue& SetValue::operator=(const SetValue& other) {
  if (this != &other) {
    intset_ = other.intset_;
    ints_ = other.ints_;
    index_ = other.index_;
    member_bytes_ = other.member_bytes_;
    RebuildDense();
  }
  return *this;
}

void SetValue::RebuildDense() {
  dense_.assign(index_.size(), nullptr);
  for (const auto& [member, pos] : index_) dense_[pos] = &member;
}

bool SetValue::HashAdd(std::string_view member) {
  auto [it, inserted] = index_.emplace(std::string(member), dense_.size());
  if (!inserted) return false;
  dense_.push_back(&it->first);
  if (member.size() > 15) member_bytes_ += member.size() + 1;
  return true;
}

void SetValue::ConvertToHashtable() {
  VIGIL_CHECK(intset_);
  intset_ = false;
  index_.reserve(ints_.size() + 1);
  for (int64_t v : ints_) HashAdd(std::to_string(v));
  ints_.clear();
  ints_.shrink_to_fit();
}

bool SetValue::Add(std::string_view member, size_t max_intset_entries) {
  if (intset_) {
    int64_t v = 0;
    if (ParseCanonicalInt(member, &v)) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
      if (it != ints_.end() && *it == v) return false;
      ints_.insert(it, v);
      if (ints_.size() > max_intset_entries) ConvertToHashtable();
      return true;
    }
    ConvertToHashtable();
  }
  return HashAdd(member);
}

bool SetValue::Remove(std::string_view member) {
  if (intset_) {
    int64_t v = 0;
    if (!ParseCanonicalInt(member, &v)) return false;
    auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
    if (it == ints_.end() || *it != v) return false;
    ints_.erase(it);
    return true;
  }
  auto it = index_.find(member);
  if (it == index_.end()) return false;
  const size_t pos = it->second;
  const size_t last = dense_.size() - 1;
  if (pos != last) {
    dense_[pos] = dense_[last];
    index_.find(*dense_[pos])->second = pos;
  }
  dense_.pop_back();
  if (member.size() > 15) member_bytes_ -= member.size() + 1;
  index_.erase(it);
  return true;
}

bool SetValue::Contains(std::string_view member) const {
  if (intset_) {
    int64_t v = 0;
    return ParseCanonicalInt(member, &v) && std::binary_search(ints_.begin(), ints_.end(), v);
  }
  return index_.find(member) != index_.end();
}

std::string SetValue::MemberAt(size_t i) const {
  VIGIL_CHECK(i < size());
  return intset_ ? std::to_string(ints_[i]) : *dense_[i];
}

void SetValue::ForEach(const std::function<void(std::string_view)>& fn) const {
  if (intset_) {
    for (int64_t v : ints_) fn(std::to_string(v));
  } else {
    for (const std::string* m : dense_) fn(*m);
  }
}

std::vector<std::string> SetValue::Members() const {
  std::vector<std::string> out;
  out.reserve(size());
  ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

uint64_t SetValue::Scan(uint64_t cursor, size_t count,
                        const std::function<void(std::string_view)>& fn) const {
  if (intset_) {
    ForEach(fn);
    return 0;
  }
  size_t i = size_t(cursor);
  for (size_t n = 0; i < dense_.size() && n < count; ++i, ++n) fn(*dense_[i]);
  return i >= dense_.size() ? 0 : i;
}

size_t SetValue::AllocatedBytes() const {
  if (intset_) return sizeof(*this) + ints_.capacity() * sizeof(int64_t);
  // A map node holds the string, the position and the chain pointer (plus the cached hash).
  constexpr size_t kNode = sizeof(std::string) + sizeof(size_t) + 2 * sizeof(void*);
  return sizeof(*this) + dense_.capacity() * sizeof(void*) + index_.bucket_count() * sizeof(void*) +
         index_.size() * kNode + member_bytes_;
}

}  // namespace vigil::datanode
