#pragma once
// ChainedTable<Node, KeyOf>: Redis's dict mechanics over our own intrusive nodes, shared by the
// keyspace (KeyTable) and hashtable-encoded sets (SetValue).
//
// - Buckets are a power of two with chained nodes (`Node* next`).
// - Growing (at one node per bucket) and shrinking (below 10% fill) build a second bucket array
//   and move one bucket per operation: incremental rehashing, so no single command pays for
//   resizing a big table.
// - SCAN's cursor is Redis's reverse-binary increment over both arrays, so a scan returns every
//   node present for its whole duration across resizes, and cursors and visiting order have
//   Redis's shape. Tools and tests rely on that order (upstream's set tests remove members in
//   SSCAN order to build a single long chain and watch it in DEBUG HTSTATS-KEY).
// - While a fork child shares our pages, resizing and rehashing are avoided (see
//   TableResizePolicy), as Redis does to keep copy-on-write cheap.
//
// KeyOf::Key(const Node&) returns the node's key as a std::string_view. The table never owns
// nodes: Remove unlinks and returns, Clear hands every node to a callback. GrowGuard may veto
// growing (Redis's dictType expandAllowed): Allow(bytes of the new bucket array, nodes per
// bucket) is asked before each growth; the keyspace uses it to stay under maxmemory.
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "datanode/store/key_hash.h"

namespace vigil::datanode {

// Redis's dict_can_resize: kEnable normally, kAvoid while a fork child runs (resize or rehash
// only when a table is 5x over- or under-sized), kForbid inside the child itself.
enum class TableResizePolicy { kEnable, kAvoid, kForbid };

// Process-wide, as the fork child is: set by the fork owner, read by every table.
TableResizePolicy CurrentTableResizePolicy();
void SetTableResizePolicy(TableResizePolicy policy);

// The seed of member hashes. The server sets a random one at start-up, before any set exists,
// so clients cannot choose colliding members; the store itself takes no OS randomness.
uint64_t ProcessHashSeed();
void SetProcessHashSeed(uint64_t seed);

struct AlwaysGrow {
  bool Allow(size_t /*more_bytes*/, double /*load*/) const { return true; }
};

template <typename Node, typename KeyOf, typename GrowGuard = AlwaysGrow>
class ChainedTable {
 public:
  static constexpr size_t kInitialBuckets = 4;
  // Redis's dict_force_resize_ratio.
  static constexpr size_t kForceResizeRatio = 5;

  explicit ChainedTable(uint64_t seed) : seed_(seed) {}
  ChainedTable(const ChainedTable&) = delete;
  ChainedTable& operator=(const ChainedTable&) = delete;
  ChainedTable(ChainedTable&& o) noexcept
      : seed_(o.seed_), guard_(o.guard_), rehash_idx_(o.rehash_idx_) {
    for (int t = 0; t < 2; ++t) {
      t_[t] = std::move(o.t_[t]);
      used_[t] = o.used_[t];
      o.used_[t] = 0;
    }
    o.rehash_idx_ = -1;
  }
  // Exchanges contents with `o`: the table owns no nodes, so the caller frees ours first.
  ChainedTable& operator=(ChainedTable&& o) noexcept {
    std::swap(seed_, o.seed_);
    std::swap(guard_, o.guard_);
    for (int t = 0; t < 2; ++t) {
      std::swap(t_[t], o.t_[t]);
      std::swap(used_[t], o.used_[t]);
    }
    std::swap(rehash_idx_, o.rehash_idx_);
    return *this;
  }

  size_t size() const { return used_[0] + used_[1]; }
  GrowGuard& grow_guard() { return guard_; }
  bool rehashing() const { return rehash_idx_ >= 0; }
  size_t bucket_count() const { return t_[0].size() + t_[1].size(); }
  uint64_t Hash(std::string_view key) const { return HashBytes(key, seed_); }

