#include "datanode/store/key_table.h"

#include "common/base/check.h"
#include "datanode/store/key_hash.h"

namespace vigil::datanode {
namespace {

constexpr size_t kInitialBuckets = 4;

uint64_t Rev(uint64_t v) {
  // Bit reversal, as in Redis's dictScan cursor.
  uint64_t s = 64, mask = ~0ULL;
  while ((s >>= 1) > 0) {
    mask ^= (mask << s);
    v = ((v >> s) & mask) | ((v << s) & ~mask);
  }
  return v;
}

size_t NextPow2(size_t n) {
  size_t p = kInitialBuckets;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

KeyTable::~KeyTable() {
  Clear();
}

uint64_t KeyTable::Hash(std::string_view key) const {
  return HashBytes(key, seed_);
}

void KeyTable::Clear() {
  for (auto& t : t_) {
    for (Entry* e : t) {
      while (e != nullptr) {
        Entry* next = e->next;
        Entry::Free(e);
        e = next;
      }
    }
    t.clear();
    t.shrink_to_fit();
  }
  rehash_idx_ = -1;
  size_ = 0;
}

bool KeyTable::RehashStep(size_t buckets) {
  if (rehash_idx_ < 0) return false;
  size_t empty_visits = buckets * 10;
  while (buckets > 0 && size_t(rehash_idx_) < t_[0].size()) {
    Entry*& head = t_[0][size_t(rehash_idx_)];
    if (head == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) break;
      continue;
    }
    const size_t mask = t_[1].size() - 1;
    while (head != nullptr) {
      Entry* e = head;
      head = e->next;
      size_t b = Hash(e->key()) & mask;
      e->next = t_[1][b];
      t_[1][b] = e;
    }
    ++rehash_idx_;
    --buckets;
  }
  if (size_t(rehash_idx_) >= t_[0].size()) {
    t_[0] = std::move(t_[1]);
    t_[1] = {};
    rehash_idx_ = -1;
    MaybeResize();  // a shrink may be due already
  }
  return rehash_idx_ >= 0;
}

void KeyTable::StartRehash(size_t new_size) {
  if (t_[0].empty()) {
    t_[0].assign(new_size, nullptr);
    return;
  }
  t_[1].assign(new_size, nullptr);
  rehash_idx_ = 0;
}

void KeyTable::MaybeResize() {
  if (rehashing()) return;
  size_t buckets = t_[0].size();
  if (buckets == 0) {
    StartRehash(kInitialBuckets);
  } else if (size_ >= buckets) {
    StartRehash(NextPow2(size_ + 1));
  } else if (buckets > kInitialBuckets && size_ * 10 < buckets) {
    // Below 10% fill, shrink as Redis's tryResizeHashTables does.
    StartRehash(NextPow2(size_ > 0 ? size_ : 1));
  }
}

Entry** KeyTable::FindSlot(std::string_view key, uint64_t h) {
  for (int t = 0; t <= (rehashing() ? 1 : 0); ++t) {
    if (t_[t].empty()) continue;
    Entry** slot = &t_[t][h & (t_[t].size() - 1)];
    while (*slot != nullptr) {
      if ((*slot)->key() == key) return slot;
      slot = &(*slot)->next;
    }
  }
  return nullptr;
}

Entry* KeyTable::Find(std::string_view key) {
  if (size_ == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  Entry** slot = FindSlot(key, Hash(key));
  return slot ? *slot : nullptr;
}

void KeyTable::Insert(Entry* e) {
  if (rehashing()) RehashStep(1);
  MaybeResize();
  auto& t = rehashing() ? t_[1] : t_[0];
  size_t b = Hash(e->key()) & (t.size() - 1);
  e->next = t[b];
  t[b] = e;
  ++size_;
}

Entry* KeyTable::Replace(Entry* e) {
  Entry** slot = FindSlot(e->key(), Hash(e->key()));
  VIGIL_CHECK(slot != nullptr);
  Entry* old = *slot;
  e->next = old->next;
  *slot = e;
  old->next = nullptr;
  return old;
}

Entry* KeyTable::Remove(std::string_view key) {
  if (size_ == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  Entry** slot = FindSlot(key, Hash(key));
  if (slot == nullptr) return nullptr;
  Entry* e = *slot;
  *slot = e->next;
  e->next = nullptr;
  --size_;
  MaybeResize();
  return e;
}

uint64_t KeyTable::Scan(uint64_t v, const std::function<void(Entry*)>& fn) const {
  if (size_ == 0) return 0;
  auto emit = [&fn](Entry* e) {
    while (e != nullptr) {
      Entry* next = e->next;
      fn(e);
      e = next;
    }
  };
  if (!rehashing()) {
    const uint64_t m0 = t_[0].size() - 1;
    emit(t_[0][v & m0]);
    v |= ~m0;
    v = Rev(v);
    ++v;
    return Rev(v);
  }
  const std::vector<Entry*>* small = &t_[0];
  const std::vector<Entry*>* large = &t_[1];
  if (small->size() > large->size()) std::swap(small, large);
  const uint64_t m0 = small->size() - 1, m1 = large->size() - 1;
  emit((*small)[v & m0]);
  do {
    emit((*large)[v & m1]);
    v |= ~m1;
    v = Rev(v);
    ++v;
    v = Rev(v);
  } while (v & (m0 ^ m1));
  return v;
}

Entry* KeyTable::Random(uint64_t r1, uint64_t r2) const {
  if (size_ == 0) return nullptr;
  // A random bucket, then the next non-empty one: a slight bias towards entries after long
  // empty runs, acceptable for eviction sampling and RANDOMKEY (Redis is biased too).
  const size_t total = t_[0].size() + t_[1].size();
  auto bucket = [this](size_t i) { return i < t_[0].size() ? t_[0][i] : t_[1][i - t_[0].size()]; };
  size_t i = size_t(r1 % total);
  Entry* head = bucket(i);
  while (head == nullptr) {
    i = (i + 1) % total;
    head = bucket(i);
  }
  size_t len = 0;
  for (Entry* e = head; e != nullptr; e = e->next) ++len;
  size_t pick = size_t(r2 % len);
  while (pick-- > 0) head = head->next;
  return head;
}

void KeyTable::ForEach(const std::function<void(Entry*)>& fn) const {
  for (const auto& t : t_) {
    for (Entry* e : t) {
      for (; e != nullptr; e = e->next) fn(e);
    }
  }
}

std::vector<size_t> KeyTable::ChainLengths(int t) const {
  std::vector<size_t> out;
  out.reserve(t_[t].size());
  for (const Entry* head : t_[t]) {
    size_t n = 0;
    for (const Entry* e = head; e != nullptr; e = e->next) ++n;
    out.push_back(n);
  }
  return out;
}

}  // namespace vigil::datanode
