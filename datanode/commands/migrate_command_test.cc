// MIGRATE against a scripted target: what it sends, how it reads the replies, which keys it
// deletes and propagates, the retry on a stale cached link, and its error texts.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "common/resp/value.h"
#include "datanode/service/migrate_link.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::RecordingPropagator;
using testing::ServiceHarness;

// A target that answers each request with scripted lines; an empty script fails the read.
class ScriptedLink : public MigrateLink {
 public:
  bool Write(std::string_view bytes, int64_t, bool*) override {
    if (fail_write) return false;
    written += bytes;
    return true;
  }
  bool ReadLine(std::string* line, int64_t, bool* timed_out) override {
    if (replies.empty()) {
      *timed_out = read_times_out;
      return false;
    }
    *line = replies.front();
    replies.pop_front();
    return true;
  }
  std::string written;
  std::deque<std::string> replies;
  bool fail_write = false;
  bool read_times_out = false;
};

class FakeShell : public testing::StubServerHooks {
 public:
  MigrateLink* MigrateGetLink(const std::string& host, const std::string& port,
                              int64_t timeout_ms) override {
    targets.push_back(host + ":" + port + "/" + std::to_string(timeout_ms));
    if (links.empty()) return nullptr;
    return links.front();
  }
  void MigrateCloseLink(const std::string&, const std::string&) override {
    ++closes;
    if (!links.empty()) links.pop_front();
  }
  std::deque<ScriptedLink*> links;
  std::vector<std::string> targets;
  int closes = 0;
};

struct MigrateFixture {
  MigrateFixture() {
    h.service().set_hooks(&shell);
    h.service().set_propagator(&feed);
  }
  ~MigrateFixture() {
    h.service().set_propagator(nullptr);
    h.service().set_hooks(nullptr);
  }
  ServiceHarness h;
  FakeShell shell;
  RecordingPropagator feed;
};

TEST(Migrate, MovesAKeyWithSelectAndRestoreThenDeletesItAndPropagatesDel) {
  MigrateFixture f;
  ScriptedLink link;
  link.replies = {"+OK", "+OK"};
  f.shell.links.push_back(&link);
  f.h.Raw({"SET", "key", "Some Value"});
  const std::string dump = f.h.Run({"DUMP", "key"}).str;
  EXPECT_EQ(f.h.Raw({"MIGRATE", "127.0.0.1", "6380", "key", "9", "5000"}), "+OK\r\n");
  EXPECT_EQ(link.written, resp::EncodeCommand({"SELECT", "9"}) +
                              resp::EncodeCommand({"RESTORE", "key", "0", dump}));
  EXPECT_EQ(f.h.Raw({"EXISTS", "key"}), testing::Int(0));
  ASSERT_FALSE(f.feed.lines.empty());
  EXPECT_EQ(f.feed.lines.back(), "0: DEL key");
  EXPECT_EQ(link.last_db, 9);
  EXPECT_EQ(f.shell.targets.front(), "127.0.0.1:6380/5000");
  // The link now has database 9 selected: the next MIGRATE there sends no SELECT.
  f.h.Raw({"SET", "k2", "v"});
  link.written.clear();
  link.replies = {"+OK"};
  EXPECT_EQ(f.h.Raw({"MIGRATE", "127.0.0.1", "6380", "k2", "9", "5000", "COPY"}), "+OK\r\n");
  EXPECT_EQ(link.written.rfind("*4\r\n$7\r\nRESTORE\r\n", 0), 0u);
  EXPECT_EQ(f.h.Raw({"EXISTS", "k2"}), testing::Int(1));  // COPY keeps it
}

TEST(Migrate, SeveralKeysWithAuth2ReplaceAndATtl) {
  MigrateFixture f;
  ScriptedLink link;
  link.replies = {"+OK", "+OK", "+OK", "+OK"};
  f.shell.links.push_back(&link);
  f.h.Raw({"SET", "a", "1", "PX", "60000"});
  f.h.Raw({"SET", "b", "2"});
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "", "0", "100", "REPLACE", "AUTH2", "u", "p", "KEYS", "a",
                     "missing", "b"}),
            "+OK\r\n");
  EXPECT_NE(link.written.find(resp::EncodeCommand({"AUTH", "u", "p"})), std::string::npos);
  EXPECT_NE(link.written.find("$1\r\na\r\n$5\r\n60000\r\n"), std::string::npos);
  EXPECT_NE(link.written.find("REPLACE"), std::string::npos);
  EXPECT_EQ(f.feed.lines.back(), "0: DEL a b");
}

TEST(Migrate, ATargetErrorIsRelayedAndKeepsTheKey) {
  MigrateFixture f;
  ScriptedLink link;
  link.replies = {"-WRONGPASS invalid username-password pair or user is disabled.", "+OK", "+OK"};
  f.shell.links.push_back(&link);
  f.h.Raw({"SET", "key", "v"});
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000", "AUTH", "bad"}),
            "-ERR Target instance replied with error: WRONGPASS invalid username-password pair "
            "or user is disabled.\r\n");
  EXPECT_EQ(f.h.Raw({"EXISTS", "key"}), testing::Int(1));
  EXPECT_EQ(link.last_db, -1);
}

TEST(Migrate, AStaleCachedLinkIsRetriedOnceOnAFreshOne) {
  MigrateFixture f;
  ScriptedLink stale;  // the target closed it: the first read fails
  ScriptedLink fresh;
  fresh.replies = {"+OK", "+OK"};
  f.shell.links = {&stale, &fresh};
  f.h.Raw({"SET", "key", "v"});
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000"}), "+OK\r\n");
  EXPECT_EQ(f.shell.closes, 1);
  EXPECT_EQ(f.h.Raw({"EXISTS", "key"}), testing::Int(0));
}

TEST(Migrate, ATimeoutIsNotRetried) {
  MigrateFixture f;
  ScriptedLink slow;
  slow.read_times_out = true;
  ScriptedLink spare;
  f.shell.links = {&slow, &spare};
  f.h.Raw({"SET", "key", "v"});
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000"}),
            "-IOERR error or timeout reading to target instance\r\n");
  EXPECT_EQ(f.h.Raw({"EXISTS", "key"}), testing::Int(1));
  EXPECT_EQ(spare.written, "");
}

TEST(Migrate, ArgumentErrorsNoKeyAndNoConnection) {
  MigrateFixture f;
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000"}), "+NOKEY\r\n");
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000", "KEYS", "a"}),
            "-ERR When using MIGRATE KEYS option, the key argument must be set to the empty "
            "string\r\n");
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000", "AUTH"}), "-ERR syntax error\r\n");
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  f.h.Raw({"SET", "key", "v"});
  EXPECT_EQ(f.h.Raw({"MIGRATE", "h", "1", "key", "0", "1000"}),
            "-IOERR error or timeout connecting to the client\r\n");
}

}  // namespace
}  // namespace vigil::datanode
