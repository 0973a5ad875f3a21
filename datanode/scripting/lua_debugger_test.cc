// The Lua debugger (SCRIPT DEBUG): its wire format, and sessions driven end to end through the
// service with a scripted client on a fake channel.
#include <gtest/gtest.h>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include <deque>

#include "common/resp/value.h"
#include "datanode/scripting/lua_debug_text.h"
#include "datanode/scripting/lua_debugger.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::ServiceHarness;

std::string Command(const std::vector<std::string>& argv) {
  return resp::EncodeCommand(argv);
}

TEST(LuaDebugText, ParsesOneCommandAndWaitsForTheRest) {
  std::vector<std::string> argv;
  size_t used = 0;
  const std::string full = Command({"print", "a"});
  EXPECT_EQ(ParseDebugCommand(full.substr(0, 10), &argv, &used), DebugParse::kNeedMore);
  ASSERT_EQ(ParseDebugCommand(full + "*1\r\n", &argv, &used), DebugParse::kCommand);
  EXPECT_EQ(argv, (std::vector<std::string>{"print", "a"}));
  EXPECT_EQ(used, full.size());
  // NUL bytes are data.
  ASSERT_EQ(ParseDebugCommand(Command({std::string("s\0x", 3)}), &argv, &used),
            DebugParse::kCommand);
  EXPECT_EQ(argv[0].size(), 3u);
}

TEST(LuaDebugText, RefusesWhatIsNotAnArrayOfShortBulkStrings) {
  std::vector<std::string> argv;
  size_t used = 0;
  EXPECT_EQ(ParseDebugCommand("step\r\n", &argv, &used), DebugParse::kProtocolError);
  EXPECT_EQ(ParseDebugCommand("*0\r\n", &argv, &used), DebugParse::kProtocolError);
  EXPECT_EQ(ParseDebugCommand("*1025\r\n", &argv, &used), DebugParse::kProtocolError);
  EXPECT_EQ(ParseDebugCommand("*1\r\n:1\r\n", &argv, &used), DebugParse::kProtocolError);
  EXPECT_EQ(ParseDebugCommand("*1\r\n$0\r\n\r\n", &argv, &used), DebugParse::kProtocolError);
  EXPECT_EQ(ParseDebugCommand("*1\r\n$2000\r\n", &argv, &used), DebugParse::kProtocolError);
  EXPECT_EQ(ParseDebugCommand("*1\r\n$1\r\nsXY", &argv, &used), DebugParse::kProtocolError);
}

TEST(LuaDebugText, LogsTravelAsOneArrayOfSimpleStrings) {
  EXPECT_EQ(EncodeDebugLogs({"a\r\nb", "c"}), "*2\r\n+a  b\r\n+c\r\n");
  EXPECT_EQ(EncodeDebugLogs({}), "*0\r\n");
}

TEST(LuaDebugText, RepliesAreShownAsRedisShowsThem) {
  EXPECT_EQ(RespToHuman(":12\r\n"), "12");
  EXPECT_EQ(RespToHuman("$3\r\na\nb\r\n"), "\"a\\nb\"");
  EXPECT_EQ(RespToHuman("$-1\r\n"), "NULL");
  EXPECT_EQ(RespToHuman("+OK\r\n"), "\"+OK\"");
  EXPECT_EQ(RespToHuman("-ERR no\r\n"), "\"-ERR no\"");
  EXPECT_EQ(RespToHuman("*2\r\n:1\r\n*1\r\n$1\r\nx\r\n"), "[1,[\"x\"]]");
  EXPECT_EQ(RespToHuman("*-1\r\n"), "NULL");
  EXPECT_EQ(RespToHuman("~2\r\n:1\r\n:2\r\n"), "~(1,2)");
  EXPECT_EQ(RespToHuman("%1\r\n$1\r\nk\r\n:1\r\n"), "{\"k\" => 1}");
  EXPECT_EQ(RespToHuman("_\r\n"), "(null)");
  EXPECT_EQ(RespToHuman("#t\r\n"), "#true");
  EXPECT_EQ(RespToHuman(",1.5\r\n"), "(double) 1.5");
}

