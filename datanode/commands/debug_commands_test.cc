// DEBUG subcommands in-process. The expected replies are the bytes redis-server 7.0.15 sends for
// the same requests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datanode/service/service.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::Int;
using testing::ServiceHarness;

// Records what DEBUG asks of the process shell.
class FakeHooks : public ServerHooks {
 public:
  std::string Shutdown(Session*, const ShutdownRequest&) override { return ""; }
  Status RewriteConfig() override { return Status::Ok(); }
  void FillProcessInfo(ProcessInfo*) const override {}
  void OnConfigChanged(const std::string&) override {}
  uint32_t SecureRandom32() override { return 0x5eed; }
  std::string DebugReload(bool save, bool flush, bool merge) override {
    reloads.push_back({save, flush, merge});
    return reload_error;
  }
  std::string DebugLoadAof() override {
    ++loadaofs;
    return "";
  }
  void ChangeReplicationId() override { ++repl_id_changes; }
  void ReplicateToReplicas(const std::vector<std::string>& argv) override {
    replicated.push_back(argv);
  }
  Status RewriteConfigForceAll() override { return Status::Error("Permission denied"); }
  void LogWarning(const std::string& line) override { log.push_back(line); }

  std::vector<std::vector<bool>> reloads;
  std::string reload_error;
  int loadaofs = 0;
  int repl_id_changes = 0;
  std::vector<std::vector<std::string>> replicated;
  std::vector<std::string> log;
};

struct DebugHarness : ServiceHarness {
  DebugHarness() {
    config().enable_debug_command = 1;
    service().set_hooks(&hooks);
  }
  FakeHooks hooks;
};

TEST(DebugCommand, RefusedUnlessEnableDebugCommandAllowsIt) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "HELP"}).rfind("-ERR DEBUG command not allowed.", 0), 0u);
  h.config().enable_debug_command = 1;
  EXPECT_EQ(h.Raw({"DEBUG", "HELP"}).rfind("*106\r\n", 0), 0u);
}

TEST(DebugCommand, HelpIsRedisTextLineForLine) {
  DebugHarness h;
  resp::Value v = h.Run({"DEBUG", "HELP"});
  ASSERT_EQ(v.elements.size(), 106u);
  EXPECT_EQ(v.elements[0].str, "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(v.elements[1].str, "AOF-FLUSH-SLEEP <microsec>");
  EXPECT_EQ(v.elements[105].str, "    Prints this help.");
  EXPECT_EQ(h.Raw({"DEBUG", "HELP", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'HELP'. Try DEBUG HELP.\r\n");
}

TEST(DebugCommand, ProtocolRepliesEveryTypeInResp2) {
  DebugHarness h;
  auto p = [&h](const char* t) { return h.Raw({"DEBUG", "PROTOCOL", t}); };
  EXPECT_EQ(p("string"), Bulk("Hello World"));
  EXPECT_EQ(p("integer"), Int(12345));
  EXPECT_EQ(p("double"), Bulk("3.141"));
  EXPECT_EQ(p("bignum"), Bulk("1234567999999999999999999999999999999"));
  EXPECT_EQ(p("null"), "$-1\r\n");
  EXPECT_EQ(p("array"), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(p("set"), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(p("map"), "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
  EXPECT_EQ(p("attrib"), Bulk("Some real reply following the attribute"));
  EXPECT_EQ(p("push"), "-ERR RESP2 is not supported by this command\r\n");
  EXPECT_EQ(p("verbatim"), Bulk("This is a verbatim\nstring"));
  EXPECT_EQ(p("TRUE"), Int(1));
  EXPECT_EQ(p("false"), Int(0));
  EXPECT_EQ(p("bogus"),
            "-ERR Wrong protocol type name. Please use one of the following: "
            "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n");
}

TEST(DebugCommand, ProtocolRepliesEveryTypeInResp3) {
  DebugHarness h;
  h.Raw({"HELLO", "3"});
  auto p = [&h](const char* t) { return h.Raw({"DEBUG", "PROTOCOL", t}); };
  EXPECT_EQ(p("double"), ",3.141\r\n");
  EXPECT_EQ(p("bignum"), "(1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(p("null"), "_\r\n");
  EXPECT_EQ(p("set"), "~3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(p("map"), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  EXPECT_EQ(p("attrib"), "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n" +
                             Bulk("Some real reply following the attribute"));
  EXPECT_EQ(p("push"), ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n" +
                           Bulk("Some real reply following the push reply"));
  EXPECT_EQ(p("verbatim"), "=29\r\ntxt:This is a verbatim\nstring\r\n");
  EXPECT_EQ(p("true"), "#t\r\n");
}

TEST(DebugCommand, DigestAndDigestValueMatchRedis) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "DIGEST"}), "+0000000000000000000000000000000000000000\r\n");
  h.Raw({"SET", "s", "hello"});
  EXPECT_EQ(h.Raw({"DEBUG", "DIGEST"}), "+a500c6b54937da22f2ac1167da1da852479c7339\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "DIGEST-VALUE", "s", "nokey"}),
            "*2\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n"
            "+0000000000000000000000000000000000000000\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "DIGEST-VALUE"}), "*0\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "DIGEST", "x"}).rfind("-ERR unknown subcommand", 0), 0u);
}

TEST(DebugCommand, ObjectShowsEncodingSerializedLengthAndQuicklistFields) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "OBJECT", "nokey"}), "-ERR no such key\r\n");
  h.Raw({"RPUSH", "l", "a", "b", "c", "1", "2"});
  std::string l = h.Run({"DEBUG", "OBJECT", "l"}).str;
  EXPECT_NE(l.find(" refcount:1 encoding:quicklist serializedlength:23 lru:"), std::string::npos)
      << l;
  EXPECT_NE(l.find(" ql_nodes:1 ql_avg_node:5.00 ql_listpack_max:-2 ql_compressed:0 "
                   "ql_uncompressed_size:20"),
            std::string::npos)
      << l;
  h.Raw({"ZADD", "z", "1", "a", "2.5", "b", "-0", "c", "inf", "d", "0.1", "e"});
  EXPECT_NE(h.Run({"DEBUG", "OBJECT", "z"}).str.find("encoding:listpack serializedlength:51 "),
            std::string::npos);
}

