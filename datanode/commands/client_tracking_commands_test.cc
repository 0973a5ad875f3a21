// Client-side caching through the service: who is told, in which form, and when.
#include <gtest/gtest.h>

#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::BulkArr;
using testing::ServiceHarness;

// What a RESP2 client subscribed to __redis__:invalidate receives for `keys`.
std::string InvalidateMessage(const std::vector<std::string>& keys) {
  return "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + BulkArr(keys);
}

std::string InvalidatePush(const std::vector<std::string>& keys) {
  return ">2\r\n$10\r\ninvalidate\r\n" + BulkArr(keys);
}

struct Redirected {
  explicit Redirected(ServiceHarness& harness) : h(harness), sub(h.NewSession()) {
    h.Raw({"SUBSCRIBE", "__redis__:invalidate"}, &sub);
    h.TakeOutput(sub);
  }
  std::string id() const { return std::to_string(sub.id); }
  ServiceHarness& h;
  Session& sub;
};

TEST(ClientTracking, AReadKeyIsInvalidatedOnceOnTheRedirectChannel) {
  ServiceHarness h;
  Redirected r(h);
  Session& writer = h.NewSession();
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", r.id()}), "+OK\r\n");
  h.Raw({"SET", "a", "1"});
  h.Raw({"SET", "b", "1"});
  h.Raw({"GET", "a"});
  h.Raw({"INCR", "b"}, &writer);  // never read: no message
  h.Raw({"INCR", "a"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), InvalidateMessage({"a"}));
  h.Raw({"INCR", "a"}, &writer);  // not read again since
  EXPECT_EQ(h.TakeOutput(r.sub), "");
  EXPECT_NE(h.Run({"INFO", "stats"}).str.find("tracking_total_keys:0\r\n"), std::string::npos);
}

TEST(ClientTracking, Resp3InvalidationOfTheClientsOwnChangeFollowsItsReply) {
  ServiceHarness h;
  h.Raw({"HELLO", "3"});
  h.Raw({"CLIENT", "TRACKING", "on"});
  h.Raw({"HSET", "myhash", "f", "1"});
  h.Raw({"HGET", "myhash", "f"});
  EXPECT_EQ(h.Raw({"HDEL", "myhash", "f"}), ":1\r\n" + InvalidatePush({"myhash"}));
  // In a transaction the message follows EXEC's reply.
  h.Raw({"MSET", "a", "1", "b", "2"});
  h.Raw({"GET", "a"});
  h.Raw({"MULTI"});
  h.Raw({"INCR", "a"});
  h.Raw({"GET", "b"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*2\r\n:2\r\n$1\r\n2\r\n" + InvalidatePush({"a"}));
  // A flush by the client itself: a null, after the reply.
  h.Raw({"GET", "a"});
  EXPECT_EQ(h.Raw({"FLUSHDB"}), "+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n");
}

TEST(ClientTracking, Resp2WithoutRedirectionIsNotTold) {
  ServiceHarness h;
  Session& writer = h.NewSession();
  h.Raw({"CLIENT", "TRACKING", "on"});
  h.Raw({"GET", "k"});
  h.Raw({"SET", "k", "v"}, &writer);
  EXPECT_EQ(h.TakeOutput(h.session()), "");
}

TEST(ClientTracking, NoloopLeavesOutTheClientsOwnChanges) {
  ServiceHarness h;
  Redirected r(h);
  Session& writer = h.NewSession();
  h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", r.id(), "NOLOOP"});
  h.Raw({"MGET", "other", "loop"});
  h.Raw({"SET", "loop", "1"});
  h.Raw({"SET", "other", "1"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), InvalidateMessage({"other"}));
}

TEST(ClientTracking, BcastSendsChangedKeysPerPrefixAfterTheCommand) {
  ServiceHarness h;
  Redirected r(h);
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", r.id(), "PREFIX",
                   "a:", "PREFIX", "b:"}),
            "+OK\r\n");
  h.Raw({"MULTI"});
  h.Raw({"INCR", "a:1"});
  h.Raw({"INCR", "a:2"});
  h.Raw({"INCR", "b:1"});
  h.Raw({"INCR", "c:1"});
  h.Raw({"EXEC"});
  EXPECT_EQ(h.TakeOutput(r.sub), InvalidateMessage({"a:1", "a:2"}) + InvalidateMessage({"b:1"}));
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:x"}),
            "-ERR Prefix 'a:x' overlaps with an existing prefix 'a:'. Prefixes for a single "
            "client must not overlap.\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "PREFIX", "x"}),
            "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on"}),
            "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
  // BCAST NOLOOP: a key the client changed itself is left out; expiry counts as nobody's.
  h.Raw({"CLIENT", "TRACKING", "off"});
  h.Raw({"CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", r.id(), "NOLOOP"});
  h.Raw({"SET", "mine", "1"});
  EXPECT_EQ(h.TakeOutput(r.sub), "");
  h.Raw({"SET", "gone", "1", "PX", "1"});
  h.TakeOutput(r.sub);
  h.AdvanceMs(5);
  h.service().Cron();
  EXPECT_EQ(h.TakeOutput(r.sub), InvalidateMessage({"gone"}));
}