TEST(LuaDebugText, LuaValuesAreShownAsArraysOrMaps) {
  lua_State* L = luaL_newstate();
  ASSERT_EQ(luaL_dostring(L, "return {1, 'two', {x=true}}, 2.5, nil"), 0);
  EXPECT_EQ(LuaValueRepr(L, 1), "{1; \"two\"; {[\"x\"]=true}}");
  EXPECT_EQ(LuaValueRepr(L, 2), "2.5");
  EXPECT_EQ(LuaValueRepr(L, 3), "nil");
  // A table that holds itself is cut at the depth limit instead of recursing forever.
  ASSERT_EQ(luaL_dostring(L, "local t = {} t[1] = t return t"), 0);
  EXPECT_NE(LuaValueRepr(L, -1).find("<max recursion level reached! Nested table?>"),
            std::string::npos);
  lua_close(L);
}

// A client that sends the queued commands one per read and records every array it gets.
class ScriptedClient : public DebugChannel {
 public:
  bool Write(std::string_view bytes) override {
    received.emplace_back(bytes);
    return true;
  }
  long Read(char* buf, size_t cap) override {
    if (commands.empty()) return 0;  // the client hung up
    std::string next = commands.front();
    commands.pop_front();
    EXPECT_LE(next.size(), cap);
    next.copy(buf, cap);
    return long(next.size());
  }
  // Every line received, in order.
  std::string Transcript() const {
    std::string all;
    for (const auto& r : received) all += r;
    return all;
  }
  std::deque<std::string> commands;
  std::vector<std::string> received;
};

class DebuggingShell : public testing::StubServerHooks {
 public:
  LuaDebugStart StartLuaDebug(Session&, bool forked, DebugChannel** channel,
                              std::string* error) override {
    if (fail_fork && forked) {
      *error = "ERR Fork() failed: can't run EVAL in debugging mode: no memory";
      return LuaDebugStart::kFailed;
    }
    ++starts;
    *channel = &client;
    return LuaDebugStart::kRun;
  }
  void EndLuaDebug(Session&, bool forked) override { ended_forked = forked, ++ends; }
  ScriptedClient client;
  bool fail_fork = false;
  bool ended_forked = false;
  int starts = 0;
  int ends = 0;
};

struct DebugFixture {
  DebugFixture() {
    h.service().set_hooks(&shell);
    h.service().set_clock_us([this] { return clock_us += 1000; });
  }
  ~DebugFixture() { h.service().set_hooks(nullptr); }
  void Send(const std::vector<std::string>& argv) {
    shell.client.commands.push_back(Command(argv));
  }
  ServiceHarness h;
  DebuggingShell shell;
  int64_t clock_us = 0;
};

constexpr const char* kScript =
    "local a = 1\n"
    "local t = {1, 2}\n"
    "redis.call('set', KEYS[1], ARGV[1])\n"
    "redis.debug('dbg', a)\n"
    "return redis.call('get', KEYS[1])\n";