  // Looks `key` up without advancing a rehash (for const readers).
  Node* Peek(std::string_view key) const {
    int t = 0;
    Node* const* slot = FindSlot(key, Hash(key), &t);
    return slot ? *slot : nullptr;
  }
  // Looks `key` up, first moving one bucket of an ongoing rehash, as Redis's dictFind does.
  Node* Find(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashStep(1);
    return Peek(key);
  }
  // Requires: no node with the same key.
  void Insert(Node* n) {
    if (rehashing()) RehashStep(1);
    MaybeGrow();
    const int t = rehashing() ? 1 : 0;
    const size_t b = Hash(KeyOf::Key(*n)) & (t_[t].size() - 1);
    n->next = t_[t][b];
    t_[t][b] = n;
    ++used_[t];
  }
  // Puts `n` where the node with the same key was and returns that node. Requires: present.
  Node* Replace(Node* n) {
    int t = 0;
    Node** slot = FindSlot(KeyOf::Key(*n), Hash(KeyOf::Key(*n)), &t);
    Node* old = *slot;
    n->next = old->next;
    *slot = n;
    old->next = nullptr;
    return old;
  }
  // Unlinks the node with this key and returns it, or nullptr; then shrinks below 10% fill.
  Node* Remove(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashStep(1);
    int t = 0;
    Node** slot = FindSlot(key, Hash(key), &t);
    if (slot == nullptr) return nullptr;
    Node* n = *slot;
    *slot = n->next;
    n->next = nullptr;
    --used_[t];
    MaybeShrink();
    return n;
  }
  // Redis's htNeedsResize + dictResize: below 10% fill, when resizing is enabled and no rehash
  // runs, start shrinking to the smallest power of two that holds every node.
  void MaybeShrink() {
    if (rehashing() || CurrentTableResizePolicy() != TableResizePolicy::kEnable) return;
    const size_t buckets = t_[0].size();
    if (buckets > kInitialBuckets && size() * 100 / buckets < 10) {
      StartRehash(NextPow2(size() > 0 ? size() : 1));
    }
  }
  // Empties the table, passing every node to `free_node`.
  template <typename F>
  void Clear(F&& free_node) {
    for (auto& t : t_) {
      for (Node* n : t) {
        while (n != nullptr) {
          Node* next = n->next;
          free_node(n);
          n = next;
        }
      }
      t.clear();
      t.shrink_to_fit();
    }
    used_[0] = used_[1] = 0;
    rehash_idx_ = -1;
  }

  // Moves up to `buckets` buckets of an ongoing rehash (visiting at most 10 empty buckets per
  // bucket asked for); false when no rehash is in progress afterwards.
  bool RehashStep(size_t buckets) {
    if (rehash_idx_ < 0 || !RehashAllowed()) return rehashing();
    size_t empty_visits = buckets * 10;
    while (buckets > 0 && used_[0] > 0) {
      Node*& head = t_[0][size_t(rehash_idx_)];
      if (head == nullptr) {
        ++rehash_idx_;
        if (--empty_visits == 0) break;
        continue;
      }
      const size_t mask = t_[1].size() - 1;
      while (head != nullptr) {
        Node* n = head;
        head = n->next;
        const size_t b = Hash(KeyOf::Key(*n)) & mask;
        n->next = t_[1][b];
        t_[1][b] = n;
        --used_[0];
        ++used_[1];
      }
      ++rehash_idx_;
      --buckets;
    }
    if (used_[0] == 0) {  // the rest of the old array is empty buckets
      t_[0] = std::move(t_[1]);
      t_[1] = {};
      used_[0] = used_[1];
      used_[1] = 0;
      rehash_idx_ = -1;
    }
    return rehashing();
  }

  // One SCAN step over the bucket(s) `cursor` names; calls fn(Node*) for each node there and
  // returns the next cursor (0 when done). `fn` must not modify the table.
  template <typename F>
  uint64_t Scan(uint64_t v, F&& fn) const {
    if (size() == 0) return 0;
    auto emit = [&fn](Node* n) {
      while (n != nullptr) {
        Node* next = n->next;
        fn(n);
        n = next;
      }
    };
    if (!rehashing()) {
      const uint64_t m0 = t_[0].size() - 1;
      emit(t_[0][v & m0]);
      return NextCursor(v, m0);
    }
    const std::vector<Node*>* small = &t_[0];
    const std::vector<Node*>* large = &t_[1];
    if (small->size() > large->size()) std::swap(small, large);
    const uint64_t m0 = small->size() - 1, m1 = large->size() - 1;
    emit((*small)[v & m0]);
    // Then every bucket of the larger array that the smaller one's bucket expands to.
    do {
      emit((*large)[v & m1]);
      v = NextCursor(v, m1);
    } while (v & (m0 ^ m1));
    return v;
  }

