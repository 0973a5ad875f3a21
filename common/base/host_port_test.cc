#include "common/base/host_port.h"

#include "common/base/ascii_case.h"
#include "common/base/decimal.h"
#include "common/base/glob.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(HostPortTest, ReplicaNamesBracketIpv6) {
  EXPECT_EQ(FormatHostPort({"127.0.0.1", 7381}), "127.0.0.1:7381");
  EXPECT_EQ(FormatHostPort({"::1", 7381}), "[::1]:7381");
}

TEST(HostPortTest, RecognisesIpLiterals) {
  EXPECT_TRUE(IsIpLiteral("10.0.0.1"));
  EXPECT_TRUE(IsIpLiteral("::1"));
  EXPECT_TRUE(IsIpLiteral("fe80::1:2"));
  EXPECT_TRUE(IsIpLiteral("::ffff:10.0.0.1"));
  EXPECT_FALSE(IsIpLiteral("redis.example.com"));
  EXPECT_FALSE(IsIpLiteral("256.0.0.1"));
  EXPECT_FALSE(IsIpLiteral("1.2.3"));
}

TEST(HostPortTest, ParsesPortsStrictly) {
  int port = 0;
  EXPECT_TRUE(ParsePort("6379", &port));
  EXPECT_EQ(port, 6379);
  EXPECT_FALSE(ParsePort("65536", &port));
  EXPECT_FALSE(ParsePort("12a", &port));
  EXPECT_FALSE(ParsePort("", &port));
}

TEST(HostPortTest, GlobMatchesLikeRedisStringmatch) {
  EXPECT_TRUE(GlobMatch("*", "mymaster", false));
  EXPECT_TRUE(GlobMatch("my*", "mymaster", false));
  EXPECT_TRUE(GlobMatch("m?master", "mymaster", false));
  EXPECT_TRUE(GlobMatch("[a-z]ymaster", "mymaster", false));
  EXPECT_FALSE(GlobMatch("[^m]ymaster", "mymaster", false));
  EXPECT_FALSE(GlobMatch("MY*", "mymaster", false));
  EXPECT_TRUE(GlobMatch("ANNOUNCE-*", "announce-ip", true));
}

TEST(HostPortTest, ComparesHostsCaseInsensitively) {
  EXPECT_TRUE(SameAddress({"Host", 1}, {"host", 1}));
  EXPECT_FALSE(SameAddress({"host", 1}, {"host", 2}));
  EXPECT_LT(CompareIgnoreCase("ABC", "abd"), 0);
}

}  // namespace
}  // namespace vigil
