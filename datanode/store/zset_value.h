#pragma once
// ZSetValue: the container behind a Redis sorted set. Members are ordered by (score, member
// bytes) in a skiplist whose links carry spans, as Redis's zskiplist does, so rank lookups,
// rank ranges and score/lex range seeks are O(log n); a hash map from member to node answers
// ZSCORE in O(1).
//
// The layout is the same whatever OBJECT ENCODING says: the reported encoding follows Redis
// 7.0's rules. A sorted set is "listpack" while it holds at most zset-max-listpack-entries
// members, each at most zset-max-listpack-value bytes long, and turns "skiplist" (for good) the
// first time an insertion breaks either limit. Commands that build a new set from scratch
// (ZUNIONSTORE and friends) choose with ChooseEncoding().
//
// Not thread-safe; owned by its Entry. Node pointers stay valid until that member is removed
// or its score changes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "datanode/store/object_type.h"

namespace vigil::datanode {

// A score interval; min > max (or an empty exclusive point) selects nothing.
struct ZScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};

// A lex interval bound: "-" (below everything), "+" (above everything), or a member with "["
// (inclusive) or "(" (exclusive).
struct ZLexBound {
  enum class Kind { kMinusInf, kPlusInf, kValue } kind = Kind::kValue;
  std::string value;
  bool exclusive = false;
};
struct ZLexRange {
  ZLexBound min, max;
};

// Redis's zslParseRange: "(" makes a bound exclusive, the rest goes through strtod (so "inf",
// "-inf", " 1" and "0x10" parse); false when either is not a number ("min or max is not a float").
bool ParseZScoreRange(const std::string& min, const std::string& max, ZScoreRange* out);
// Redis's zslParseLexRange: "-", "+", "[member" or "(member"; false otherwise ("min or max not
// valid string range item").
bool ParseZLexRange(const std::string& min, const std::string& max, ZLexRange* out);

class ZSetValue {
 public:
  struct Level;
  class Node {
   public:
    std::string_view member() const { return member_; }
    double score() const { return score_; }
    const Node* next() const;
    const Node* prev() const { return backward_; }

   private:
    friend class ZSetValue;
    Node(double score, std::string_view member, int height)
        : member_(member), score_(score), height_(height) {}
    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    std::string member_;
    double score_;
    Node* backward_ = nullptr;
    int height_;
  };
  struct Level {
    Node* forward = nullptr;
    size_t span = 0;
  };

  ZSetValue();
  ~ZSetValue();
  ZSetValue(const ZSetValue& other);
  ZSetValue& operator=(const ZSetValue& other);
  ZSetValue(ZSetValue&& other) noexcept;
  ZSetValue& operator=(ZSetValue&& other) noexcept;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }

  // The member's score, or false when absent.
  bool Score(std::string_view member, double* out) const;
  // Adds a member or changes its score. Returns true when the member is new. A new member
  // that breaks a listpack limit turns the set into a skiplist.
  bool Set(std::string_view member, double score, size_t max_listpack_entries,
           size_t max_listpack_value);
  bool Remove(std::string_view member);

  // 0-based rank in ascending order, or -1 when absent.
  int64_t Rank(std::string_view member) const;
  // The node at 0-based ascending rank. Requires: rank < size().
  const Node* ByRank(size_t rank) const;
  const Node* first() const;
  const Node* last() const { return tail_; }

  // First/last node inside the range, or nullptr.
  const Node* FirstInRange(const ZScoreRange& r) const;
  const Node* LastInRange(const ZScoreRange& r) const;
  const Node* FirstInLexRange(const ZLexRange& r) const;
  const Node* LastInLexRange(const ZLexRange& r) const;
  // Rank (0-based) of a node of this set.
  size_t RankOf(const Node* n) const;

  // Range removals; each returns how many members went.
  size_t RemoveRangeByRank(size_t start, size_t end);  // 0-based inclusive
  size_t RemoveRangeByScore(const ZScoreRange& r);
  size_t RemoveRangeByLex(const ZLexRange& r);

  static bool ScoreGteMin(double v, const ZScoreRange& r) {
    return r.minex ? v > r.min : v >= r.min;
  }
  static bool ScoreLteMax(double v, const ZScoreRange& r) {
    return r.maxex ? v < r.max : v <= r.max;
  }
  static bool LexGteMin(std::string_view v, const ZLexRange& r);
  static bool LexLteMax(std::string_view v, const ZLexRange& r);
  static bool EmptyRange(const ZScoreRange& r);
  static bool EmptyRange(const ZLexRange& r);

  // Sets the reported encoding from the current contents (for freshly built results).
  void ChooseEncoding(size_t max_listpack_entries, size_t max_listpack_value);
  void ForceSkiplistForTest() { listpack_ = false; }
  // SORT turns a listpack sorted set into a skiplist for good, as Redis 7.0's sort does.
  void ConvertToSkiplist() { listpack_ = false; }

  Encoding encoding() const { return listpack_ ? Encoding::kListpack : Encoding::kSkiplist; }
  size_t AllocatedBytes() const;
  // Chain length of every bucket of the member index, for DEBUG HTSTATS-KEY.
  std::vector<size_t> ChainLengths() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < dict_.bucket_count(); ++i) out.push_back(dict_.bucket_size(i));
    return out;
  }

 private:
  static constexpr int kMaxLevel = 32;
  static Node* NewNode(int height, double score, std::string_view member);
  static void FreeNode(Node* n);
  int RandomLevel();
  Node* Insert(double score, std::string_view member);
  // Unlinks `x` given the update vector from a search; does not free it.
  void Unlink(Node* x, Node** update);
  // Removes the node with (score, member) from the list and the map, and frees it.
  bool Delete(double score, std::string_view member);
  void Clear();
  void CopyFrom(const ZSetValue& other);

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  bool listpack_ = true;
  uint64_t rng_ = 0x2545F4914F6CDD1DULL;  // level choice only; never observable
  size_t member_bytes_ = 0;
  std::unordered_map<std::string_view, Node*> dict_;  // keys point into the nodes
};

}  // namespace vigil::datanode
