#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::ServiceHarness;

TEST(ConnectionCommands, AuthWithRequirepass) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"AUTH", "x"}).substr(0, 30), "-ERR AUTH <password> called wi");
  EXPECT_EQ(h.Raw({"CONFIG", "SET", "requirepass", "secret"}), "+OK\r\n");
  auto& s = h.NewSession();
  EXPECT_EQ(h.Raw({"GET", "k"}, &s), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(h.Raw({"AUTH", "wrong"}, &s),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.Raw({"AUTH", "default", "secret"}, &s), "+OK\r\n");
  EXPECT_EQ(h.Raw({"GET", "k"}, &s), "$-1\r\n");
}

TEST(ConnectionCommands, HelloSwitchesProtocol) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"HELLO", "4"}), "-NOPROTO unsupported protocol version\r\n");
  std::string r = h.Raw({"HELLO", "3", "SETNAME", "me"});
  EXPECT_EQ(r.substr(0, 3), "%7\r");
  EXPECT_EQ(h.Raw({"CLIENT", "GETNAME"}), Bulk("me"));
  EXPECT_EQ(h.Raw({"GET", "nope"}), "_\r\n");
  EXPECT_EQ(h.Raw({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(h.Raw({"GET", "nope"}), "$-1\r\n");
}

TEST(ConnectionCommands, PubSubDeliversToSubscribersInTheirProtocol) {
  ServiceHarness h;
  auto& sub2 = h.NewSession();
  auto& sub3 = h.NewSession();
  h.Raw({"HELLO", "3"}, &sub3);
  EXPECT_EQ(h.Raw({"SUBSCRIBE", "ch"}, &sub2), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_EQ(h.Raw({"PSUBSCRIBE", "c*"}, &sub3), ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:1\r\n");
  EXPECT_EQ(h.Raw({"PUBLISH", "ch", "hi"}), Int(2));
  EXPECT_EQ(h.TakeOutput(sub2), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  EXPECT_EQ(h.TakeOutput(sub3), ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  EXPECT_EQ(
      h.Raw({"GET", "x"}, &sub2),
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
      "are allowed in this context\r\n");
  EXPECT_EQ(h.Raw({"PING"}, &sub2), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(h.Raw({"PUBSUB", "NUMSUB", "ch"}), "*2\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_EQ(h.Raw({"UNSUBSCRIBE"}, &sub2), "*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
  EXPECT_EQ(h.Raw({"UNSUBSCRIBE"}, &sub2), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
}

TEST(ConnectionCommands, ClientKillByTypeMarksSessions) {
  ServiceHarness h;
  auto& victim = h.NewSession();
  h.Raw({"SUBSCRIBE", "x"}, &victim);
  EXPECT_EQ(h.Raw({"CLIENT", "KILL", "TYPE", "pubsub"}), Int(1));
  EXPECT_TRUE(victim.close_asap);
  EXPECT_EQ(h.Raw({"CLIENT", "KILL", "TYPE", "foo"}), "-ERR Unknown client type 'foo'\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "KILL", "1.2.3.4:5"}), "-ERR No such client\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "SETNAME", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
}

TEST(ConnectionCommands, ClientReplyOffSilencesReplies) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.Raw({"SET", "a", "1"}), "");
  EXPECT_EQ(h.Raw({"CLIENT", "REPLY", "ON"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "REPLY", "SKIP"}), "");
  EXPECT_EQ(h.Raw({"GET", "a"}), "");
  EXPECT_EQ(h.Raw({"GET", "a"}), Bulk("1"));
}

TEST(ConnectionCommands, PubSubPushesAreDeliveredWhileRepliesAreSilenced) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.Raw({"SUBSCRIBE", "ch"}), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_EQ(h.Raw({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
  EXPECT_EQ(h.Raw({"PING"}), "");
}

TEST(ConnectionCommands, ConfigGetSetAndInfo) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"CONFIG", "GET", "maxmemory-policy"}),
            "*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");
  EXPECT_EQ(h.Raw({"CONFIG", "SET", "maxmemory", "10mb", "hz", "20"}), "+OK\r\n");
  EXPECT_EQ(h.config().maxmemory, 10 * 1024 * 1024);
  EXPECT_EQ(
      h.Raw({"CONFIG", "SET", "hz", "5", "maxmemory", "bad"}),
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a "
      "memory value\r\n");
  EXPECT_EQ(h.config().hz, 20);  // all or nothing
  EXPECT_EQ(h.Raw({"CONFIG", "GET", "hash-max-ziplist-entries"}),
            "*2\r\n$24\r\nhash-max-ziplist-entries\r\n$3\r\n512\r\n");
  std::string info = h.Run({"INFO", "replication"}).str;
  EXPECT_NE(info.find("role:master\r\n"), std::string::npos);
  EXPECT_NE(info.find("master_replid:"), std::string::npos);
  EXPECT_EQ(h.Run({"INFO", "nosuch"}).str, "");
}

}  // namespace
}  // namespace vigil::datanode
