#include "datanode/store/hash_value.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace vigil::datanode {
namespace {

// Pearson's chi-square of the draw counts against a uniform expectation.
double ChiSquare(const std::map<std::string, int>& counts, int draws, size_t categories) {
  const double expected = double(draws) / double(categories);
  double chi = 0;
  for (const auto& [field, n] : counts) chi += (n - expected) * (n - expected) / expected;
  chi += double(categories - counts.size()) * expected;  // fields never drawn
  return chi;
}

TEST(HashValueTest, RandomFieldOfAHashtableIsUniform) {
  HashValue h;
  for (int i = 0; i < 100; ++i) h.Set("field:" + std::to_string(i), "v", 0, 64);
  ASSERT_FALSE(h.is_listpack());
  Prng prng(7);
  std::map<std::string, int> counts;
  const int draws = 100000;
  for (int i = 0; i < draws; ++i) ++counts[std::string(h.Random(prng).first)];
  // 99 degrees of freedom: 150 is beyond the 0.1% tail. Picking a random member of a random
  // bucket's chain, as before, scored in the thousands here.
  EXPECT_LT(ChiSquare(counts, draws, 100), 150.0);
}

}  // namespace
}  // namespace vigil::datanode