TEST(ClientTracking, OptinTracksOnlyAfterCachingYesAndOptoutSkipsAfterCachingNo) {
  ServiceHarness h;
  Redirected r(h);
  Session& writer = h.NewSession();
  h.Raw({"CLIENT", "TRACKING", "on", "OPTIN", "REDIRECT", r.id()});
  h.Raw({"GET", "x"});
  h.Raw({"SET", "x", "1"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), "");
  h.Raw({"CLIENT", "CACHING", "yes"});
  h.Raw({"GET", "x"});
  h.Raw({"SET", "x", "2"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), InvalidateMessage({"x"}));
  EXPECT_EQ(h.Raw({"CLIENT", "CACHING", "no"}),
            "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
  h.Raw({"CLIENT", "TRACKING", "off"});
  h.Raw({"CLIENT", "TRACKING", "on", "OPTOUT", "REDIRECT", r.id()});
  h.Raw({"CLIENT", "CACHING", "no"});
  h.Raw({"GET", "y"});
  h.Raw({"SET", "y", "1"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), "");
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "OPTIN"}),
            "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
}

TEST(ClientTracking, ALostRedirectTargetIsReportedToAResp3Client) {
  ServiceHarness h;
  Session& target = h.NewSession();
  Session& writer = h.NewSession();
  h.Raw({"HELLO", "3"});
  h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", std::to_string(target.id)});
  EXPECT_EQ(h.Raw({"CLIENT", "GETREDIR"}), ":" + std::to_string(target.id) + "\r\n");
  h.Raw({"GET", "k"});
  h.service().DetachSession(&target);
  h.Raw({"SET", "k", "v"}, &writer);
  EXPECT_EQ(h.TakeOutput(h.session()),
            ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(target.id) + "\r\n");
  EXPECT_NE(h.Run({"CLIENT", "INFO"}).str.find("flags=tR "), std::string::npos);
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", "9999"}),
            "-ERR The client ID you want redirect to does not exist\r\n");
}

TEST(ClientTracking, TrackinginfoReportsTheModeAsRedis) {
  ServiceHarness h;
  h.Raw({"HELLO", "3"});
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n"
            "*0\r\n");
  h.Raw({"CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP"});
  h.Raw({"CLIENT", "CACHING", "yes"});
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~4\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$6\r\n"
            "noloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
  // CACHING lasts through CLIENT commands, up to the next other command.
  EXPECT_EQ(h.Run({"CLIENT", "TRACKINGINFO"}).elements[1].elements.size(), 4u);
  h.Raw({"GET", "k"});
  EXPECT_EQ(h.Run({"CLIENT", "TRACKINGINFO"}).elements[1].elements.size(), 3u);
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "BCAST", "OPTIN"}),
            "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
  h.Raw({"CLIENT", "TRACKING", "off"});
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "BCAST", "OPTIN"}),
            "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"}),
            "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
  EXPECT_EQ(h.Raw({"CLIENT", "TRACKING", "maybe"}), "-ERR syntax error\r\n");
}

TEST(ClientTracking, TheTableLimitInvalidatesKeysAsIfTheyChanged) {
  ServiceHarness h;
  Redirected r(h);
  h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", r.id()});
  h.Raw({"MGET", "k1", "k2", "k3"});
  h.Raw({"CONFIG", "SET", "tracking-table-max-keys", "1"});
  h.Raw({"PING"});
  const std::string out = h.TakeOutput(r.sub);
  size_t messages = 0;
  for (size_t at = out.find("message"); at != std::string::npos; at = out.find("message", at + 1))
    ++messages;
  EXPECT_EQ(messages, 2u);
  EXPECT_NE(h.Run({"INFO", "stats"}).str.find("tracking_total_keys:1\r\n"), std::string::npos);
}

TEST(ClientTracking, AScriptThatReadsTracksTheKeysItsCallerDeclared) {
  ServiceHarness h;
  Redirected r(h);
  Session& writer = h.NewSession();
  h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", r.id()});
  h.Raw({"EVAL", "redis.call('set', 'k3', 'bar')", "2", "k1", "k2"});
  h.Raw({"MSET", "k2", "2", "k1", "2"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), "");
  h.Raw({"EVAL", "redis.call('get', 'k3')", "2", "k1", "k2"});
  h.Raw({"MSET", "k2", "2", "k1", "2", "k3", "x"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), InvalidateMessage({"k2"}) + InvalidateMessage({"k1"}));
}

TEST(ClientTracking, AFlushTellsEveryTrackingClientAllKeysAreInvalid) {
  ServiceHarness h;
  Redirected r(h);
  Session& writer = h.NewSession();
  h.Raw({"CLIENT", "TRACKING", "on", "REDIRECT", r.id()});
  h.Raw({"GET", "k"});
  h.Raw({"FLUSHALL"}, &writer);
  EXPECT_EQ(h.TakeOutput(r.sub), "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
  EXPECT_NE(h.Run({"INFO", "stats"}).str.find("tracking_total_keys:0\r\n"), std::string::npos);
  EXPECT_NE(h.Run({"INFO", "clients"}).str.find("tracking_clients:1\r\n"), std::string::npos);
  h.Raw({"RESET"});
  EXPECT_NE(h.Run({"INFO", "clients"}).str.find("tracking_clients:0\r\n"), std::string::npos);
}

}  // namespace
}  // namespace vigil::datanode
