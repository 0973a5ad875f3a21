#include "datanode/store/zset_value.h"

#include <cmath>
#include <cstdlib>
#include <new>
#include <utility>

#include "common/base/check.h"

namespace vigil::datanode {
namespace {

// Orders lex bounds and values the way Redis's sdscmplex does: "-" below all, "+" above all.
int CompareBound(const ZLexBound& a, const ZLexBound& b) {
  using K = ZLexBound::Kind;
  if (a.kind == b.kind && a.kind != K::kValue) return 0;
  if (a.kind == K::kMinusInf || b.kind == K::kPlusInf) return -1;
  if (a.kind == K::kPlusInf || b.kind == K::kMinusInf) return 1;
  int c = a.value.compare(b.value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// (score, member) order.
bool Less(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

bool ParseScoreBound(const std::string& s, double* v, bool* ex) {
  const char* p = s.c_str();
  *ex = false;
  if (*p == '(') {
    *ex = true;
    ++p;
  }
  char* end = nullptr;
  *v = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*v);
}

bool ParseLexBound(const std::string& s, ZLexBound* b) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() != 1) return false;
      b->kind = s[0] == '+' ? ZLexBound::Kind::kPlusInf : ZLexBound::Kind::kMinusInf;
      b->exclusive = true;
      return true;
    case '(':
    case '[':
      b->kind = ZLexBound::Kind::kValue;
      b->value = s.substr(1);
      b->exclusive = s[0] == '(';
      return true;
    default:
      return false;
  }
}

}  // namespace

bool ParseZScoreRange(const std::string& min, const std::string& max, ZScoreRange* out) {
  return ParseScoreBound(min, &out->min, &out->minex) &&
         ParseScoreBound(max, &out->max, &out->maxex);
}

bool ParseZLexRange(const std::string& min, const std::string& max, ZLexRange* out) {
  return ParseLexBound(min, &out->min) && ParseLexBound(max, &out->max);
}

const ZSetValue::Node* ZSetValue::Node::next() const {
  return levels()[0].forward;
}

ZSetValue::Node* ZSetValue::NewNode(int height, double score, std::string_view member) {
  void* mem = ::operator new(sizeof(Node) + size_t(height) * sizeof(Level));
  Node* n = new (mem) Node(score, member, height);
  for (int i = 0; i < height; ++i) new (&n->levels()[i]) Level();
  return n;
}

void ZSetValue::FreeNode(Node* n) {
  n->~Node();
  ::operator delete(n);
}

ZSetValue::ZSetValue() : header_(NewNode(kMaxLevel, 0, {})) {}

ZSetValue::~ZSetValue() {
  if (header_ == nullptr) return;  // moved from
  Clear();
  FreeNode(header_);
}

void ZSetValue::Clear() {
  Node* x = header_->levels()[0].forward;
  while (x != nullptr) {
    Node* next = x->levels()[0].forward;
    FreeNode(x);
    x = next;
  }
  for (int i = 0; i < kMaxLevel; ++i) header_->levels()[i] = Level();
  tail_ = nullptr;
  length_ = 0;
  level_ = 1;
  member_bytes_ = 0;
  dict_.clear();
}

void ZSetValue::CopyFrom(const ZSetValue& other) {
  Clear();
  listpack_ = other.listpack_;
  dict_.reserve(other.size());
  for (const Node* n = other.first(); n != nullptr; n = n->next()) {
    Node* x = Insert(n->score(), n->member());
    dict_.emplace(x->member(), x);
  }
}

ZSetValue::ZSetValue(const ZSetValue& other) : ZSetValue() {
  CopyFrom(other);
}

ZSetValue& ZSetValue::operator=(const ZSetValue& other) {
  if (this != &other) CopyFrom(other);
  return *this;
}

ZSetValue::ZSetValue(ZSetValue&& other) noexcept
    : header_(std::exchange(other.header_, nullptr)),
      tail_(other.tail_),
      length_(other.length_),
      level_(other.level_),
      listpack_(other.listpack_),
      member_bytes_(other.member_bytes_),
      dict_(std::move(other.dict_)) {}

ZSetValue& ZSetValue::operator=(ZSetValue&& other) noexcept {
  if (this != &other) {
    std::swap(header_, other.header_);
    std::swap(tail_, other.tail_);
    std::swap(length_, other.length_);
    std::swap(level_, other.level_);
    std::swap(listpack_, other.listpack_);
    std::swap(member_bytes_, other.member_bytes_);
    std::swap(dict_, other.dict_);
  }
  return *this;
}