  // A random node: a random bucket, then the first non-empty one from there, then a random
  // position in its chain. Biased towards nodes after long empty runs, as Redis's is; nullptr
  // when empty.
  Node* Random(uint64_t r1, uint64_t r2) const {
    if (size() == 0) return nullptr;
    const size_t total = bucket_count();
    auto bucket = [this](size_t i) {
      return i < t_[0].size() ? t_[0][i] : t_[1][i - t_[0].size()];
    };
    size_t i = size_t(r1 % total);
    Node* head = bucket(i);
    while (head == nullptr) {
      i = (i + 1) % total;
      head = bucket(i);
    }
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = n->next) ++len;
    size_t pick = size_t(r2 % len);
    while (pick-- > 0) head = head->next;
    return head;
  }

  template <typename F>
  void ForEach(F&& fn) const {
    for (const auto& t : t_) {
      for (Node* n : t) {
        for (; n != nullptr; n = n->next) fn(n);
      }
    }
  }

  // The chain length of every bucket of array `t` (1 is the rehash target), for DEBUG HTSTATS.
  std::vector<size_t> ChainLengths(int t) const {
    std::vector<size_t> out;
    out.reserve(t_[t].size());
    for (const Node* head : t_[t]) {
      size_t n = 0;
      for (const Node* e = head; e != nullptr; e = e->next) ++n;
      out.push_back(n);
    }
    return out;
  }

 private:
  static uint64_t Rev(uint64_t v) {
    uint64_t s = 64, mask = ~0ULL;
    while ((s >>= 1) > 0) {
      mask ^= (mask << s);
      v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
  }
  // Redis's cursor increment: set the unmasked bits, then add one to the reversed value.
  static uint64_t NextCursor(uint64_t v, uint64_t mask) {
    v |= ~mask;
    v = Rev(v);
    ++v;
    return Rev(v);
  }
  static size_t NextPow2(size_t n) {
    size_t p = kInitialBuckets;
    while (p < n) p <<= 1;
    return p;
  }

  bool RehashAllowed() const {
    switch (CurrentTableResizePolicy()) {
      case TableResizePolicy::kEnable:
        return true;
      case TableResizePolicy::kForbid:
        return false;
      case TableResizePolicy::kAvoid: {
        const size_t s0 = t_[0].size(), s1 = t_[1].size();
        return s1 > s0 ? s1 / s0 >= kForceResizeRatio : s0 / s1 >= kForceResizeRatio;
      }
    }
    return true;
  }
  void StartRehash(size_t new_size) {
    if (t_[0].empty()) {
      t_[0].assign(new_size, nullptr);
      return;
    }
    t_[1].assign(new_size, nullptr);
    rehash_idx_ = 0;
  }
  // Redis's _dictExpandIfNeeded: at one node per bucket, or 5x over even with a child.
  void MaybeGrow() {
    if (rehashing()) return;
    const size_t buckets = t_[0].size();
    if (buckets == 0) {
      StartRehash(kInitialBuckets);
      return;
    }
    const TableResizePolicy p = CurrentTableResizePolicy();
    const size_t used = size();
    if ((p == TableResizePolicy::kEnable && used >= buckets) ||
        (p != TableResizePolicy::kForbid && used / buckets > kForceResizeRatio)) {
      const size_t target = NextPow2(used + 1);
      if (!guard_.Allow(target * sizeof(Node*), double(used) / double(buckets))) return;
      StartRehash(target);
    }
  }

  // The slot holding `key`'s node and, in *table, which array it is in; nullptr if absent.
  Node** FindSlot(std::string_view key, uint64_t h, int* table) {
    return const_cast<Node**>(std::as_const(*this).FindSlot(key, h, table));
  }
  Node* const* FindSlot(std::string_view key, uint64_t h, int* table) const {
    for (int t = 0; t <= (rehashing() ? 1 : 0); ++t) {
      if (t_[t].empty()) continue;
      Node* const* slot = &t_[t][h & (t_[t].size() - 1)];
      while (*slot != nullptr) {
        if (KeyOf::Key(**slot) == key) {
          *table = t;
          return slot;
        }
        slot = &(*slot)->next;
      }
    }
    return nullptr;
  }

  uint64_t seed_;
  [[no_unique_address]] GrowGuard guard_;
  std::vector<Node*> t_[2];
  size_t used_[2] = {0, 0};  // nodes in each array
  int64_t rehash_idx_ = -1;
};

}  // namespace vigil::datanode
