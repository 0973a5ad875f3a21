#include "common/base/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace vigil {
namespace {

TEST(GlobMatch, StarsBacktrackWhereTheyCan) {
  EXPECT_TRUE(GlobMatch("a*b*c", "axxbyyc", false));
  EXPECT_TRUE(GlobMatch("*ab", "aab", false));
  EXPECT_TRUE(GlobMatch("a*?c", "abbc", false));
  EXPECT_FALSE(GlobMatch("a*b*c", "axxbyy", false));
  EXPECT_TRUE(GlobMatch("h[ae]llo*", "HELLO world", true));
}

TEST(GlobMatch, NestedStarsFailFastOnAHopelessPattern) {
  // Redis's keyspace regression: exponential without skipping longer matches.
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "a*";
  pattern += "b";
  const std::string key(90, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch(pattern, key, false));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace vigil