int ZSetValue::RandomLevel() {
  int level = 1;
  for (;;) {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    if ((rng_ & 3) != 0 || level >= kMaxLevel) break;  // p = 1/4, as ZSKIPLIST_P
    ++level;
  }
  return level;
}

ZSetValue::Node* ZSetValue::Insert(double score, std::string_view member) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward != nullptr &&
           Less(x->levels()[i].forward->score_, x->levels()[i].forward->member_, score, member)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  const int level = RandomLevel();
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      update[i]->levels()[i].span = length_;
    }
    level_ = level;
  }
  x = NewNode(level, score, member);
  for (int i = 0; i < level; ++i) {
    x->levels()[i].forward = update[i]->levels()[i].forward;
    update[i]->levels()[i].forward = x;
    x->levels()[i].span = update[i]->levels()[i].span - (rank[0] - rank[i]);
    update[i]->levels()[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) update[i]->levels()[i].span++;
  x->backward_ = update[0] == header_ ? nullptr : update[0];
  if (x->levels()[0].forward != nullptr) {
    x->levels()[0].forward->backward_ = x;
  } else {
    tail_ = x;
  }
  ++length_;
  if (member.size() > 15) member_bytes_ += member.size() + 1;
  return x;
}

void ZSetValue::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->levels()[i].forward == x) {
      update[i]->levels()[i].span += x->levels()[i].span - 1;
      update[i]->levels()[i].forward = x->levels()[i].forward;
    } else {
      update[i]->levels()[i].span -= 1;
    }
  }
  if (x->levels()[0].forward != nullptr) {
    x->levels()[0].forward->backward_ = x->backward_;
  } else {
    tail_ = x->backward_;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
  if (x->member_.size() > 15) member_bytes_ -= x->member_.size() + 1;
}

bool ZSetValue::Delete(double score, std::string_view member) {
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr &&
           Less(x->levels()[i].forward->score_, x->levels()[i].forward->member_, score, member)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  x = x->levels()[0].forward;
  if (x == nullptr || x->score_ != score || x->member_ != member) return false;
  Unlink(x, update);
  dict_.erase(x->member());
  FreeNode(x);
  return true;
}

bool ZSetValue::Score(std::string_view member, double* out) const {
  auto it = dict_.find(member);
  if (it == dict_.end()) return false;
  *out = it->second->score_;
  return true;
}

bool ZSetValue::Set(std::string_view member, double score, size_t max_listpack_entries,
                    size_t max_listpack_value) {
  auto it = dict_.find(member);
  if (it == dict_.end() &&
      (length_ + 1 > max_listpack_entries || member.size() > max_listpack_value)) {
    listpack_ = false;  // Redis converts before inserting the member that breaks a limit
  }
  // A listpack stores scores as text where -0 reads back as 0; a skiplist keeps the sign.
  if (listpack_ && score == 0) score = 0.0;
  if (it != dict_.end()) {
    Node* old = it->second;
    if (old->score_ == score) return false;  // as Redis: -0 == 0 is no change
    std::string m(member);                   // `member` may point into the node we free
    Delete(old->score_, m);
    Node* x = Insert(score, m);
    dict_.emplace(x->member(), x);
    return false;
  }
  Node* x = Insert(score, member);
  dict_.emplace(x->member(), x);
  return true;
}

bool ZSetValue::Remove(std::string_view member) {
  auto it = dict_.find(member);
  if (it == dict_.end()) return false;
  Node* n = it->second;
  std::string m(member);
  return Delete(n->score_, m);
}

int64_t ZSetValue::Rank(std::string_view member) const {
  auto it = dict_.find(member);
  if (it == dict_.end()) return -1;
  return int64_t(RankOf(it->second));
}

size_t ZSetValue::RankOf(const Node* n) const {
  size_t rank = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr &&
           !Less(n->score_, n->member_, x->levels()[i].forward->score_,
                 x->levels()[i].forward->member_)) {
      rank += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (x == n) return rank - 1;
  }
  VIGIL_CHECK(false);
  return 0;
}

const ZSetValue::Node* ZSetValue::ByRank(size_t rank) const {
  VIGIL_CHECK(rank < length_);
  const size_t target = rank + 1;
  size_t traversed = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= target) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == target) return x;
  }
  VIGIL_CHECK(false);
  return nullptr;
}

const ZSetValue::Node* ZSetValue::first() const {
  return header_->levels()[0].forward;
}

bool ZSetValue::EmptyRange(const ZScoreRange& r) {
  return r.min > r.max || (r.min == r.max && (r.minex || r.maxex));
}

