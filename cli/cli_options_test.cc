#include "cli/cli_options.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

CliOptions Parse(const std::vector<std::string>& args) {
  auto r = ParseCliOptions(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? r.value() : CliOptions{};
}

TEST(CliOptionsTest, DefaultsMatchRedisCli) {
  CliOptions o = Parse({});
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.db, 0);
  EXPECT_EQ(o.repeat, 1);
  EXPECT_EQ(o.interval_us, 0);
  EXPECT_FALSE(o.resp3);
  EXPECT_EQ(o.output, OutputMode::kAuto);
  EXPECT_FALSE(o.password.has_value());
  EXPECT_TRUE(o.command.empty());
}

TEST(CliOptionsTest, ParsesEveryOptionBeforeTheCommand) {
  CliOptions o = Parse({"-h",
                        "10.0.0.5",
                        "-p",
                        "26379",
                        "-a",
                        "pw",
                        "--user",
                        "bob",
                        "-n",
                        "2",
                        "-r",
                        "3",
                        "-i",
                        "0.25",
                        "-3",
                        "--no-raw",
                        "--no-auth-warning",
                        "-x",
                        "SENTINEL",
                        "masters"});
  EXPECT_EQ(o.host, "10.0.0.5");
  EXPECT_EQ(o.port, 26379);
  EXPECT_EQ(o.password, "pw");
  EXPECT_EQ(o.user, "bob");
  EXPECT_EQ(o.db, 2);
  EXPECT_EQ(o.repeat, 3);
  EXPECT_EQ(o.interval_us, 250000);
  EXPECT_TRUE(o.resp3);
  EXPECT_EQ(o.output, OutputMode::kStandard);
  EXPECT_TRUE(o.no_auth_warning);
  EXPECT_TRUE(o.last_arg_from_stdin);
  EXPECT_EQ(o.command, (std::vector<std::string>{"SENTINEL", "masters"}));
}

TEST(CliOptionsTest, CommandArgumentsThatLookLikeOptionsAreNotParsed) {
  CliOptions o = Parse({"--raw", "SET", "k", "-p"});
  EXPECT_EQ(o.output, OutputMode::kRaw);
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.command, (std::vector<std::string>{"SET", "k", "-p"}));
}

TEST(CliOptionsTest, LastOutputOptionWins) {
  EXPECT_EQ(Parse({"--raw", "--no-raw"}).output, OutputMode::kStandard);
  EXPECT_EQ(Parse({"--no-raw", "--raw"}).output, OutputMode::kRaw);
}

TEST(CliOptionsTest, PassAndSentinelMasterAndNegativeRepeat) {
  CliOptions o = Parse({"--pass", "s3", "--sentinel-master", "mymaster", "-r", "-1", "PING"});
  EXPECT_EQ(o.password, "s3");
  EXPECT_EQ(o.sentinel_master, "mymaster");
  EXPECT_EQ(o.repeat, -1);
  EXPECT_TRUE(Parse({"--help"}).show_help);
  EXPECT_TRUE(Parse({"--version"}).show_version);
}

TEST(CliOptionsTest, RejectsUnknownOptionsMissingValuesAndBadNumbers) {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--bogus"}, "Unrecognized option or bad number of args for: '--bogus'"},
      {{"-p"}, "Unrecognized option or bad number of args for: '-p'"},
      {{"-h"}, "Unrecognized option or bad number of args for: '-h'"},
      {{"--sentinel-master"}, "Unrecognized option or bad number of args for: '--sentinel-master'"},
      {{"-p", "http"}, "Invalid value for -p: 'http'"},
      {{"-p", "70000"}, "Invalid value for -p: '70000'"},
      {{"-n", "-1"}, "Invalid value for -n: '-1'"},
      {{"-r", "x"}, "Invalid value for -r: 'x'"},
      {{"-i", "-0.5"}, "Invalid value for -i: '-0.5'"},
      {{"-i", "1s"}, "Invalid value for -i: '1s'"},
  };
  for (const auto& c : cases) {
    auto r = ParseCliOptions(c.args);
    ASSERT_FALSE(r.ok()) << c.args[0];
    EXPECT_EQ(r.error(), c.error);
  }
}

TEST(CliOptionsTest, TlsOptionsAsRedisCli) {
  CliOptions o = Parse({"--tls", "--cacert", "ca.crt", "--cacertdir", "/etc/ca", "--cert", "c.crt",
                        "--key", "c.key", "--sni", "db.example", "--insecure", "--tls-ciphers",
                        "HIGH", "--tls-ciphersuites", "TLS_AES_256_GCM_SHA384", "PING"});
  EXPECT_TRUE(o.tls.enabled);
  EXPECT_EQ(o.tls.cacert, "ca.crt");
  EXPECT_EQ(o.tls.cacertdir, "/etc/ca");
  EXPECT_EQ(o.tls.cert, "c.crt");
  EXPECT_EQ(o.tls.key, "c.key");
  EXPECT_EQ(o.tls.sni, "db.example");
  EXPECT_TRUE(o.tls.insecure);
  EXPECT_EQ(o.tls.ciphers, "HIGH");
  EXPECT_EQ(o.tls.ciphersuites, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(o.command, std::vector<std::string>{"PING"});
  EXPECT_FALSE(Parse({"PING"}).tls.enabled);
  // A value option without its value is redis-cli's "Unrecognized option" error.
  auto missing = ParseCliOptions({"--cacert"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("--cacert"), std::string::npos);
}

}  // namespace
}  // namespace vigil::cli
