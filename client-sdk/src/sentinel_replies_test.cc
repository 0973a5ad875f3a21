#include "client-sdk/src/sentinel_replies.h"

#include <gtest/gtest.h>

namespace vigil::client {
namespace {

Reply S(const char* s) {
  return Reply::String(s);
}

Reply InstanceMap(const char* ip, const char* port, const char* flags) {
  return Reply::Array({S("name"), S("x"), S("ip"), S(ip), S("port"), S(port), S("runid"), S(""),
                       S("flags"), S(flags)});
}

TEST(SentinelRepliesTest, MasterAddrHasItsPortAsABulkString) {
  auto a = DecodeMasterAddrReply(Reply::Array({S("127.0.0.1"), S("7001")}));
  EXPECT_EQ(a.kind, SentinelAnswerKind::kAddress);
  EXPECT_EQ(a.address, (Address{"127.0.0.1", 7001}));
}

TEST(SentinelRepliesTest, NullMasterAddrMeansUnknownName) {
  EXPECT_EQ(DecodeMasterAddrReply(Reply::Nil()).kind, SentinelAnswerKind::kUnknownMaster);
  EXPECT_EQ(DecodeMasterAddrReply(Reply::Error("NOAUTH Authentication required.")).kind,
            SentinelAnswerKind::kError);
  EXPECT_EQ(DecodeMasterAddrReply(Reply::Array({S("h"), S("port")})).kind,
            SentinelAnswerKind::kError);
}

TEST(SentinelRepliesTest, RoleIsMasterOnlyForAMasterReply) {
  EXPECT_EQ(DecodeRoleReply(Reply::Array({S("master"), Reply::Integer(0), Reply::Array({})})),
            RoleAnswer::kMaster);
  EXPECT_EQ(DecodeRoleReply(Reply::Array({S("slave"), S("127.0.0.1"), Reply::Integer(7000)})),
            RoleAnswer::kNotMaster);
  EXPECT_EQ(DecodeRoleReply(Reply::Error("NOAUTH Authentication required.")),
            RoleAnswer::kNotMaster);
}

TEST(SentinelRepliesTest, SwitchMasterNamesTheNewAddressForOurMasterOnly) {
  EXPECT_EQ(DecodeSwitchMaster("mymaster 127.0.0.1 7000 127.0.0.1 7002", "mymaster"),
            (Address{"127.0.0.1", 7002}));
  EXPECT_FALSE(DecodeSwitchMaster("other 127.0.0.1 7000 127.0.0.1 7002", "mymaster"));
  EXPECT_FALSE(DecodeSwitchMaster("mymaster 127.0.0.1 7000", "mymaster"));
}

TEST(SentinelRepliesTest, HealthyReplicasSkipDownAndDisconnectedOnes) {
  Reply r = Reply::Array(
      {InstanceMap("10.0.0.1", "6379", "slave"), InstanceMap("10.0.0.2", "6379", "s_down,slave"),
       InstanceMap("10.0.0.3", "6379", "slave,disconnected"),
       InstanceMap("10.0.0.4", "6379", "o_down,slave"), InstanceMap("10.0.0.5", "bad", "slave"),
       InstanceMap("10.0.0.6", "6380", "slave")});
  EXPECT_EQ(HealthyReplicas(r), (std::vector<Address>{{"10.0.0.1", 6379}, {"10.0.0.6", 6380}}));
  EXPECT_EQ(SentinelAddresses(r).size(), 5u);
}

TEST(SentinelRepliesTest, AddressParsesHostAndPort) {
  EXPECT_EQ(Address::Parse("127.0.0.1:26379"), (Address{"127.0.0.1", 26379}));
  EXPECT_FALSE(Address::Parse("127.0.0.1"));
  EXPECT_FALSE(Address::Parse("h:0"));
  EXPECT_FALSE(Address::Parse("h:70000"));
}

}  // namespace
}  // namespace vigil::client
