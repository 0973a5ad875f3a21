#include "datanode/store/bitfield_int.h"

#include <gtest/gtest.h>

#include <limits>

namespace vigil::datanode::bits {
namespace {

constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();

TEST(BitfieldInt, ParsesSignedUpTo64AndUnsignedUpTo63Bits) {
  FieldType t;
  ASSERT_TRUE(ParseFieldType("i1", &t));
  EXPECT_TRUE(t.is_signed);
  EXPECT_EQ(t.width, 1);
  ASSERT_TRUE(ParseFieldType("u63", &t));
  EXPECT_FALSE(t.is_signed);
  EXPECT_EQ(t.width, 63);
  EXPECT_TRUE(ParseFieldType("i64", &t));
  for (const char* bad : {"u64", "i65", "i0", "u0", "x8", "i", "", "I8", "i08", "i-1", "i 8"}) {
    EXPECT_FALSE(ParseFieldType(bad, &t)) << bad;
  }
}

TEST(BitfieldInt, FieldsAreBigEndianAtAnyBitOffset) {
  std::string s(3, '\0');
  WriteField(s.data(), 4, 8, 0xAB);
  EXPECT_EQ(s, std::string("\x0a\xb0\x00", 3));
  EXPECT_EQ(ReadUnsignedField(s, 4, 8), 0xABu);
  EXPECT_EQ(ReadSignedField(s, 4, 8), int64_t(int8_t(0xAB)));
  EXPECT_EQ(ReadUnsignedField(s, 20, 8), 0u);  // reads past the end as zeros
  WriteField(s.data(), 0, 24, 0xFFFFFFFF);     // only the low 24 bits land
  EXPECT_EQ(s, std::string("\xff\xff\xff", 3));
}

TEST(BitfieldInt, SignedReadSignExtendsAndI64RoundTrips) {
  std::string s(9, '\0');
  WriteField(s.data(), 3, 64, uint64_t(kMin64));
  EXPECT_EQ(ReadSignedField(s, 3, 64), kMin64);
  WriteField(s.data(), 0, 5, uint64_t(-3));
  EXPECT_EQ(ReadSignedField(s, 0, 5), -3);
  EXPECT_EQ(ReadSignedField(s, 0, 1), -1);
}

TEST(BitfieldInt, UnsignedIncrementWrapsSaturatesOrFails) {
  uint64_t r = 12345;
  EXPECT_TRUE(AddUnsigned(250, 5, 8, Overflow::kWrap, &r));
  EXPECT_FALSE(AddUnsigned(250, 10, 8, Overflow::kWrap, &r));
  EXPECT_EQ(r, 4u);
  EXPECT_FALSE(AddUnsigned(250, 10, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, 255u);
  EXPECT_FALSE(AddUnsigned(3, -4, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, 0u);
  EXPECT_FALSE(AddUnsigned(3, -4, 8, Overflow::kWrap, &r));
  EXPECT_EQ(r, 255u);
  r = 77;
  EXPECT_FALSE(AddUnsigned(3, -4, 8, Overflow::kFail, &r));
  EXPECT_EQ(r, 77u);  // FAIL leaves the result alone
}

TEST(BitfieldInt, UnsignedSetOfNegativeValueCountsAsOverflowUpwards) {
  // Redis sees -1 as 2^64-1, above the field's maximum: SAT stores the maximum, not 0.
  uint64_t r = 0;
  EXPECT_FALSE(AddUnsigned(uint64_t(-1), 0, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, 255u);
  EXPECT_FALSE(AddUnsigned(uint64_t(-2), 0, 8, Overflow::kWrap, &r));
  EXPECT_EQ(r, 254u);
}

TEST(BitfieldInt, SignedIncrementWrapsToTheOtherEndOrSaturates) {
  int64_t r = 0;
  EXPECT_TRUE(AddSigned(100, 27, 8, Overflow::kWrap, &r));
  EXPECT_FALSE(AddSigned(100, 28, 8, Overflow::kWrap, &r));
  EXPECT_EQ(r, -128);
  EXPECT_FALSE(AddSigned(100, 28, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, 127);
  EXPECT_FALSE(AddSigned(-100, -29, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, -128);
  EXPECT_FALSE(AddSigned(-100, -29, 8, Overflow::kWrap, &r));
  EXPECT_EQ(r, 127);
  EXPECT_FALSE(AddSigned(0, 1, 1, Overflow::kWrap, &r));  // i1 holds -1 and 0
  EXPECT_EQ(r, -1);
}

TEST(BitfieldInt, SixtyFourBitSignedOverflowIsDetectedWithoutUndefinedArithmetic) {
  int64_t r = 0;
  EXPECT_TRUE(AddSigned(kMax64 - 1, 1, 64, Overflow::kSat, &r));
  EXPECT_FALSE(AddSigned(kMax64, 1, 64, Overflow::kSat, &r));
  EXPECT_EQ(r, kMax64);
  EXPECT_FALSE(AddSigned(kMax64, 1, 64, Overflow::kWrap, &r));
  EXPECT_EQ(r, kMin64);
  EXPECT_FALSE(AddSigned(kMin64, -1, 64, Overflow::kSat, &r));
  EXPECT_EQ(r, kMin64);
  EXPECT_TRUE(AddSigned(kMin64, kMax64, 64, Overflow::kSat, &r));
  EXPECT_TRUE(AddSigned(kMin64, 0, 64, Overflow::kSat, &r));
}

TEST(BitfieldInt, SignedSetFarBelowTheRangeCountsAsOverflowUpwardsLikeRedis) {
  // max - INT64_MIN wraps negative in Redis's check, so 0 > that "room" reads as overflow up.
  int64_t r = 0;
  EXPECT_FALSE(AddSigned(kMin64, 0, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, 127);
  EXPECT_FALSE(AddSigned(-129, 0, 8, Overflow::kSat, &r));
  EXPECT_EQ(r, -128);
  EXPECT_FALSE(AddSigned(128, 0, 8, Overflow::kWrap, &r));
  EXPECT_EQ(r, -128);
}

}  // namespace
}  // namespace vigil::datanode::bits
