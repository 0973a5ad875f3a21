#include "common/base/decimal.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(DecimalTest, AcceptsOnlyAWholeNumberInRange) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(ParseInt64("9223372036854775808", &v));
  EXPECT_FALSE(ParseInt64("", &v));
  EXPECT_FALSE(ParseInt64("12 ", &v));
  EXPECT_FALSE(ParseInt64("+1", &v));
  uint64_t u = 0;
  EXPECT_TRUE(ParseUint64("18446744073709551615", &u));
  EXPECT_FALSE(ParseUint64("-0", &u));
  int port = 0;
  EXPECT_TRUE(ParsePort("65535", &port));
  EXPECT_EQ(port, 65535);
  EXPECT_FALSE(ParsePort("65536", &port));
  EXPECT_FALSE(ParsePort("-1", &port));
}

}  // namespace
}  // namespace vigil
