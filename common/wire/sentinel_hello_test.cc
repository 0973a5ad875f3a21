#include "common/wire/sentinel_hello.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(SentinelHelloTest, DecodesTheObservedPayload) {
  auto h = DecodeSentinelHello(
      "127.0.0.1,27381,e566d5d77c5763e3202e4080ae50d48aaedc66cd,1,mymaster,127.0.0.1,7382,1");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->sentinel, (HostPort{"127.0.0.1", 27381}));
  EXPECT_EQ(h->runid, "e566d5d77c5763e3202e4080ae50d48aaedc66cd");
  EXPECT_EQ(h->current_epoch, 1u);
  EXPECT_EQ(h->master_name, "mymaster");
  EXPECT_EQ(h->master, (HostPort{"127.0.0.1", 7382}));
  EXPECT_EQ(h->master_config_epoch, 1u);
}

TEST(SentinelHelloTest, EncodeIsTheInverseOfDecode) {
  SentinelHello h{{"::1", 26379}, std::string(40, 'a'), 9, "m", {"10.0.0.1", 6379}, 4};
  EXPECT_EQ(EncodeSentinelHello(h), "::1,26379," + std::string(40, 'a') + ",9,m,10.0.0.1,6379,4");
  EXPECT_EQ(DecodeSentinelHello(EncodeSentinelHello(h)), h);
}

TEST(SentinelHelloTest, RejectsWrongFieldCountsAndNumbers) {
  EXPECT_FALSE(DecodeSentinelHello("a,1,id,1,m,b,2").has_value());
  EXPECT_FALSE(DecodeSentinelHello("a,1,id,1,m,b,2,3,4").has_value());
  EXPECT_FALSE(DecodeSentinelHello("a,x,id,1,m,b,2,3").has_value());
  EXPECT_FALSE(DecodeSentinelHello("a,1,id,-1,m,b,2,3").has_value());
  EXPECT_FALSE(DecodeSentinelHello("a,1,id,1,m,b,70000,3").has_value());
  EXPECT_FALSE(DecodeSentinelHello("").has_value());
}

}  // namespace
}  // namespace vigil
