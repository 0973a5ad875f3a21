#include "datanode/store/bit_ops.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil::datanode::bits {
namespace {

// Bit by bit, the obvious way: the reference the word-at-a-time code must agree with.
uint64_t SlowCount(std::string_view s, uint64_t first, uint64_t last) {
  uint64_t n = 0;
  for (uint64_t i = first; i <= last; ++i) n += GetBit(s, i);
  return n;
}
int64_t SlowFind(std::string_view s, uint64_t first, uint64_t last, bool want) {
  for (uint64_t i = first; i <= last; ++i) {
    if (GetBit(s, i) == want) return int64_t(i);
  }
  return -1;
}

TEST(BitOps, BitZeroIsTheMostSignificantBitOfTheFirstByte) {
  std::string s("\x80\x01", 2);
  EXPECT_TRUE(GetBit(s, 0));
  EXPECT_FALSE(GetBit(s, 1));
  EXPECT_TRUE(GetBit(s, 15));
  EXPECT_FALSE(GetBit(s, 16));  // past the end reads 0
  EXPECT_FALSE(GetBit(s, 1'000'000));
}

TEST(BitOps, SetBitSetsAndClearsOneBit) {
  std::string s(2, '\0');
  SetBit(s.data(), 7, true);
  SetBit(s.data(), 8, true);
  EXPECT_EQ(s, std::string("\x01\x80", 2));
  SetBit(s.data(), 7, false);
  EXPECT_EQ(s, std::string("\x00\x80", 2));
}

TEST(BitOps, CountSetBitsHonoursPartialFirstAndLastBytes) {
  std::string s("\xff\xf0\x00\x0f", 4);
  EXPECT_EQ(CountSetBits(s), 16u);
  EXPECT_EQ(CountSetBits(s, 0, 0), 1u);
  EXPECT_EQ(CountSetBits(s, 3, 5), 3u);
  EXPECT_EQ(CountSetBits(s, 5, 12), 7u);
  EXPECT_EQ(CountSetBits(s, 12, 27), 0u);
  EXPECT_EQ(CountSetBits(s, 12, 28), 1u);
  EXPECT_EQ(CountSetBits(std::string_view()), 0u);
}

TEST(BitOps, CountSetBitsAgreesWithBitByBitOnRandomRanges) {
  std::mt19937_64 rng(7);
  std::string s(100, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  for (int i = 0; i < 2000; ++i) {
    uint64_t a = rng() % 800, b = rng() % 800;
    if (a > b) std::swap(a, b);
    ASSERT_EQ(CountSetBits(s, a, b), SlowCount(s, a, b)) << a << ".." << b;
  }
}

TEST(BitOps, FindBitLooksForOnesOrZerosInsideTheRange) {
  std::string s("\x00\x00\x01\xff\xff\xfe", 6);
  EXPECT_EQ(FindBit(s, 0, 47, true), 23);
  EXPECT_EQ(FindBit(s, 0, 22, true), -1);
  EXPECT_EQ(FindBit(s, 24, 47, false), 47);
  EXPECT_EQ(FindBit(s, 24, 46, false), -1);
  EXPECT_EQ(FindBit(s, 0, 47, false), 0);
}

TEST(BitOps, FindBitSkipsLongRunsAndAgreesWithBitByBit) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    // Long runs of one value with the odd flipped bit, to exercise the word skipping.
    bool background = round % 2 == 0;
    std::string s(64 + rng() % 64, background ? '\xff' : '\0');
    for (int k = 0; k < 2; ++k) SetBit(s.data(), rng() % (s.size() * 8), !background);
    uint64_t a = rng() % (s.size() * 8), b = rng() % (s.size() * 8);
    if (a > b) std::swap(a, b);
    for (bool want : {false, true}) {
      ASSERT_EQ(FindBit(s, a, b, want), SlowFind(s, a, b, want)) << a << ".." << b;
    }
  }
}

TEST(BitOps, CombinePadsShorterSourcesWithZeros) {
  std::string a("\xff\x0f\xaa", 3), b("\xf0", 1);
  EXPECT_EQ(Combine(BitOp::kAnd, {a, b}), std::string("\xf0\x00\x00", 3));
  EXPECT_EQ(Combine(BitOp::kOr, {a, b}), std::string("\xff\x0f\xaa", 3));
  EXPECT_EQ(Combine(BitOp::kXor, {a, b}), std::string("\x0f\x0f\xaa", 3));
  EXPECT_EQ(Combine(BitOp::kNot, {b}), std::string("\x0f", 1));
  EXPECT_EQ(Combine(BitOp::kOr, {std::string_view(), std::string_view()}), "");
}

TEST(BitOps, CombineWordPathMatchesBytePath) {
  std::mt19937_64 rng(3);
  std::string a(37, '\0'), b(40, '\0'), c(33, '\0');
  for (std::string* s : {&a, &b, &c}) {
    for (char& ch : *s) ch = static_cast<char>(rng());
  }
  std::string out = Combine(BitOp::kXor, {a, b, c});
  ASSERT_EQ(out.size(), 40u);
  for (size_t i = 0; i < out.size(); ++i) {
    auto at = [i](const std::string& s) { return i < s.size() ? uint8_t(s[i]) : uint8_t(0); };
    EXPECT_EQ(uint8_t(out[i]), uint8_t(at(a) ^ at(b) ^ at(c))) << i;
  }
  std::string n = Combine(BitOp::kNot, {a});
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(uint8_t(n[i]), uint8_t(~uint8_t(a[i])));
}

}  // namespace
}  // namespace vigil::datanode::bits