TEST(DebugCommand, ObjectAddressIsStableAcrossInPlaceIncr) {
  DebugHarness h;
  h.Raw({"SET", "foo", "20000"});
  auto at = [&h] {
    std::string s = h.Run({"DEBUG", "OBJECT", "foo"}).str;
    return s.substr(0, s.find(' ', 9));
  };
  std::string before = at();
  h.Raw({"INCR", "foo"});
  EXPECT_EQ(at(), before);
}

TEST(DebugCommand, SmallIntegersReportTheSharedRefcount) {
  DebugHarness h;
  h.Raw({"SET", "foo", "-1"});
  h.Raw({"INCR", "foo"});
  EXPECT_EQ(h.Raw({"OBJECT", "REFCOUNT", "foo"}), Int(2147483647));
  h.Raw({"SET", "foo", "20000"});
  EXPECT_EQ(h.Raw({"OBJECT", "REFCOUNT", "foo"}), Int(1));
}

TEST(DebugCommand, ReloadParsesRedisOptionsAndReportsTheLoadError) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "RELOAD"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "RELOAD", "nosave", "NOFLUSH", "merge"}), "+OK\r\n");
  ASSERT_EQ(h.hooks.reloads.size(), 2u);
  EXPECT_EQ(h.hooks.reloads[0], (std::vector<bool>{true, true, false}));
  EXPECT_EQ(h.hooks.reloads[1], (std::vector<bool>{false, false, true}));
  EXPECT_EQ(h.Raw({"DEBUG", "RELOAD", "fast"}),
            "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n");
  h.hooks.reload_error = "ERR Error trying to load the RDB dump";
  EXPECT_EQ(h.Raw({"DEBUG", "RELOAD", "noflush"}), "-ERR Error trying to load the RDB dump\r\n");
}

TEST(DebugCommand, ShellSubcommandsReachTheServerHooks) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "LOADAOF"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "CHANGE-REPL-ID"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "REPLICATE", "fake-command-1", "a"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "LOG", "hello"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "CONFIG-REWRITE-FORCE-ALL"}),
            "-ERR CONFIG-REWRITE-FORCE-ALL failed: Permission denied\r\n");
  EXPECT_EQ(h.hooks.loadaofs, 1);
  EXPECT_EQ(h.hooks.repl_id_changes, 1);
  ASSERT_EQ(h.hooks.replicated.size(), 1u);
  EXPECT_EQ(h.hooks.replicated[0], (std::vector<std::string>{"fake-command-1", "a"}));
  EXPECT_EQ(h.hooks.log, (std::vector<std::string>{"DEBUG LOG: hello"}));
}

TEST(DebugCommand, KnobsParseLikeRedisAtoiAndStrtod) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "SLEEP", "junk"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK\r\n");
  EXPECT_FALSE(h.service().active_expire_enabled);
  EXPECT_EQ(h.Raw({"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"}), "+OK\r\n");
  EXPECT_TRUE(h.service().debug.skip_checksum_validation);
  EXPECT_EQ(h.Raw({"DEBUG", "AOF-FLUSH-SLEEP", "500000"}), "+OK\r\n");
  EXPECT_EQ(h.service().debug.aof_flush_sleep_us, 500000);
  EXPECT_EQ(h.Raw({"DEBUG", "PAUSE-CRON", "1"}), "+OK\r\n");
  EXPECT_TRUE(h.service().debug.pause_cron);
  EXPECT_EQ(h.Raw({"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "STRINGMATCH-TEST"}),
            "+Apparently Redis did not crash: test passed\r\n");
}

TEST(DebugCommand, QuicklistPackedThresholdTakesMemoryValuesBelow4Gb) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"}), "+OK\r\n");
  EXPECT_EQ(h.service().debug.quicklist_packed_threshold, 1);
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"}), "+OK\r\n");
  EXPECT_EQ(h.service().debug.quicklist_packed_threshold, 1LL << 30);
  const std::string err =
      "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n";
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "-1"}), err);
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"}), err);
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1x"}), err);
}

