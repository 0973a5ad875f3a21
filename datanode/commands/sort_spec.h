#pragma once
// The pure half of SORT / SORT_RO: the option grammar, the key-pattern substitution of BY and
// GET, the LIMIT window and the element order, all with Redis 7.0's rules (sort.c). The
// command itself (sort_command.cc) does the lookups and replies. Pure; thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::datanode {

struct SortSpec {
  bool desc = false;
  bool alpha = false;
  int64_t limit_offset = 0;
  int64_t limit_count = -1;  // -1: to the end
  // BY: a pattern with '*' sorts by looked-up weights; one without means "do not sort".
  std::optional<std::string> by;
  bool dont_sort = false;
  std::vector<std::string> gets;  // GET patterns, in order
  std::optional<std::string> store;
};

// Parses the options of `args` (the whole command: args[0] is SORT, args[1] the key).
// `readonly` (SORT_RO) makes STORE an unknown option. `full_key_access` is false when the
// user's ACL keys are restricted: BY with a pattern and GET are then refused, since they read
// arbitrary keys. Returns the error reply text, or "" on success.
std::string ParseSortSpec(std::span<const std::string> args, bool readonly, bool full_key_access,
                          SortSpec* out);

// Where a BY / GET pattern points for one element.
struct SortPatternTarget {
  enum class Kind {
    kElement,    // "#": the element itself
    kNone,       // no '*' in the pattern: nothing (GET answers nil)
    kKey,        // the string value of `key`
    kHashField,  // field `field` of the hash at `key`
  };
  Kind kind = Kind::kNone;
  std::string key;
  std::string field;
};
// Substitutes `element` for the first '*' of `pattern`; a "->" after it with a non-empty tail
// names a hash field.
SortPatternTarget ResolveSortPattern(std::string_view pattern, std::string_view element);

// The weight of a numeric sort, parsed as strtod does in Redis: leading spaces and any strtod
// form accepted, the whole string must be consumed, overflow and NaN are errors. Note "" is 0.
bool ParseSortWeight(std::string_view s, double* out);

// The slice of the sorted elements the reply holds: [start, end] inclusive, empty when
// end < start. Out-of-range offsets and counts clamp as Redis's do.
struct SortWindow {
  int64_t start = 0;
  int64_t end = -1;
  size_t size() const { return end >= start ? size_t(end - start + 1) : 0; }
};
SortWindow ComputeSortWindow(int64_t offset, int64_t count, size_t len);

// One element to sort with what it sorts by.
struct SortItem {
  std::string value;
  double weight = 0;                 // numeric sorts
  std::optional<std::string> alpha;  // ALPHA with BY: the looked-up value (none sorts first)
};

// Orders items ascending (the caller reverses for DESC by negating): numeric weight with ties
// broken by the element bytes; ALPHA by the BY value or else the element bytes.
int CompareSortItems(const SortItem& a, const SortItem& b, bool alpha, bool by_pattern);

// Sorts `items` as `spec` asks (no-op when dont_sort).
void SortItems(std::vector<SortItem>& items, const SortSpec& spec);

}  // namespace vigil::datanode
