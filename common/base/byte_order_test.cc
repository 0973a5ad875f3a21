#include "common/base/byte_order.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(ByteOrderTest, RoundTripsEveryWidthLowByteFirst) {
  for (size_t bytes = 1; bytes <= 8; ++bytes) {
    std::string buf;
    const uint64_t v = 0x0807060504030201ull;
    AppendLe(&buf, v, bytes);
    ASSERT_EQ(buf.size(), bytes);
    EXPECT_EQ(buf[0], '\x01');
    const uint64_t mask = bytes == 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * bytes)) - 1;
    EXPECT_EQ(LoadLe(reinterpret_cast<const unsigned char*>(buf.data()), bytes), v & mask);
  }
}

TEST(ByteOrderTest, SignExtendsFromTheTopBitOfTheWidth) {
  EXPECT_EQ(SignExtend(0xFF, 1), -1);
  EXPECT_EQ(SignExtend(0x7F, 1), 127);
  EXPECT_EQ(SignExtend(0x800000, 3), -8388608);
  EXPECT_EQ(SignExtend(0xFFFFFFFFFFFFFFFFull, 8), -1);
}

}  // namespace
}  // namespace vigil