TEST(DebugCommand, ReplyBufferOptions) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"}), "+OK\r\n");
  EXPECT_EQ(h.service().debug.reply_buffer_peak_reset_time_ms, 100);
  EXPECT_EQ(h.Raw({"DEBUG", "REPLYBUFFER", "peak-reset-time", "never"}), "+OK\r\n");
  EXPECT_EQ(h.service().debug.reply_buffer_peak_reset_time_ms, -1);
  EXPECT_EQ(h.Raw({"DEBUG", "REPLYBUFFER", "peak-reset-time", "reset"}), "+OK\r\n");
  EXPECT_EQ(h.service().debug.reply_buffer_peak_reset_time_ms, 5000);
  EXPECT_EQ(h.Raw({"DEBUG", "REPLYBUFFER", "peak-reset-time", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "REPLYBUFFER", "RESIZING", "0"}), "+OK\r\n");
  EXPECT_FALSE(h.service().debug.reply_buffer_resizing);
  EXPECT_EQ(h.Raw({"DEBUG", "REPLYBUFFER", "other", "0"}).rfind("-ERR unknown subcommand", 0), 0u);
}

TEST(DebugCommand, HtStatsDescribesTheKeyTableInRedisFormat) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "HTSTATS", "16"}), "-ERR Out of range database\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "HTSTATS", "x"}), "-ERR value is not an integer or out of range\r\n");
  std::string empty = h.Run({"DEBUG", "HTSTATS", "0"}).str;
  EXPECT_EQ(empty,
            "[Dictionary HT]\nHash table 0 stats (main hash table):\nNo stats available for "
            "empty dictionaries\n[Expires HT]\nHash table 0 stats (main hash table):\nNo stats "
            "available for empty dictionaries\n");
  h.Raw({"SET", "a", "1"});
  std::string one = h.Run({"DEBUG", "HTSTATS", "0"}).str;
  EXPECT_NE(one.find(" number of elements: 1\n different slots: 1\n max chain length: 1\n"),
            std::string::npos)
      << one;
}

TEST(DebugCommand, HtStatsKeyNeedsAHashTableEncoding) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "HTSTATS-KEY", "nokey"}), "-ERR no such key\r\n");
  h.Raw({"HSET", "small", "f", "v"});
  EXPECT_EQ(h.Raw({"DEBUG", "HTSTATS-KEY", "small"}),
            "-ERR The value stored at the specified key is not represented using an hash "
            "table\r\n");
  h.Raw({"SADD", "s", "a", "b", "c"});
  EXPECT_NE(h.Run({"DEBUG", "HTSTATS-KEY", "s"}).str.find(" number of elements: 3\n"),
            std::string::npos);
}

TEST(DebugCommand, ListpackAndQuicklistCheckTheEncoding) {
  DebugHarness h;
  h.Raw({"HSET", "h", "f", "v"});
  h.Raw({"RPUSH", "l", "x"});
  EXPECT_EQ(h.Raw({"DEBUG", "LISTPACK", "h"}), "+Listpack structure printed on stdout\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "LISTPACK", "l"}), "-ERR Not a listpack encoded object.\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST", "l", "1"}), "+Quicklist structure printed on stdout\r\n");
  EXPECT_EQ(h.Raw({"DEBUG", "QUICKLIST", "h"}), "-ERR Not a quicklist encoded object.\r\n");
}

TEST(DebugCommand, MallctlIsUnknownWithoutJemalloc) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "MALLCTL", "arenas.page"}),
            "-ERR unknown subcommand or wrong number of arguments for 'MALLCTL'. Try DEBUG "
            "HELP.\r\n");
}

TEST(DebugCommand, PopulateWithSizeZeroKeepsTheValueText) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "POPULATE", "2", "k", "0"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"GET", "k:1"}), Bulk("value:1"));
  EXPECT_EQ(h.Raw({"DEBUG", "POPULATE", "1", "p", "3"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"GET", "p:0"}), Bulk("val"));
  EXPECT_EQ(h.Raw({"DEBUG", "POPULATE", "1", "p", "-3"}),
            "-ERR value is out of range, must be positive\r\n");
}

TEST(DebugCommand, ErrorRepliesWithTheGivenTextOnOneLine) {
  DebugHarness h;
  EXPECT_EQ(h.Raw({"DEBUG", "ERROR", "CUSTOM err\nline"}), "-CUSTOM err line\r\n");
}

}  // namespace
}  // namespace vigil::datanode
