#pragma once
// Redis's pqsort: the Bentley-McIlroy quicksort (median of three, ninther above 40 elements,
// three-way partition, insertion sort below 7) that only recurses into partitions
// overlapping the window [lrange, rrange]. GEORADIUS ... COUNT sorts its candidates this way;
// the order it leaves equal-distance points in is observable, so this is the same algorithm,
// not just any partial sort.
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace vigil::datanode {

// `cmp(a, b)` returns <0, 0 or >0. After the call, positions lrange..rrange hold what a full
// sort would put there.
template <typename T, typename Cmp>
void PartialQuicksort(std::vector<T>& v, size_t lrange, size_t rrange, Cmp cmp) {
  using Index = std::ptrdiff_t;
  const Index lo_win = Index(lrange), hi_win = Index(rrange);
  auto c = [&](Index i, Index j) { return cmp(v[size_t(i)], v[size_t(j)]); };
  auto swap_at = [&](Index i, Index j) { std::swap(v[size_t(i)], v[size_t(j)]); };
  auto vecswap = [&](Index i, Index j, Index n) {
    for (Index k = 0; k < n; ++k) swap_at(i + k, j + k);
  };
  auto med3 = [&](Index a, Index b, Index d) {
    return c(a, b) < 0 ? (c(b, d) < 0 ? b : (c(a, d) < 0 ? d : a))
                       : (c(b, d) > 0 ? b : (c(a, d) < 0 ? a : d));
  };
  // A partition [start, start + n) is worth sorting only when it meets the window.
  auto meets_window = [&](Index start, Index n) {
    const Index end = start + n - 1;
    return !((lo_win < start && hi_win < start) || (lo_win > end && hi_win > end));
  };

  auto sort = [&](auto& self, Index a, Index n) -> void {
    for (;;) {
      if (n < 7) {
        for (Index pm = a + 1; pm < a + n; ++pm) {
          for (Index pl = pm; pl > a && c(pl - 1, pl) > 0; --pl) swap_at(pl, pl - 1);
        }
        return;
      }
      Index pm = a + n / 2;
      if (n > 7) {
        Index pl = a;
        Index pn = a + n - 1;
        if (n > 40) {
          const Index d = n / 8;
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap_at(a, pm);
      Index pa = a + 1, pb = a + 1;
      Index pc = a + n - 1, pd = a + n - 1;
      for (;;) {
        int r;
        while (pb <= pc && (r = c(pb, a)) <= 0) {
          if (r == 0) swap_at(pa++, pb);
          ++pb;
        }
        while (pb <= pc && (r = c(pc, a)) >= 0) {
          if (r == 0) swap_at(pc, pd--);
          --pc;
        }
        if (pb > pc) break;
        swap_at(pb++, pc--);
      }
      const Index pn = a + n;
      Index r = std::min(pa - a, pb - pa);
      vecswap(a, pb - r, r);
      r = std::min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && meets_window(a, r)) self(self, a, r);
      if ((r = pd - pc) <= 1) return;
      a = pn - r;
      n = r;
      if (!meets_window(a, n)) return;
    }
  };
  if (!v.empty()) sort(sort, 0, Index(v.size()));
}

}  // namespace vigil::datanode
