#include "common/base/json_string.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(JsonStringTest, EscapesQuotesBackslashesAndControlCharactersIncludingDel) {
  EXPECT_EQ(QuoteJsonString("plain"), "\"plain\"");
  EXPECT_EQ(QuoteJsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(QuoteJsonString(std::string("\n\x01\x7f", 3)), "\"\\u000a\\u0001\\u007f\"");
  EXPECT_EQ(QuoteJsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace vigil
