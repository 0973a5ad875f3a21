#include "datanode/store/hash_value.h"

#include <algorithm>

#include "datanode/store/key_hash.h"

namespace vigil::datanode {
namespace {

// A fixed seed: hash contents never reach a hash-flooding attacker's control of the keyspace
// table, and a fixed seed keeps hashtable iteration order reproducible in tests.
constexpr uint64_t kFieldHashSeed = 0x6a09e667f3bcc909ULL;

bool ReadVarint(const std::string& buf, size_t* pos, size_t* out) {
  size_t v = 0;
  int shift = 0;
  while (*pos < buf.size()) {
    const auto b = static_cast<unsigned char>(buf[(*pos)++]);
    v |= size_t(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
    shift += 7;
  }
  return false;
}

uint64_t ReverseBits(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 64; ++i) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  return r;
}

}  // namespace

HashValue::HashValue(const HashValue& other) {
  *this = other;
}

HashValue& HashValue::operator=(const HashValue& other) {
  if (this == &other) return *this;
  FreeNodes();
  packed_ = other.packed_;
  size_ = 0;
  node_heap_bytes_ = 0;
  if (other.is_listpack()) {
    size_ = other.size_;
    return *this;
  }
  buckets_.assign(other.buckets_.size(), nullptr);
  other.ForEach([this](std::string_view f, std::string_view v) {
    InsertNode(new Node{nullptr, std::string(f), std::string(v)});
  });
  return *this;
}

HashValue::~HashValue() {
  FreeNodes();
}

void HashValue::FreeNodes() {
  for (Node* head : buckets_) {
    while (head != nullptr) {
      Node* next = head->next;
      delete head;
      head = next;
    }
  }
  buckets_.clear();
}

// ---- listpack ----

void HashValue::AppendPacked(std::string* buf, std::string_view s) {
  size_t n = s.size();
  do {
    unsigned char b = n & 0x7F;
    n >>= 7;
    if (n != 0) b |= 0x80;
    buf->push_back(static_cast<char>(b));
  } while (n != 0);
  buf->append(s);
}

bool HashValue::NextPacked(size_t* pos, std::string_view* field, std::string_view* value) const {
  size_t len = 0;
  if (*pos >= packed_.size() || !ReadVarint(packed_, pos, &len)) return false;
  *field = std::string_view(packed_).substr(*pos, len);
  *pos += len;
  ReadVarint(packed_, pos, &len);
  *value = std::string_view(packed_).substr(*pos, len);
  *pos += len;
  return true;
}

size_t HashValue::FindPacked(std::string_view field, size_t* value_at, size_t* end_at) const {
  size_t pos = 0;
  while (pos < packed_.size()) {
    const size_t start = pos;
    std::string_view f, v;
    NextPacked(&pos, &f, &v);
    if (f == field) {
      // The varint before the value starts right after the field bytes.
      *value_at = size_t(f.data() - packed_.data()) + f.size();
      *end_at = pos;
      return start;
    }
  }
  return std::string::npos;
}

// ---- hashtable ----

uint64_t HashValue::HashOf(std::string_view s) const {
  return HashBytes(s, kFieldHashSeed);
}

HashValue::Node** HashValue::FindSlot(std::string_view field) {
  Node** slot = &buckets_[HashOf(field) & (buckets_.size() - 1)];
  while (*slot != nullptr && (*slot)->field != field) slot = &(*slot)->next;
  return slot;
}

void HashValue::InsertNode(Node* n) {
  if (size_ + 1 > buckets_.size()) Rehash(buckets_.size() * 2);
  Node*& head = buckets_[HashOf(n->field) & (buckets_.size() - 1)];
  n->next = head;
  head = n;
  ++size_;
  node_heap_bytes_ += HeapCost(n->field.size()) + HeapCost(n->value.size());
}

void HashValue::Rehash(size_t new_bucket_count) {
  std::vector<Node*> fresh(new_bucket_count, nullptr);
  for (Node* head : buckets_) {
    while (head != nullptr) {
      Node* next = head->next;
      Node*& slot = fresh[HashOf(head->field) & (new_bucket_count - 1)];
      head->next = slot;
      slot = head;
      head = next;
    }
  }
  buckets_.swap(fresh);
}

void HashValue::ConvertToTable() {
  size_t buckets = 4;
  while (buckets < size_) buckets *= 2;
  std::string packed = std::move(packed_);
  packed_.clear();
  packed_.shrink_to_fit();
  buckets_.assign(buckets, nullptr);
  size_ = 0;
  size_t pos = 0;
  std::string_view f, v;
  while (pos < packed.size()) {
    size_t len = 0;
    ReadVarint(packed, &pos, &len);
    f = std::string_view(packed).substr(pos, len);
    pos += len;
    ReadVarint(packed, &pos, &len);
    v = std::string_view(packed).substr(pos, len);
    pos += len;
    InsertNode(new Node{nullptr, std::string(f), std::string(v)});
  }
}

uint64_t HashValue::NextCursor(uint64_t cursor, uint64_t mask) {
  // Redis's dictScan: increment the reversed cursor over the bits of the mask.
  cursor |= ~mask;
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}

// ---- common API ----

bool HashValue::Get(std::string_view field, std::string_view* value) const {
  if (is_listpack()) {
    size_t value_at = 0, end_at = 0;
    if (FindPacked(field, &value_at, &end_at) == std::string::npos) return false;
    size_t len = 0;
    ReadVarint(packed_, &value_at, &len);
    *value = std::string_view(packed_).substr(value_at, len);
    return true;
  }
  const Node* n = buckets_[HashOf(field) & (buckets_.size() - 1)];
  while (n != nullptr && n->field != field) n = n->next;
  if (n == nullptr) return false;
  *value = n->value;
  return true;
}

bool HashValue::Contains(std::string_view field) const {
  std::string_view ignored;
  return Get(field, &ignored);
}

bool HashValue::Set(std::string_view field, std::string_view value, size_t max_entries,
                    size_t max_value) {
  if (is_listpack() && (field.size() > max_value || value.size() > max_value)) ConvertToTable();
  if (is_listpack()) {
    size_t value_at = 0, end_at = 0;
    if (FindPacked(field, &value_at, &end_at) != std::string::npos) {
      std::string encoded;
      AppendPacked(&encoded, value);
      packed_.replace(value_at, end_at - value_at, encoded);
      return false;
    }
    AppendPacked(&packed_, field);
    AppendPacked(&packed_, value);
    ++size_;
    if (size_ > max_entries) ConvertToTable();
    return true;
  }
  Node** slot = FindSlot(field);
  if (*slot != nullptr) {
    node_heap_bytes_ -= HeapCost((*slot)->value.size());
    (*slot)->value.assign(value);
    node_heap_bytes_ += HeapCost(value.size());
    return false;
  }
  InsertNode(new Node{nullptr, std::string(field), std::string(value)});
  return true;
}

bool HashValue::Delete(std::string_view field) {
  if (is_listpack()) {
    size_t value_at = 0, end_at = 0;
    const size_t start = FindPacked(field, &value_at, &end_at);
    if (start == std::string::npos) return false;
    packed_.erase(start, end_at - start);
    --size_;
    return true;
  }
  Node** slot = FindSlot(field);
  Node* n = *slot;
  if (n == nullptr) return false;
  *slot = n->next;
  node_heap_bytes_ -= HeapCost(n->field.size()) + HeapCost(n->value.size());
  delete n;
  --size_;
  // Shrink when under 10% full, as Redis resizes hash dicts after deletes.
  if (buckets_.size() > 4 && size_ * 10 < buckets_.size()) {
    size_t target = 4;
    while (target < size_) target *= 2;
    Rehash(target);
  }
  return true;
}

std::vector<HashValue::Pair> HashValue::Pairs() const {
  std::vector<Pair> out;
  out.reserve(size_);
  ForEach([&out](std::string_view f, std::string_view v) { out.emplace_back(f, v); });
  return out;
}

HashValue::Pair HashValue::Random(Prng& prng) const {
  if (is_listpack()) {
    const size_t target = size_t(prng.Uniform(size_));
    size_t pos = 0, i = 0;
    std::string_view f, v;
    while (NextPacked(&pos, &f, &v)) {
      if (i++ == target) break;
    }
    return {f, v};
  }
  // A random bucket, then a random slot of `width` in its chain, retried until the slot holds a
  // field: every field is drawn with probability 1 / (buckets * width), which is uniform as
  // long as no chain is longer than `width` (it grows when one is). Picking a random member of
  // the chain instead favours fields in short chains (HRANDFIELD's chi-square test sees it).
  size_t width = 8;
  for (;;) {
    const Node* n = buckets_[prng.Uniform(buckets_.size())];
    size_t chain = 0;
    for (const Node* c = n; c != nullptr; c = c->next) ++chain;
    width = std::max(width, chain);
    size_t slot = size_t(prng.Uniform(width));
    if (slot >= chain) continue;
    while (slot-- > 0) n = n->next;
    return {n->field, n->value};
  }
}

size_t HashValue::AllocatedBytes() const {
  size_t bytes = sizeof(*this) + packed_.capacity();
  bytes += buckets_.capacity() * sizeof(Node*) + size_t(is_listpack() ? 0 : size_) * sizeof(Node);
  return bytes + node_heap_bytes_;
}

}  // namespace vigil::datanode
