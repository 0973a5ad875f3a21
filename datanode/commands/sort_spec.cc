#include "datanode/commands/sort_spec.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/base/ascii_case.h"
#include "datanode/commands/command_context.h"

namespace vigil::datanode {
namespace {

int CompareBytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::string ParseSortSpec(std::span<const std::string> args, bool readonly, bool full_key_access,
                          SortSpec* out) {
  for (size_t j = 2; j < args.size(); ++j) {
    const std::string& a = args[j];
    const size_t left = args.size() - j - 1;
    if (EqualsIgnoreCase(a, "ASC")) {
      out->desc = false;
    } else if (EqualsIgnoreCase(a, "DESC")) {
      out->desc = true;
    } else if (EqualsIgnoreCase(a, "ALPHA")) {
      out->alpha = true;
    } else if (EqualsIgnoreCase(a, "LIMIT") && left >= 2) {
      if (!ParseInt64Strict(args[j + 1], &out->limit_offset) ||
          !ParseInt64Strict(args[j + 2], &out->limit_count)) {
        return "ERR value is not an integer or out of range";
      }
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(a, "STORE") && left >= 1) {
      out->store = args[++j];
    } else if (EqualsIgnoreCase(a, "BY") && left >= 1) {
      out->by = args[++j];
      // A constant BY pattern gives every element the same weight: nothing to sort.
      out->dont_sort = out->by->find('*') == std::string::npos;
      if (!out->dont_sort && !full_key_access) {
        return "ERR BY option of SORT denied due to insufficient ACL permissions.";
      }
    } else if (EqualsIgnoreCase(a, "GET") && left >= 1) {
      if (!full_key_access) {
        return "ERR GET option of SORT denied due to insufficient ACL permissions.";
      }
      out->gets.push_back(args[++j]);
    } else {
      return "ERR syntax error";
    }
  }
  return "";
}

SortPatternTarget ResolveSortPattern(std::string_view pattern, std::string_view element) {
  SortPatternTarget t;
  if (pattern == "#") {
    t.kind = SortPatternTarget::Kind::kElement;
    return t;
  }
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return t;
  std::string_view rest = pattern.substr(star + 1);
  const size_t arrow = rest.find("->");
  if (arrow != std::string_view::npos && arrow + 2 < rest.size()) {
    t.kind = SortPatternTarget::Kind::kHashField;
    t.field.assign(rest.substr(arrow + 2));
    rest = rest.substr(0, arrow);
  } else {
    t.kind = SortPatternTarget::Kind::kKey;
  }
  t.key.reserve(pattern.size() + element.size());
  t.key.append(pattern.substr(0, star)).append(element).append(rest);
  return t;
}

bool ParseSortWeight(std::string_view s, double* out) {
  // strtod stops at a NUL byte, as the C string Redis parses does.
  std::string buf(s.substr(0, std::min(s.size(), s.find('\0'))));
  errno = 0;
  char* end = nullptr;
  *out = std::strtod(buf.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

SortWindow ComputeSortWindow(int64_t offset, int64_t count, size_t len) {
  const int64_t n = int64_t(len);
  SortWindow w;
  w.start = std::min(std::max<int64_t>(offset, 0), n);
  count = std::min(std::max<int64_t>(count, -1), n);
  w.end = count < 0 ? n - 1 : w.start + count - 1;
  if (w.start >= n) {
    w.start = n - 1;
    w.end = n - 2;
  }
  if (w.end >= n) w.end = n - 1;
  return w;
}

int CompareSortItems(const SortItem& a, const SortItem& b, bool alpha, bool by_pattern) {
  if (!alpha) {
    if (a.weight > b.weight) return 1;
    if (a.weight < b.weight) return -1;
    // Equal weights fall back to the elements so that the result is deterministic.
    return CompareBytes(a.value, b.value);
  }
  if (!by_pattern) return CompareBytes(a.value, b.value);
  if (!a.alpha || !b.alpha) {
    if (!a.alpha && !b.alpha) return 0;
    return !a.alpha ? -1 : 1;
  }
  return CompareBytes(*a.alpha, *b.alpha);
}

void SortItems(std::vector<SortItem>& items, const SortSpec& spec) {
  if (spec.dont_sort) return;
  const bool by_pattern = spec.by.has_value();
  // Sorting pointers moves 8 bytes a step instead of an item holding two strings; each item
  // then moves once into place.
  std::vector<SortItem*> order(items.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = &items[i];
  std::stable_sort(order.begin(), order.end(), [&](const SortItem* a, const SortItem* b) {
    const int c = CompareSortItems(*a, *b, spec.alpha, by_pattern);
    return spec.desc ? c > 0 : c < 0;
  });
  std::vector<SortItem> sorted;
  sorted.reserve(items.size());
  for (SortItem* item : order) sorted.push_back(std::move(*item));
  items = std::move(sorted);
}

}  // namespace vigil::datanode
