// EVAL and SCRIPT through the service: conversions, the sandbox, the cache, flags, and the
// propagation of a script's effects.
#include <gtest/gtest.h>

#include "datanode/scripting/script_engine.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Int;
using testing::RecordingPropagator;
using testing::ServiceHarness;

std::string Eval(ServiceHarness& h, const std::string& script, std::vector<std::string> rest = {},
                 Session* s = nullptr) {
  std::vector<std::string> argv = {"EVAL", script, std::to_string(rest.empty() ? 0 : 1)};
  for (auto& r : rest) argv.push_back(r);
  return h.Raw(argv, s);
}

TEST(Scripting, LuaToRespConversions) {
  ServiceHarness h;
  EXPECT_EQ(Eval(h, "return 1"), ":1\r\n");
  EXPECT_EQ(Eval(h, "return 3.99"), ":3\r\n");
  EXPECT_EQ(Eval(h, "return -3.99"), ":-3\r\n");
  EXPECT_EQ(Eval(h, "return 'x'"), "$1\r\nx\r\n");
  EXPECT_EQ(Eval(h, "return true"), ":1\r\n");
  EXPECT_EQ(Eval(h, "return false"), "$-1\r\n");
  EXPECT_EQ(Eval(h, "return nil"), "$-1\r\n");
  EXPECT_EQ(Eval(h, "return {1,2,nil,4}"), "*2\r\n:1\r\n:2\r\n");
  EXPECT_EQ(Eval(h, "return {ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(Eval(h, "return {err='My Error'}"), "-My Error\r\n");
  EXPECT_EQ(Eval(h, "return redis.error_reply('My Error')"), "-My Error\r\n");
  EXPECT_EQ(Eval(h, "return redis.error_reply('-X y')"), "-X y\r\n");
  EXPECT_EQ(Eval(h, "return redis.status_reply('PONG')"), "+PONG\r\n");
  EXPECT_EQ(Eval(h, "return {double=3.5}"), "$3\r\n3.5\r\n");
  EXPECT_EQ(Eval(h, "return {map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Eval(h, "return {set={x=true}}"), "*1\r\n$1\r\nx\r\n");
  EXPECT_EQ(Eval(h, "return {big_number='12'}"), "$2\r\n12\r\n");
}

TEST(Scripting, Resp3CallerSeesTypedReplies) {
  ServiceHarness h;
  h.session().proto = 3;
  EXPECT_EQ(Eval(h, "return false"), "_\r\n");
  EXPECT_EQ(Eval(h, "redis.setresp(3) return false"), "#f\r\n");
  EXPECT_EQ(Eval(h, "return {double=3.5}"), ",3.5\r\n");
  EXPECT_EQ(Eval(h, "return {map={a=1}}"), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Eval(h, "return {big_number='12'}"), "(12\r\n");
  EXPECT_EQ(Eval(h, "return {verbatim_string={format='txt', string='hi'}}"), "=6\r\ntxt:hi\r\n");
}

TEST(Scripting, RespToLuaConversions) {
  ServiceHarness h;
  h.Raw({"SET", "k", "v"});
  h.Raw({"HSET", "h", "f", "v"});
  EXPECT_EQ(Eval(h, "return redis.call('get', KEYS[1])", {"k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Eval(h, "return type(redis.call('get', 'nokey'))"), "$7\r\nboolean\r\n");
  EXPECT_EQ(Eval(h, "return redis.call('set', 'a', 'b').ok"), "$2\r\nOK\r\n");
  EXPECT_EQ(Eval(h, "return redis.call('incr', 'n') + 1"), ":2\r\n");
  EXPECT_EQ(Eval(h, "redis.setresp(3) return redis.call('hgetall', 'h').map.f"), "$1\r\nv\r\n");
  EXPECT_EQ(Eval(h, "redis.setresp(3) return type(redis.call('get', 'nokey'))"), "$3\r\nnil\r\n");
  EXPECT_EQ(Eval(h, "redis.call('set', 'x', 0.1) return redis.call('get', 'x')"),
            "$19\r\n0.10000000000000001\r\n");
}

TEST(Scripting, ErrorsCarryScriptContext) {
  ServiceHarness h;
  h.Raw({"SET", "s", "str"});
  const std::string sha = Sha1Hex("return redis.call('incr', 's')");
  EXPECT_EQ(
      Eval(h, "return redis.call('incr', 's')"),
      "-ERR value is not an integer or out of range script: " + sha + ", on @user_script:1.\r\n");
  EXPECT_EQ(Eval(h, "return redis.pcall('incr', 's')"),
            "-ERR value is not an integer or out of range\r\n");
  const std::string sha2 = Sha1Hex("return redis.call('nosuch')");
  EXPECT_EQ(
      Eval(h, "return redis.call('nosuch')"),
      "-ERR Unknown Redis command called from script script: " + sha2 + ", on @user_script:1.\r\n");
  EXPECT_EQ(Eval(h, "return redis.pcall('echo')"),
            "-ERR Wrong number of args calling Redis command from script\r\n");
  EXPECT_EQ(Eval(h, "return redis.pcall('multi')"),
            "-ERR This Redis command is not allowed from script\r\n");
  EXPECT_EQ(h.Raw({"EVAL", "return +", "0"}),
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near "
            "'+'\r\n");
}

TEST(Scripting, SandboxProtectsGlobals) {
  ServiceHarness h;
  auto has = [&](const std::string& script, const std::string& text) {
    std::string r = Eval(h, script);
    EXPECT_NE(r.find(text), std::string::npos) << script << " → " << r;
  };
  has("return a", "Script attempted to access nonexistent global variable 'a'");
  has("a = 1", "Attempt to modify a readonly table");
  has("redis = 1", "Attempt to modify a readonly table");
  has("redis.call = 1", "Attempt to modify a readonly table");
  has("string.x = 1", "Attempt to modify a readonly table");
  has("setmetatable(_G, {})", "Attempt to modify a readonly table");
  has("local g = getmetatable(_G) g.__index = {}", "Attempt to modify a readonly table");
  has("rawset(_G, 'a', 1)", "Attempt to modify a readonly table");
  has("table.insert(_G, 1)", "Attempt to modify a readonly table");
  has("return os", "nonexistent global variable 'os'");
  has("return io", "nonexistent global variable 'io'");
  has("return loadfile", "nonexistent global variable 'loadfile'");
  has("return dofile", "nonexistent global variable 'dofile'");
  has("return print", "nonexistent global variable 'print'");
  has("return debug", "nonexistent global variable 'debug'");
  has("return loadstring(string.dump(function() return 1 end))()", "attempt to call a nil value");
  EXPECT_EQ(Eval(h, "return ('abc'):upper()"), "$3\r\nABC\r\n");
  EXPECT_EQ(Eval(h, "local n = 0 for k in pairs(redis) do n = n + 1 end return n > 10"), ":1\r\n");
  EXPECT_EQ(Eval(h, "return cjson.encode({1,2})"), "$5\r\n[1,2]\r\n");
  EXPECT_EQ(Eval(h, "return bit.band(7, 3)"), ":3\r\n");
}

TEST(Scripting, CacheAndScriptCommand) {
  ServiceHarness h;
  const std::string sha = Sha1Hex("return 'x'");
  EXPECT_EQ(h.Raw({"SCRIPT", "LOAD", "return 'x'"}), "$40\r\n" + sha + "\r\n");
  EXPECT_EQ(h.Raw({"EVALSHA", sha, "0"}), "$1\r\nx\r\n");
  std::string upper = sha;
  for (char& c : upper) c = char(std::toupper(c));
  EXPECT_EQ(h.Raw({"EVALSHA", upper, "0"}), "$1\r\nx\r\n");
  EXPECT_EQ(h.Raw({"SCRIPT", "EXISTS", sha, "nope"}), "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(h.Raw({"SCRIPT", "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"EVALSHA", sha, "0"}), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(h.Raw({"SCRIPT", "FLUSH", "x"}),
            "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
  EXPECT_EQ(h.Raw({"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
  EXPECT_EQ(h.Raw({"EVAL", "return 1", "2", "a"}),
            "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(h.Raw({"EVAL", "return 1", "-1"}), "-ERR Number of keys can't be negative\r\n");
}

TEST(Scripting, ReadOnlyScripts) {
  ServiceHarness h;
  EXPECT_EQ(h.Raw({"EVAL_RO", "return redis.pcall('set', 'k', 'v')", "0"}),
            "-ERR Write commands are not allowed from read-only scripts.\r\n");
  EXPECT_EQ(h.Raw({"EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', 'k', 'v')", "0"}),
            "-ERR Write commands are not allowed from read-only scripts.\r\n");
  EXPECT_EQ(h.Raw({"EVAL_RO", "#!lua\nreturn 1", "0"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
  EXPECT_EQ(h.Raw({"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"}), ":1\r\n");
}

TEST(Scripting, EffectsPropagateAsOneTransaction) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  Eval(h, "redis.call('set', 'a', '1') redis.call('incr', 'a') return 1");
  ASSERT_EQ(p.log.size(), 4u);
  EXPECT_EQ(p.log[0][0], "MULTI");
  EXPECT_EQ(p.log[1], (std::vector<std::string>{"set", "a", "1"}));
  EXPECT_EQ(p.log[2], (std::vector<std::string>{"incr", "a"}));
  EXPECT_EQ(p.log[3][0], "EXEC");
  p.log.clear();
  Eval(h, "redis.call('set', 'b', '1') return 1");
  ASSERT_EQ(p.log.size(), 1u);
  EXPECT_EQ(p.log[0], (std::vector<std::string>{"set", "b", "1"}));
  p.log.clear();
  Eval(h, "redis.set_repl(redis.REPL_NONE) redis.call('set', 'c', '1') return 1");
  EXPECT_TRUE(p.log.empty());
  Eval(h, "return redis.call('get', 'a')");
  EXPECT_TRUE(p.log.empty());
  h.service().set_propagator(nullptr);
}

TEST(Scripting, ScriptWritesInvalidateWatch) {
  ServiceHarness h;
  Session& other = h.NewSession();
  h.Raw({"WATCH", "w"});
  Eval(h, "return redis.call('set', 'w', 'x')", {}, &other);
  h.Raw({"MULTI"});
  h.Raw({"PING"});
  EXPECT_EQ(h.Raw({"EXEC"}), "*-1\r\n");
}

TEST(Scripting, BlockingCommandsDoNotBlock) {
  ServiceHarness h;
  // Redis 7.0 flags them noscript; with that check off (a DEBUG knob) they answer at once.
  EXPECT_EQ(Eval(h, "return redis.pcall('blpop', 'empty', 0)"),
            "-ERR This Redis command is not allowed from script\r\n");
  h.service().debug.disable_deny_scripts = true;
  EXPECT_EQ(Eval(h, "return redis.call('blpop', 'empty', 0)"), "$-1\r\n");
  EXPECT_EQ(Eval(h, "return redis.pcall('xread', 'block', 0, 'streams', 's', '$')"),
            "-ERR xread command is not allowed with BLOCK option from scripts\r\n");
}

}  // namespace
}  // namespace vigil::datanode

namespace vigil::datanode {
namespace {

// ECHO is flagged stale and loading in Redis's table, so a script may call it on a stale replica
// (upstream "allow-stale shebang flag"); GET is neither. The flags come from Redis's table.
TEST(Scripting, StaleAndLoadingFlagsFollowRedisCommandTable) {
  ServiceHarness h;
  const CommandSpec* echo = h.service().commands().Find("echo");
  ASSERT_NE(echo, nullptr);
  EXPECT_TRUE(echo->flags & kCmdStale);
  EXPECT_TRUE(echo->flags & kCmdLoading);
  const CommandSpec* get = h.service().commands().Find("get");
  ASSERT_NE(get, nullptr);
  EXPECT_FALSE(get->flags & kCmdStale);
  EXPECT_FALSE(get->flags & kCmdLoading);
}

}  // namespace
}  // namespace vigil::datanode
