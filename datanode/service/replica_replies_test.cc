// A synced replica's own commands are never answered on its link: one that generates a reply
// is logged and disconnected, as Redis does (its upstream test "replica do not write the reply
// to the replication link").
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

class LogShell : public testing::StubServerHooks {
 public:
  void LogWarning(const std::string& line) override { warnings.push_back(line); }
  std::vector<std::string> warnings;
};

struct Fixture {
  Fixture() { h.service().set_hooks(&shell); }
  ~Fixture() { h.service().set_hooks(nullptr); }
  ServiceHarness h;
  LogShell shell;
};

TEST(ReplicaReplies, AReplicaWhoseCommandIsAnsweredIsDisconnectedWithoutTheReply) {
  Fixture f;
  Session& replica = f.h.NewSession();
  replica.is_replica = true;
  replica.out = "stream-bytes";  // what the link still had to send
  const std::vector<std::string> ping = {"PING"};
  f.h.service().Execute(replica, ping, ping.size());
  EXPECT_EQ(replica.out, "stream-bytes");
  EXPECT_TRUE(replica.close_after_reply);
  EXPECT_TRUE(replica.close_asap);
  ASSERT_EQ(f.shell.warnings.size(), 1u);
  EXPECT_EQ(f.shell.warnings[0].rfind(
                "Replica generated a reply to command 'ping', disconnecting it: id=", 0),
            0u)
      << f.shell.warnings[0];
}

TEST(ReplicaReplies, AnErrorForAReplicaIsLoggedAsCriticalFirst) {
  Fixture f;
  Session& replica = f.h.NewSession();
  replica.is_replica = true;
  EXPECT_EQ(f.h.Raw({"GET", "foo"}, &replica), "");
  ASSERT_EQ(f.shell.warnings.size(), 2u);
  EXPECT_EQ(f.shell.warnings[0],
            "== CRITICAL == This master is sending an error to its replica: 'ERR Replica can't "
            "interact with the keyspace' after processing the command 'get'");
  EXPECT_NE(f.shell.warnings[1].find("command 'get', disconnecting it"), std::string::npos);
  Session& other = f.h.NewSession();
  other.is_replica = true;
  f.h.Raw({"XINFO", "HELP"}, &other);
  EXPECT_NE(f.shell.warnings.back().find("command 'xinfo|help'"), std::string::npos);
}

TEST(ReplicaReplies, ReplconfAndMonitorsAreLeftAlone) {
  Fixture f;
  Session& replica = f.h.NewSession();
  replica.is_replica = true;
  f.h.Raw({"REPLCONF", "ACK", "0"}, &replica);
  EXPECT_FALSE(replica.close_after_reply);
  Session& monitor = f.h.NewSession();
  f.h.Raw({"MONITOR"}, &monitor);
  monitor.out.clear();
  EXPECT_EQ(f.h.Raw({"PING"}, &monitor).rfind("+PONG\r\n", 0), 0u);  // then its own feed line
  EXPECT_FALSE(monitor.close_after_reply);
  EXPECT_TRUE(f.shell.warnings.empty());
}

}  // namespace
}  // namespace vigil::datanode