bool ZSetValue::EmptyRange(const ZLexRange& r) {
  int c = CompareBound(r.min, r.max);
  return c > 0 || (c == 0 && (r.min.exclusive || r.max.exclusive));
}

bool ZSetValue::LexGteMin(std::string_view v, const ZLexRange& r) {
  ZLexBound b{ZLexBound::Kind::kValue, std::string(v), false};
  return r.min.exclusive ? CompareBound(b, r.min) > 0 : CompareBound(b, r.min) >= 0;
}

bool ZSetValue::LexLteMax(std::string_view v, const ZLexRange& r) {
  ZLexBound b{ZLexBound::Kind::kValue, std::string(v), false};
  return r.max.exclusive ? CompareBound(b, r.max) < 0 : CompareBound(b, r.max) <= 0;
}

const ZSetValue::Node* ZSetValue::FirstInRange(const ZScoreRange& r) const {
  if (EmptyRange(r) || tail_ == nullptr || !ScoreGteMin(tail_->score_, r)) return nullptr;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && !ScoreGteMin(x->levels()[i].forward->score_, r)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return (x != nullptr && ScoreLteMax(x->score_, r)) ? x : nullptr;
}

const ZSetValue::Node* ZSetValue::LastInRange(const ZScoreRange& r) const {
  if (EmptyRange(r) || tail_ == nullptr || !ScoreLteMax(first()->score_, r)) return nullptr;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && ScoreLteMax(x->levels()[i].forward->score_, r)) {
      x = x->levels()[i].forward;
    }
  }
  return (x != header_ && ScoreGteMin(x->score_, r)) ? x : nullptr;
}

const ZSetValue::Node* ZSetValue::FirstInLexRange(const ZLexRange& r) const {
  if (EmptyRange(r) || tail_ == nullptr || !LexGteMin(tail_->member_, r)) return nullptr;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && !LexGteMin(x->levels()[i].forward->member_, r)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return (x != nullptr && LexLteMax(x->member_, r)) ? x : nullptr;
}

const ZSetValue::Node* ZSetValue::LastInLexRange(const ZLexRange& r) const {
  if (EmptyRange(r) || tail_ == nullptr || !LexLteMax(first()->member_, r)) return nullptr;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && LexLteMax(x->levels()[i].forward->member_, r)) {
      x = x->levels()[i].forward;
    }
  }
  return (x != header_ && LexGteMin(x->member_, r)) ? x : nullptr;
}

size_t ZSetValue::RemoveRangeByRank(size_t start, size_t end) {
  if (start > end || start >= length_) return 0;
  if (end >= length_) end = length_ - 1;
  size_t removed = 0;
  const Node* n = ByRank(start);
  for (size_t i = start; i <= end && n != nullptr; ++i) {
    const Node* next = n->next();
    std::string m(n->member());
    Delete(n->score_, m);
    ++removed;
    n = next;
  }
  return removed;
}

size_t ZSetValue::RemoveRangeByScore(const ZScoreRange& r) {
  size_t removed = 0;
  for (const Node* n = FirstInRange(r); n != nullptr && ScoreLteMax(n->score_, r);) {
    const Node* next = n->next();
    std::string m(n->member());
    Delete(n->score_, m);
    ++removed;
    n = next;
  }
  return removed;
}

size_t ZSetValue::RemoveRangeByLex(const ZLexRange& r) {
  size_t removed = 0;
  for (const Node* n = FirstInLexRange(r); n != nullptr && LexLteMax(n->member_, r);) {
    const Node* next = n->next();
    std::string m(n->member());
    Delete(n->score_, m);
    ++removed;
    n = next;
  }
  return removed;
}

void ZSetValue::ChooseEncoding(size_t max_listpack_entries, size_t max_listpack_value) {
  listpack_ = length_ <= max_listpack_entries;
  for (const Node* n = first(); listpack_ && n != nullptr; n = n->next()) {
    if (n->member_.size() > max_listpack_value) listpack_ = false;
  }
  for (Node* n = header_->levels()[0].forward; listpack_ && n != nullptr;
       n = n->levels()[0].forward) {
    if (n->score_ == 0) n->score_ = 0.0;
  }
}

size_t ZSetValue::AllocatedBytes() const {
  // A node averages 4/3 levels; the map adds a node and a bucket per member.
  constexpr size_t kPerMember =
      sizeof(Node) + 2 * sizeof(Level) + 4 * sizeof(void*) + sizeof(std::string_view);
  return sizeof(*this) + sizeof(Node) + kMaxLevel * sizeof(Level) + length_ * kPerMember +
         dict_.bucket_count() * sizeof(void*) + member_bytes_;
}

}  // namespace vigil::datanode