TEST(LuaDebugger, StepsPrintsRunsCommandsAndEndsTheSessionAfterTheReply) {
  DebugFixture f;
  EXPECT_EQ(f.h.Raw({"SCRIPT", "DEBUG", "SYNC"}), "+OK\r\n");
  f.Send({"step"});
  f.Send({"s"});
  f.Send({"print"});
  f.Send({"print", "KEYS"});
  f.Send({"p", "nothere"});
  f.Send({"redis", "ping"});
  f.Send({"eval", "1 + 1"});
  f.Send({"next"});
  f.Send({"continue"});
  EXPECT_EQ(f.h.Raw({"EVAL", kScript, "1", "k", "v"}), "$1\r\nv\r\n");
  const std::string t = f.shell.client.Transcript();
  EXPECT_NE(t.find("+* Stopped at 1, stop reason = step over\r\n+-> 1   local a = 1\r\n"),
            std::string::npos);
  EXPECT_NE(t.find("+-> 3   redis.call('set', KEYS[1], ARGV[1])"), std::string::npos);
  EXPECT_NE(t.find("*2\r\n+<value> a = 1\r\n+<value> t = {1; 2}\r\n"), std::string::npos);
  EXPECT_NE(t.find("+<value> {\"k\"}\r\n"), std::string::npos);
  EXPECT_NE(t.find("+No such variable.\r\n"), std::string::npos);
  EXPECT_NE(t.find("*2\r\n+<redis> ping\r\n+<reply> \"+PONG\"\r\n"), std::string::npos);
  EXPECT_NE(t.find("+<retval> 2\r\n"), std::string::npos);
  // Stepping over line 3 logs the command it calls; continuing does not.
  EXPECT_NE(t.find("+<redis> set k v\r\n+<reply> \"+OK\"\r\n+* Stopped at 4"), std::string::npos);
  EXPECT_EQ(t.find("<redis> get k"), std::string::npos);
  EXPECT_NE(t.find("+<debug> line 4: \"dbg\", 1\r\n+<endsession>\r\n"), std::string::npos);
  EXPECT_EQ(f.shell.ends, 1);
  EXPECT_FALSE(f.shell.ended_forked);
  EXPECT_TRUE(f.h.session().close_after_reply);
  EXPECT_EQ(f.h.session().lua_debug, Session::LuaDebug::kOff);
  // SYNC keeps the script's writes.
  EXPECT_EQ(f.h.Raw({"GET", "k"}), "$1\r\nv\r\n");
}

TEST(LuaDebugger, BreakpointsListAndRedisBreakpointStopTheScript) {
  DebugFixture f;
  f.h.Raw({"SCRIPT", "DEBUG", "YES"});
  f.Send({"break", "5"});
  f.Send({"b", "9"});
  f.Send({"b", "x"});
  f.Send({"b"});
  f.Send({"list", "5", "0"});
  f.Send({"c"});
  f.Send({"c"});
  f.Send({"b", "-5"});
  f.Send({"c"});
  EXPECT_EQ(
      f.h.Raw({"EVAL", "local x = 0\nx = x + 1\nredis.breakpoint()\nx = x + 2\nx = x + 3\nreturn x",
               "0"}),
      ":6\r\n");
  const std::string t = f.shell.client.Transcript();
  EXPECT_NE(t.find("*1\r\n+  #5   x = x + 3\r\n"), std::string::npos);
  EXPECT_NE(t.find("+Wrong line number.\r\n"), std::string::npos);
  EXPECT_NE(t.find("+Invalid argument:'x'\r\n"), std::string::npos);
  EXPECT_NE(t.find("+1 breakpoints set:\r\n+  #5   x = x + 3\r\n"), std::string::npos);
  EXPECT_NE(t.find("+* Stopped at 4, stop reason = redis.breakpoint() called\r\n"),
            std::string::npos);
  EXPECT_NE(t.find("+* Stopped at 5, stop reason = break point\r\n+->#5   x = x + 3\r\n"),
            std::string::npos);
  EXPECT_NE(t.find("+Breakpoint removed.\r\n"), std::string::npos);
  EXPECT_TRUE(f.shell.ended_forked);
}

TEST(LuaDebugger, UnknownCommandsAreAnsweredAndAbortFailsTheScript) {
  DebugFixture f;
  f.h.Raw({"SCRIPT", "DEBUG", "SYNC"});
  f.Send({std::string("hello\0world", 11)});
  f.Send({"redis"});
  f.Send({"redis", "nosuchcommand", "a"});
  f.Send({"abort"});
  const std::string reply = f.h.Raw({"EVAL", "redis.call('set', 'k', 'v')\nreturn 1", "0"});
  EXPECT_EQ(reply.rfind("-ERR script aborted for user request", 0), 0u) << reply;
  const std::string t = f.shell.client.Transcript();
  EXPECT_NE(t.find("*1\r\n+<error> Unknown Redis Lua debugger command or wrong number of "
                   "arguments.\r\n*1\r\n+<error> Unknown"),
            std::string::npos);
  EXPECT_NE(t.find("+<redis> nosuchcommand a\r\n+<error> Unknown Redis command called from "
                   "script"),
            std::string::npos);
  EXPECT_NE(t.find("+<endsession>"), std::string::npos);
}

