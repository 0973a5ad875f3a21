#include "common/config/config_file.h"

#include <gtest/gtest.h>

#include "common/config/option_registry.h"

namespace vigil::config {
namespace {

TEST(ConfigFile, ParsesRedisConfSyntaxWithQuotesAndComments) {
  auto r =
      ParseRedisConf("# comment\nport 7000\n\nrequirepass \"a b\"\nsave 900 1 300 10\n", "x.conf");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[1].args[0], "a b");
  EXPECT_EQ(r.value()[2].args.size(), 4u);
  EXPECT_EQ(r.value()[2].line, 5);
}

TEST(ConfigFile, DirectiveWithoutArgumentsReadsAsOneEmptyArgument) {
  // Redis's test harness writes `save ""` from a Tcl dict as a bare `save`.
  auto r = ParseRedisConf("save \nport 7000\n", "x.conf");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].args, std::vector<std::string>{""});
}

TEST(ConfigFile, ParsesTomlIntoTheSameDirectives) {
  auto r = ParseToml(
      "port = 7000\nappendonly = true\nbind = [\"127.0.0.1\", \"::1\"]\n"
      "save = [[900, 1], [300, 10]]\n[masters.m1]\nquorum = 2\n",
      "x.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.value().size(), 6u);
  EXPECT_EQ(r.value()[0].name, "port");
  EXPECT_EQ(r.value()[1].args[0], "yes");
  EXPECT_EQ(r.value()[2].args.size(), 2u);
  EXPECT_EQ(r.value()[3].name, "save");
  EXPECT_EQ(r.value()[4].args[1], "10");
  EXPECT_EQ(r.value()[5].name, "masters.m1.quorum");
}

TEST(ConfigFile, TomlSyntaxErrorsNameFileLineAndColumn) {
  auto r = ParseToml("port = 7000\nbad = = 3\n", "conf/x.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind("conf/x.toml:2:", 0), 0u) << r.error();
}

TEST(ConfigFile, CommandLineOverridesLikeRedisServer) {
  auto r =
      ParseCommandLine({"--port", "7777", "--save", "", "--replicaof", "h", "1", "--appendonly"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 4u);
  EXPECT_EQ(r.value()[1].args, std::vector<std::string>{""});
  EXPECT_EQ(r.value()[2].args.size(), 2u);
  EXPECT_TRUE(r.value()[3].args.empty());  // an option with no value: its own error later
  // Leading words without dashes are a line too, as redis-server takes them.
  r = ParseCommandLine({"loglevel", "verbose", "--port", "1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].name, "loglevel");
  EXPECT_EQ(r.value()[0].args, std::vector<std::string>{"verbose"});
}

TEST(ConfigFile, CommandLineWordsSplitAndPrefixedValuesAsRedis7) {
  using Args = std::vector<std::string>;
  // Name and value in one word, quoted or not.
  auto r = ParseCommandLine({"--maxmemory 700mb", "--maxmemory-policy 'volatile-lru'"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].name, "maxmemory");
  EXPECT_EQ(r.value()[0].args, Args{"700mb"});
  EXPECT_EQ(r.value()[1].args, Args{"volatile-lru"});
  // A `--` word right after a name without value is the value.
  r = ParseCommandLine({"--proc-title-template", "--my--title", "--loglevel", "verbose"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].args, Args{"--my--title"});
  EXPECT_EQ(r.value()[1].args, Args{"verbose"});
  r = ParseCommandLine({"--port", "--loglevel", "verbose"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].args, (Args{"--loglevel", "verbose"}));
  EXPECT_EQ(r.value()[0].Shown(), R"(port "--loglevel" "verbose")");
  // `--save` then another option: save "".
  r = ParseCommandLine({"--save", "--loglevel", "verbose", "--save"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].args, Args{""});
  EXPECT_EQ(r.value()[2].args, Args{""});
  EXPECT_FALSE(ParseCommandLine({"--port 'x"}).ok());
}

TEST(OptionRegistry, UnknownDirectiveNamesFileAndLine) {
  OptionRegistry reg;
  int64_t port = 0;
  reg.AddInt("port", &port, 0, 65535, 6379);
  Directive d{"prot", {"1"}, "/etc/x.conf", 12};
  Status st = reg.Apply(d);
  EXPECT_EQ(st.message(), "/etc/x.conf:12: unknown directive 'prot'");
  d = Directive{"port", {"99999"}, "/etc/x.conf", 3};
  EXPECT_EQ(reg.Apply(d).message(),
            "/etc/x.conf:3: 'port': argument must be between 0 and 65535 inclusive");
}

TEST(OptionRegistry, MultiArgDirectiveGivenAsOneQuotedWordIsSplit) {
  OptionRegistry reg;
  std::vector<std::string> got;
  reg.AddCustom({"client-output-buffer-limit", OptionRegistry::kMultiArg,
                 [&got](const std::vector<std::string>& a) {
                   got = a;
                   return Status::Ok();
                 },
                 [] { return std::string(); }, nullptr, ""});
  ASSERT_TRUE(reg.Apply({"client-output-buffer-limit", {"replica 2mb 1mb 60"}, "", 0}).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"replica", "2mb", "1mb", "60"}));
}

TEST(OptionRegistry, ConfigSetErrorsMatchRedis) {
  OptionRegistry reg;
  bool b = false;
  int64_t mem = 0;
  reg.AddBool("appendonly", &b, false);
  reg.AddInt("maxmemory", &mem, 0, INT64_MAX, 0, OptionRegistry::kMemory);
  EXPECT_EQ(reg.SetFromClient("appendonly", "maybe").message(),
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be "
            "'yes' or 'no'");
  EXPECT_EQ(reg.SetFromClient("nosuch", "1").message(),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_TRUE(reg.SetFromClient("maxmemory", "2mb").ok());
  EXPECT_EQ(mem, 2 * 1024 * 1024);
  EXPECT_TRUE(reg.SetFromClient("maxmemory", "1k").ok());
  EXPECT_EQ(mem, 1000);
}

TEST(OptionRegistry, ConfigGetMatchesGlobsOnce) {
  OptionRegistry reg;
  int64_t a = 0, b = 0;
  reg.AddInt("maxmemory", &a, 0, 10, 0);
  reg.AddInt("maxclients", &b, 0, 10, 0);
  auto got = reg.Get({"max*", "maxmemory"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "maxmemory");
}

}  // namespace
}  // namespace vigil::config
