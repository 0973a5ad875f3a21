#include "datanode/store/set_value.h"

#include <algorithm>

#include "common/base/check.h"
#include "datanode/store/entry.h"

namespace vigil::datanode {

namespace {
// Redis's GETFAIR_NUM_ENTRIES: how many rehash steps a random pick takes at most.
constexpr size_t kSampleRehashSteps = 15;
}  // namespace

SetValue::~SetValue() {
  FreeNodes();
}

SetValue::SetValue(const SetValue& other) {
  CopyFrom(other);
}

SetValue& SetValue::operator=(const SetValue& other) {
  if (this != &other) {
    FreeNodes();
    CopyFrom(other);
  }
  return *this;
}

SetValue::SetValue(SetValue&& other) noexcept
    : intset_(other.intset_),
      ints_(std::move(other.ints_)),
      table_(std::move(other.table_)),
      dense_(std::move(other.dense_)),
      member_bytes_(other.member_bytes_) {
  other.dense_.clear();
  other.member_bytes_ = 0;
}

SetValue& SetValue::operator=(SetValue&& other) noexcept {
  if (this != &other) {
    FreeNodes();
    intset_ = other.intset_;
    ints_ = std::move(other.ints_);
    table_ = std::move(other.table_);  // swaps with our now empty table
    dense_ = std::move(other.dense_);
    member_bytes_ = other.member_bytes_;
    other.dense_.clear();
    other.member_bytes_ = 0;
  }
  return *this;
}

void SetValue::FreeNodes() {
  table_.Clear([](Node* n) { delete n; });
  dense_.clear();
  member_bytes_ = 0;
}

void SetValue::CopyFrom(const SetValue& other) {
  intset_ = other.intset_;
  ints_ = other.ints_;
  dense_.reserve(other.dense_.size());
  for (const Node* n : other.dense_) HashAdd(n->member);
}

bool SetValue::HashAdd(std::string_view member) {
  if (table_.Peek(member) != nullptr) return false;
  Node* n = new Node{nullptr, dense_.size(), std::string(member)};
  dense_.push_back(n);
  table_.Insert(n);
  if (member.size() > 15) member_bytes_ += member.size() + 1;
  return true;
}

void SetValue::ConvertToHashtable() {
  VIGIL_CHECK(intset_);
  intset_ = false;
  dense_.reserve(ints_.size() + 1);
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
  Node* n = table_.Remove(member);
  if (n == nullptr) return false;
  Node* last = dense_.back();
  dense_[n->pos] = last;
  last->pos = n->pos;
  dense_.pop_back();
  if (member.size() > 15) member_bytes_ -= member.size() + 1;
  delete n;
  return true;
}

bool SetValue::Contains(std::string_view member) const {
  if (intset_) {
    int64_t v = 0;
    return ParseCanonicalInt(member, &v) && std::binary_search(ints_.begin(), ints_.end(), v);
  }
  return table_.Peek(member) != nullptr;
}

std::string SetValue::MemberAt(size_t i) const {
  VIGIL_CHECK(i < size());
  return intset_ ? std::to_string(ints_[i]) : dense_[i]->member;
}

std::string SetValue::SampleAt(size_t i) {
  if (!intset_) {
    const size_t steps = std::min(kSampleRehashSteps, size());
    for (size_t s = 0; s < steps && table_.rehashing(); ++s) table_.RehashStep(1);
  }
  return MemberAt(i);
}

void SetValue::ForEach(const std::function<void(std::string_view)>& fn) const {
  if (intset_) {
    for (int64_t v : ints_) fn(std::to_string(v));
  } else {
    for (const Node* n : dense_) fn(n->member);
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
  size_t seen = 0;
  size_t budget = count * 10;
  do {
    cursor = table_.Scan(cursor, [&](const Node* n) {
      fn(n->member);
      ++seen;
    });
  } while (cursor != 0 && budget-- > 0 && seen < count);
  return cursor;
}

size_t SetValue::AllocatedBytes() const {
  if (intset_) return sizeof(*this) + ints_.capacity() * sizeof(int64_t);
  // A node and its allocator header.
  constexpr size_t kNode = sizeof(Node) + sizeof(void*);
  return sizeof(*this) + dense_.capacity() * sizeof(void*) + table_.bucket_count() * sizeof(void*) +
         dense_.size() * kNode + member_bytes_;
}

}  // namespace vigil::datanode
