#include "datanode/replication/sentinel_hello.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

TEST(SentinelHelloTest, ParsesTheEightFieldsRedisPublishes) {
  auto h = ParseSentinelHello(
      "127.0.0.1,27381,e566d5d77c5763e3202e4080ae50d48aaedc66cd,1,mymaster,127.0.0.1,7382,2");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->sentinel.host, "127.0.0.1");
  EXPECT_EQ(h->sentinel.port, 27381);
  EXPECT_EQ(h->runid, "e566d5d77c5763e3202e4080ae50d48aaedc66cd");
  EXPECT_EQ(h->current_epoch, 1u);
  EXPECT_EQ(h->master_name, "mymaster");
  EXPECT_EQ(h->master.host, "127.0.0.1");
  EXPECT_EQ(h->master.port, 7382);
  EXPECT_EQ(h->master_config_epoch, 2u);
  EXPECT_EQ(SentinelIdOfRunId(h->runid), "e566d5d7");
}

TEST(SentinelHelloTest, RejectsMalformedPayloads) {
  EXPECT_FALSE(ParseSentinelHello(""));
  EXPECT_FALSE(ParseSentinelHello("1,2,3"));
  EXPECT_FALSE(ParseSentinelHello("127.0.0.1,x,abcdefgh,1,m,127.0.0.1,7382,2"));
  EXPECT_FALSE(ParseSentinelHello("127.0.0.1,1,abcdefgh,1,m,127.0.0.1,7382,2,extra"));
  EXPECT_FALSE(ParseSentinelHello("127.0.0.1,1,short,1,m,127.0.0.1,7382,2"));
  EXPECT_FALSE(ParseSentinelHello("127.0.0.1,1,abcdefgh,-1,m,127.0.0.1,7382,2"));
  EXPECT_TRUE(ParseSentinelHello("127.0.0.1,1,abcdefgh,1,m,127.0.0.1,7382,2"));
}

TEST(SentinelHelloTest, OnlyTheCommandConnectionNameCarriesASentinelId) {
  EXPECT_EQ(SentinelIdFromClientName("sentinel-e566d5d7-cmd"), "e566d5d7");
  EXPECT_EQ(SentinelIdFromClientName("sentinel-e566d5d7-pubsub"), "");
  EXPECT_EQ(SentinelIdFromClientName("sentinel--cmd"), "");
  EXPECT_EQ(SentinelIdFromClientName("myapp"), "");
  EXPECT_EQ(SentinelIdFromClientName(""), "");
}

TEST(SentinelHelloTest, NamesNodeByPortAndOneOfItsAddresses) {
  SentinelHello h = *ParseSentinelHello("10.0.0.9,26379,abcdefgh,1,m,10.0.0.1,6379,0");
  EXPECT_TRUE(HelloNamesNode(h, {{"10.0.0.1"}, 6379}));
  EXPECT_TRUE(HelloNamesNode(h, {{"203.0.113.5", "10.0.0.1"}, 6379}));
  EXPECT_FALSE(HelloNamesNode(h, {{"10.0.0.1"}, 6380}));
  EXPECT_FALSE(HelloNamesNode(h, {{"10.0.0.2"}, 6379}));
  EXPECT_FALSE(HelloNamesNode(h, {{}, 6379}));
}

}  // namespace
}  // namespace vigil::datanode
