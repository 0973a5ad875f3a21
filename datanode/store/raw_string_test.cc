#include "datanode/store/raw_string.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::datanode {
namespace {

TEST(RawString, EditsMatchStdString) {
  OwnedRawString owned("hello");
  RawString r = owned.handle();
  std::string expected = "hello";
  r.append(" world");
  expected.append(" world");
  r.replace(0, 5, "HELLO there");
  expected.replace(0, 5, "HELLO there");
  r.erase(3, 4);
  expected.erase(3, 4);
  r.resize(40, 'x');
  expected.resize(40, 'x');
  r[1] = 'Z';
  expected[1] = 'Z';
  EXPECT_EQ(r.view(), expected);
  r.resize(2);
  EXPECT_EQ(r.view(), "HZ");
  r.assign("");
  EXPECT_TRUE(r.empty());
}

// Growing may move the block: a second handle on the same slot must see the moved value.
TEST(RawString, HandlesOnOneSlotSeeGrowth) {
  OwnedRawString owned("a");
  RawString first = owned.handle();
  RawString second = owned.handle();
  for (int i = 0; i < 1000; ++i) first.append("0123456789");
  EXPECT_EQ(second.size(), 10001u);
  EXPECT_EQ(owned.view().substr(0, 3), "a01");
}

TEST(RawString, SmallValuesStayTightAndLargeOnesGrowGreedily) {
  OwnedRawString owned(std::string(27, 'h'));
  RawString r = owned.handle();
  EXPECT_LT(r.capacity(), 48u);
  r.append("abc");
  EXPECT_LT(r.capacity(), 48u);  // no doubling for small values
  r.resize(1000);
  r.append("x");
  EXPECT_GE(r.capacity(), 2000u);  // amortized appends for large ones
}

}  // namespace
}  // namespace vigil::datanode