TEST(LuaDebugger, AClientThatHangsUpLetsTheScriptFinish) {
  DebugFixture f;
  f.h.Raw({"SCRIPT", "DEBUG", "SYNC"});
  EXPECT_EQ(f.h.Raw({"EVAL", "local n = 0\nfor i = 1, 3 do n = n + i end\nreturn n", "0"}),
            ":6\r\n");
  EXPECT_EQ(f.shell.ends, 1);
}

TEST(LuaDebugger, ALoopStopsAtTheBusyThresholdAndFailsWhenTheClientIsGone) {
  DebugFixture f;
  f.h.Raw({"CONFIG", "SET", "busy-reply-threshold", "10"});
  f.h.Raw({"SCRIPT", "DEBUG", "SYNC"});
  f.Send({"continue"});
  const std::string reply = f.h.Raw({"EVAL", "local i = 0\nwhile true do i = i + 1 end", "0"});
  EXPECT_NE(reply.find("timeout during Lua debugging with client closing connection"),
            std::string::npos)
      << reply;
  EXPECT_NE(f.shell.client.Transcript().find("stop reason = timeout reached, infinite loop?"),
            std::string::npos);
}

TEST(LuaDebugger, MaxlenTrimsLongValuesAndHintsOnce) {
  DebugFixture f;
  f.h.Raw({"SCRIPT", "DEBUG", "SYNC"});
  f.Send({"maxlen", "10"});
  f.Send({"s"});
  f.Send({"print", "s"});
  f.Send({"maxlen", "0"});
  f.Send({"print", "s"});
  f.h.Raw({"EVAL", std::string("local s = '") + std::string(100, 'x') + "'\nreturn s", "0"});
  const std::string t = f.shell.client.Transcript();
  EXPECT_NE(t.find("+<value> replies are truncated at 60 bytes.\r\n"), std::string::npos);
  EXPECT_NE(t.find("+<value> \"" + std::string(51, 'x') + " ...\r\n"), std::string::npos);
  EXPECT_EQ(t.find("<hint>"), std::string::npos);  // the user already knows about maxlen
  EXPECT_NE(t.find("+<value> replies are unlimited.\r\n"), std::string::npos);
  EXPECT_NE(t.find("+<value> \"" + std::string(100, 'x') + "\"\r\n"), std::string::npos);
}

TEST(LuaDebugger, ModeChecksAndFailedForks) {
  DebugFixture f;
  EXPECT_EQ(f.h.Raw({"SCRIPT", "DEBUG", "maybe"}), "-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n");
  f.h.Raw({"SCRIPT", "DEBUG", "YES"});
  EXPECT_EQ(f.h.Raw({"EVALSHA", std::string(40, 'a'), "0"}),
            "-ERR Please use EVAL instead of EVALSHA for debugging\r\n");
  f.shell.fail_fork = true;
  EXPECT_EQ(f.h.Raw({"EVAL", "return 1", "0"}),
            "-ERR Fork() failed: can't run EVAL in debugging mode: no memory\r\n");
  // The mode is dropped with the failed attempt.
  EXPECT_EQ(f.h.Raw({"EVAL", "return 1", "0"}), ":1\r\n");
  f.h.Raw({"SCRIPT", "DEBUG", "SYNC"});
  EXPECT_EQ(f.h.Raw({"SCRIPT", "DEBUG", "NO"}), "+OK\r\n");
  EXPECT_EQ(f.h.Raw({"EVAL", "return 1", "0"}), ":1\r\n");
  EXPECT_EQ(f.shell.starts, 0);
  // Outside a session the debugger's Lua functions do nothing.
  EXPECT_EQ(f.h.Raw({"EVAL", "redis.debug('x') return redis.breakpoint()", "0"}), "$-1\r\n");
}

}  // namespace
}  // namespace vigil::datanode
