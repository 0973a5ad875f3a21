// FUNCTION and FCALL through the service: loading libraries, the load environment, calls,
// flags, DUMP / RESTORE, and what reaches the AOF and replicas.
#include <gtest/gtest.h>

#include "datanode/persistence/aof_rewrite.h"
#include "datanode/persistence/function_payload.h"
#include "datanode/persistence/rdb_format.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/scripting/function_store.h"
#include "tests/support/service_harness.h"

namespace vigil::datanode {
namespace {

using testing::Bulk;
using testing::RecordingPropagator;
using testing::ServiceHarness;

constexpr const char* kLib =
    "#!lua name=mylib\n"
    "redis.register_function('echo', function(keys, args) return args[1] end)\n"
    "redis.register_function{function_name='getk', callback=function(keys) "
    "return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}\n";

std::string Load(ServiceHarness& h, const std::string& code, bool replace = false) {
  if (replace) return h.Raw({"FUNCTION", "LOAD", "REPLACE", code});
  return h.Raw({"FUNCTION", "LOAD", code});
}

TEST(Functions, LoadAndCall) {
  ServiceHarness h;
  EXPECT_EQ(Load(h, kLib), Bulk("mylib"));
  EXPECT_EQ(h.Raw({"FCALL", "echo", "0", "hi"}), Bulk("hi"));
  EXPECT_EQ(h.Raw({"FCALL", "ECHO", "0", "hi"}), Bulk("hi"));  // names ignore case
  h.Raw({"SET", "k", "v"});
  EXPECT_EQ(h.Raw({"FCALL_RO", "getk", "1", "k"}), Bulk("v"));
  EXPECT_EQ(h.Raw({"FCALL", "nope", "0"}), "-ERR Function not found\r\n");
  EXPECT_EQ(h.Raw({"FCALL", "echo", "x"}), "-ERR Bad number of keys provided\r\n");
  EXPECT_EQ(h.Raw({"FCALL", "echo", "2", "a"}),
            "-ERR Number of keys can't be greater than number of args\r\n");
  EXPECT_EQ(h.Raw({"FCALL", "echo", "-1"}), "-ERR Number of keys can't be negative\r\n");
  EXPECT_EQ(h.Raw({"FCALL_RO", "echo", "0", "x"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
}

TEST(Functions, LoadErrors) {
  ServiceHarness h;
  EXPECT_EQ(Load(h, "return 1"), "-ERR Missing library metadata\r\n");
  EXPECT_EQ(Load(h, "#!lua name=x"), "-ERR Invalid library metadata\r\n");
  EXPECT_EQ(Load(h, "#!lua\nreturn 1"), "-ERR Library name was not given\r\n");
  EXPECT_EQ(Load(h, "#!lua foo=bar\n"), "-ERR Invalid metadata value given: foo=bar\r\n");
  EXPECT_EQ(Load(h, "#!lua name=a name=b\n"),
            "-ERR Invalid metadata value, name argument was given multiple times\r\n");
  EXPECT_EQ(Load(h, "#!js name=x\n"), "-ERR Engine 'js' not found\r\n");
  EXPECT_EQ(Load(h, "#!lua name=a-b\n"),
            "-ERR Library names can only contain letters, numbers, or underscores(_) and must "
            "be at least one character long\r\n");
  EXPECT_EQ(Load(h, "#!lua name=x\nreturn 1"), "-ERR No functions registered\r\n");
  EXPECT_EQ(Load(h, "#!lua name=x\nredis.call('ping')"),
            "-ERR Error registering functions: ERR user_function:2: Script attempted to access "
            "nonexistent global variable 'call'\r\n");
  EXPECT_EQ(Load(h, "#!lua name=x\na = 1"),
            "-ERR Error registering functions: ERR user_function:2: Attempt to modify a "
            "readonly table\r\n");
  EXPECT_NE(Load(h, "#!lua name=x\nfoo(").find("-ERR Error compiling function: "),
            std::string::npos);
  EXPECT_EQ(Load(h, "#!lua name=x\nredis.register_function('f', 1)"),
            "-ERR Error registering functions: ERR second argument to redis.register_function "
            "must be a function\r\n");
  EXPECT_EQ(Load(h,
                 "#!lua name=x\nredis.register_function{function_name='f', callback=function() "
                 "end, flags={'bogus'}}"),
            "-ERR Error registering functions: ERR unknown flag given\r\n");
  EXPECT_EQ(Load(h, kLib), Bulk("mylib"));
  EXPECT_EQ(Load(h, kLib), "-ERR Library 'mylib' already exists\r\n");
  EXPECT_EQ(Load(h, kLib, true), Bulk("mylib"));
  EXPECT_EQ(Load(h, "#!lua name=other\nredis.register_function('echo', function() end)"),
            "-ERR Function echo already exists\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "LOAD", "BOGUS", kLib}), "-ERR Unknown option given: BOGUS\r\n");
}

TEST(Functions, RegisterFunctionOnlyAtLoad) {
  ServiceHarness h;
  EXPECT_EQ(Load(h,
                 "#!lua name=x\nlocal r = redis\n"
                 "r.register_function('f', function() r.register_function('g', function() end) "
                 "end)"),
            Bulk("x"));
  EXPECT_NE(h.Raw({"FCALL", "f", "0"}).find("can only be called on FUNCTION LOAD command"),
            std::string::npos);
}

TEST(Functions, ListStatsDelete) {
  ServiceHarness h;
  Load(h, kLib);
  EXPECT_EQ(h.Raw({"FUNCTION", "LIST", "LIBRARYNAME", "nomatch*"}), "*0\r\n");
  const std::string listed = h.Raw({"FUNCTION", "LIST", "WITHCODE"});
  EXPECT_NE(listed.find("$12\r\nlibrary_code\r\n"), std::string::npos);
  EXPECT_NE(listed.find("$5\r\nreads\r\n"), std::string::npos);
  EXPECT_NE(listed.find("+no-writes\r\n"), std::string::npos);
  EXPECT_EQ(h.Raw({"FUNCTION", "LIST", "LIBRARYNAME"}),
            "-ERR library name argument was not given\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "LIST", "x"}), "-ERR Unknown argument x\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "STATS"}),
            "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n"
            "$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "DELETE", "nope"}), "-ERR Library not found\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "DELETE", "mylib"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"FCALL", "echo", "0"}), "-ERR Function not found\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "FLUSH", "bogus"}),
            "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n");
}

TEST(Functions, DumpRestore) {
  ServiceHarness h;
  Load(h, kLib);
  const std::string dump = h.Raw({"FUNCTION", "DUMP"});
  ASSERT_EQ(dump[0], '$');
  const std::string payload =
      dump.substr(dump.find("\r\n") + 2, dump.size() - dump.find("\r\n") - 4);
  std::vector<std::string> codes;
  std::string err;
  ASSERT_TRUE(DecodeFunctionsDump(payload, true, &codes, &err)) << err;
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0], kLib);
  EXPECT_EQ(h.Raw({"FUNCTION", "RESTORE", payload}), "-ERR Library mylib already exists\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "RESTORE", payload, "REPLACE"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "RESTORE", payload}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"FCALL", "echo", "0", "x"}), Bulk("x"));
  EXPECT_EQ(h.Raw({"FUNCTION", "RESTORE", payload, "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "RESTORE", "garbage"}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(h.Raw({"FUNCTION", "RESTORE", payload, "bad"}),
            "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or "
            "REPLACE.\r\n");
  EXPECT_EQ(
      h.Raw({"FUNCTION", "RESTORE", payload, "FLUSH", "x"}),
      "-ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP.\r\n");
}

TEST(Functions, OldRecordFormatBecomesShebang) {
  EXPECT_EQ(CodeFromOldFunctionRecord("lib", "LUA", "body"), "#!LUA name=lib\nbody");
}

TEST(Functions, PropagationAndEffects) {
  ServiceHarness h;
  RecordingPropagator p;
  h.service().set_propagator(&p);
  Load(h,
       "#!lua name=w\nredis.register_function('w', function(k) "
       "redis.call('set', k[1], '1') return redis.call('incr', k[1]) end)");
  ASSERT_EQ(p.log.size(), 1u);
  EXPECT_EQ(p.log[0][0], "FUNCTION");
  EXPECT_EQ(p.log[0][1], "LOAD");
  p.log.clear();
  EXPECT_EQ(h.Raw({"FCALL", "w", "1", "a"}), ":2\r\n");
  ASSERT_EQ(p.log.size(), 4u);
  EXPECT_EQ(p.log[0][0], "MULTI");
  EXPECT_EQ(p.log[1], (std::vector<std::string>{"set", "a", "1"}));
  EXPECT_EQ(p.log[2], (std::vector<std::string>{"incr", "a"}));
  p.log.clear();
  EXPECT_EQ(h.Raw({"FUNCTION", "DELETE", "nope"}), "-ERR Library not found\r\n");
  EXPECT_TRUE(p.log.empty());
  EXPECT_EQ(h.Raw({"FUNCTION", "FLUSH"}), "+OK\r\n");
  ASSERT_EQ(p.log.size(), 1u);
  h.service().set_propagator(nullptr);
}

TEST(Functions, ErrorsNameTheFunction) {
  ServiceHarness h;
  Load(h,
       "#!lua name=e\nredis.register_function('boom', function() "
       "return redis.call('nosuch') end)");
  EXPECT_EQ(h.Raw({"FCALL", "boom", "0"}),
            "-ERR Unknown Redis command called from script script: boom, on @user_function:2."
            "\r\n");
}

TEST(Functions, RdbRecordsRoundTrip) {
  Keyspace ks(16, 1);
  RdbAuxInfo aux;
  aux.functions = {kLib, std::string("#!lua name=b\n") + std::string(200, '-')};
  std::string file;
  StringSink sink(&file);
  ASSERT_TRUE(WriteRdb(ks, aux, RdbWriteOptions{}, &sink).ok());
  EXPECT_NE(file.find(char(rdb::kOpFunction2)), std::string::npos);
  Keyspace loaded(16, 1);
  RdbLoadResult res;
  StringSource src(file);
  ASSERT_TRUE(LoadRdb(&src, RdbLoadOptions{}, &loaded, &res).ok());
  EXPECT_EQ(res.functions, aux.functions);
}

TEST(Functions, SnapshotLoadReplacesLibraries) {
  ServiceHarness h;
  Load(h, kLib);
  ASSERT_TRUE(h.service()
                  .LoadSnapshotFunctions({"#!lua name=other\nredis.register_function('o', "
                                          "function() return 7 end)"})
                  .ok());
  EXPECT_EQ(h.Raw({"FCALL", "echo", "0"}), "-ERR Function not found\r\n");
  EXPECT_EQ(h.Raw({"FCALL", "o", "0"}), ":7\r\n");
  // Without FLUSH (DEBUG RELOAD NOFLUSH) a library that exists fails the load.
  EXPECT_FALSE(h.service()
                   .LoadSnapshotFunctions({"#!lua name=other\nredis.register_function('o', "
                                           "function() return 8 end)"},
                                          FunctionStore::RestorePolicy::kAppend)
                   .ok());
  EXPECT_EQ(h.Raw({"FCALL", "o", "0"}), ":7\r\n");
}

TEST(Functions, AofRewriteLoadsEachLibrary) {
  EXPECT_EQ(FunctionLoadCommands({"#!lua name=a\nx"}),
            "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$14\r\n#!lua name=a\nx\r\n");
}

TEST(Functions, LoadEnvironmentOnlyOffersTheLibraryApi) {
  ServiceHarness h;
  EXPECT_EQ(Load(h, "#!lua name=x\nlocal m = getmetatable(_G)"),
            "-ERR Error registering functions: ERR user_function:2: Script attempted to access "
            "nonexistent global variable 'getmetatable'\r\n");
  // The run time sees the whole sandbox again.
  EXPECT_EQ(Load(h,
                 "#!lua name=x\nredis.register_function('f', function() "
                 "return string.format('%d', 5) end)"),
            Bulk("x"));
  EXPECT_EQ(h.Raw({"FCALL", "f", "0"}), Bulk("5"));
}

}  // namespace
}  // namespace vigil::datanode
