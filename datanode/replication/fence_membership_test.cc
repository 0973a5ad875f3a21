#include "datanode/replication/fence_membership.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

FenceMembership Sample() {
  FenceMembership m;
  m.sentinels.push_back({std::string(40, 'a'), "10.0.1.1", 26379, 3});
  m.sentinels.push_back({std::string(40, 'b'), "::1", 26380, 0});
  m.master_names = {"mymaster", "other"};
  m.config_epoch = 5;
  return m;
}

TEST(FenceMembershipTest, RoundTripsThroughItsFile) {
  const FenceMembership m = Sample();
  Result<FenceMembership> back = DecodeFenceMembership(EncodeFenceMembership(m));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back.value(), m);
  Result<FenceMembership> empty = DecodeFenceMembership(EncodeFenceMembership({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value(), FenceMembership{});
}

TEST(FenceMembershipTest, DamagedFileIsRefusedWholeWithItsLine) {
  const std::string good = EncodeFenceMembership(Sample());
  Result<FenceMembership> truncated = DecodeFenceMembership(good.substr(0, good.size() - 3));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().find("truncated"), std::string::npos);
  Result<FenceMembership> bad_port =
      DecodeFenceMembership("vigil-fence 1\nsentinel abcdefgh 10.0.0.1 99999 0\n");
  ASSERT_FALSE(bad_port.ok());
  EXPECT_EQ(bad_port.error(), "line 2: bad sentinel port or epoch");
  EXPECT_FALSE(DecodeFenceMembership("").ok());
  EXPECT_FALSE(DecodeFenceMembership("something else\n").ok());
  Result<FenceMembership> unknown = DecodeFenceMembership("vigil-fence 1\nfoo bar\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), "line 2: unknown line 'foo bar'");
}

TEST(FenceMembershipTest, NamesThatCannotBeWrittenAreLeftOut) {
  FenceMembership m;
  m.master_names = {"", "has space", "quo\"te"};
  m.sentinels.push_back({"", "10.0.0.1", 1, 0});
  Result<FenceMembership> back = DecodeFenceMembership(EncodeFenceMembership(m));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back.value().master_names.empty());
  EXPECT_TRUE(back.value().sentinels.empty());
}

}  // namespace
}  // namespace vigil::datanode
