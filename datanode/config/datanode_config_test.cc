#include "datanode/config/datanode_config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace vigil::datanode {
namespace {

Status Load(const std::string& path, DatanodeConfig* c, config::OptionRegistry* r,
            const std::vector<config::Directive>& overrides = {}) {
  RegisterDatanodeOptions(c, r);
  config::ConfigFile f;
  return LoadDatanodeConfig(path, overrides, r, &f, c);
}

std::string WriteTemp(const std::string& suffix, const std::string& text) {
  std::string path = ::testing::TempDir() + "vigil-config-test" + suffix;
  std::ofstream(path) << text;
  return path;
}

TEST(DatanodeConfig, ReferenceTomlLoadsWithDefaults) {
  DatanodeConfig c;
  config::OptionRegistry r;
  Status st = Load(std::string(VIGIL_SOURCE_DIR) + "/conf/datanode.toml", &c, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.save.size(), 3u);
  EXPECT_EQ(c.obuf_replica.hard_bytes, 256LL << 20);
  EXPECT_EQ(c.maxmemory_policy, 7);
  EXPECT_EQ(c.sentinel_fence_timeout, 1000);  // the one key the reference turns on
}

TEST(DatanodeConfig, SentinelFenceTimeoutIsOffByDefaultAndSettableEverywhere) {
  DatanodeConfig c;
  config::OptionRegistry r;
  auto over = config::ParseCommandLine({"--port", "7001"});
  ASSERT_TRUE(Load("", &c, &r, over.value()).ok());
  EXPECT_EQ(c.sentinel_fence_timeout, 0);
  EXPECT_TRUE(r.SetFromClient("sentinel-fence-timeout", "1500").ok());
  EXPECT_EQ(c.sentinel_fence_timeout, 1500);
  EXPECT_EQ(r.Get({"sentinel-fence-timeout"})[0].second, "1500");
  EXPECT_FALSE(r.SetFromClient("sentinel-fence-timeout", "-1").ok());
  DatanodeConfig c2;
  config::OptionRegistry r2;
  auto cli = config::ParseCommandLine({"--sentinel-fence-timeout", "2000"});
  ASSERT_TRUE(Load("", &c2, &r2, cli.value()).ok());
  EXPECT_EQ(c2.sentinel_fence_timeout, 2000);
}

// Redis 7.0's bind: "* -::*" by default, `bind ""` for no TCP address at all, at most 16.
TEST(DatanodeConfig, BindTakesAnEmptyListAndTheNewOptionsAreTyped) {
  DatanodeConfig c;
  config::OptionRegistry r;
  ASSERT_TRUE(Load("", &c, &r).ok());
  EXPECT_EQ(r.Get({"bind"})[0].second, "* -::*");
  ASSERT_TRUE(r.SetFromClient("bind", "").ok());
  EXPECT_TRUE(c.bind.empty());
  EXPECT_EQ(r.Get({"bind"})[0].second, "");
  std::string many;
  for (int i = 0; i < 17; ++i) many += "127.0.0." + std::to_string(i + 1) + " ";
  EXPECT_NE(r.SetFromClient("bind", many).message().find("Too many bind addresses specified."),
            std::string::npos);
  ASSERT_TRUE(r.SetFromClient("bind-source-addr", "127.0.0.2").ok());
  EXPECT_EQ(c.bind_source_addr, "127.0.0.2");
  ASSERT_TRUE(r.SetFromClient("aof-timestamp-enabled", "yes").ok());
  EXPECT_TRUE(c.aof_timestamp_enabled);
}

TEST(DatanodeConfig, RedisConfSyntaxLoadsAndKeepsUnknownRedisDirectives) {
  DatanodeConfig c;
  config::OptionRegistry r;
  Status st = Load(std::string(VIGIL_SOURCE_DIR) + "/conf/datanode.conf", &c, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(c.bind.size(), 2u);
  EXPECT_EQ(r.Get({"jemalloc-bg-thread"})[0].second, "yes");
}

TEST(DatanodeConfig, DebianRedisConfLoadsUnchanged) {
  std::ifstream probe("/etc/redis/redis.conf");
  if (!probe) GTEST_SKIP() << "redis-server's /etc/redis/redis.conf is not installed";
  DatanodeConfig c;
  config::OptionRegistry r;
  Status st = Load("/etc/redis/redis.conf", &c, &r);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST(DatanodeConfig, BadLinesNameFileAndLine) {
  std::string path = ::testing::TempDir() + "/vigil_bad.conf";
  std::ofstream(path) << "port 7000\n# ok\nmaxmemory lots\n";
  DatanodeConfig c;
  config::OptionRegistry r;
  Status st = Load(path, &c, &r);
  EXPECT_EQ(st.message(), path + ":3: 'maxmemory': argument must be a memory value");
  std::ofstream(path) << "portt 7000\n";
  DatanodeConfig c2;
  config::OptionRegistry r2;
  EXPECT_EQ(Load(path, &c2, &r2).message(), path + ":1: unknown directive 'portt'");
  std::ofstream(path) << "port 7000\nloadmodule /opt/redis/rejson.so\n";
  DatanodeConfig c3;
  config::OptionRegistry r3;
  EXPECT_EQ(Load(path, &c3, &r3).message(),
            path + ":2: 'loadmodule': this server does not load Redis modules");
}

// The texts and checking order of Redis's updateClientOutputBufferLimit (upstream obuf-limits
// "CONFIG SET client-output-buffer-limit"); a bad group changes no group.
TEST(DatanodeConfig, OutputBufferLimitErrorsAreRedisTexts) {
  DatanodeConfig c;
  config::OptionRegistry r;
  RegisterDatanodeOptions(&c, &r);
  auto set = [&](const std::string& value) {
    return r.SetFromClient("client-output-buffer-limit", value).message();
  };
  const std::string failed =
      "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ";
  EXPECT_EQ(set("wrong number"),
            failed + "Wrong number of arguments in buffer limit configuration.");
  EXPECT_EQ(set("master 10mbs 10mb 60"),
            failed + "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(set("normal 1mb 2mb 3 pubsub 10mb 10mb 60s"),
            failed + "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(c.obuf_normal.hard_bytes, 0);
  EXPECT_EQ(set("normal 1mb 2mb 60 replica 3mb 4mb 70"), "");
  EXPECT_EQ(c.obuf_normal.hard_bytes, 1 << 20);
  EXPECT_EQ(c.obuf_replica.soft_seconds, 70);
}

TEST(DatanodeConfig, CommandLineOverridesTheFile) {
  DatanodeConfig c;
  config::OptionRegistry r;
  auto over = config::ParseCommandLine({"--port", "7001", "--save", ""});
  Status st = Load(std::string(VIGIL_SOURCE_DIR) + "/conf/datanode.toml", &c, &r, over.value());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(c.port, 7001);
  EXPECT_TRUE(c.save.empty());
}

TEST(DatanodeConfig, UserLinesGoToTheAclStoreWithTheirLocation) {
  DatanodeConfig c;
  config::OptionRegistry r;
  std::string conf = WriteTemp(".conf",
                               "port 7001\nuser alice on >pw ~* +@all\n"
                               "aclfile /tmp/x.acl\nacl-pubsub-default allchannels\n");
  ASSERT_TRUE(Load(conf, &c, &r).ok());
  ASSERT_EQ(c.user_lines.size(), 1u);
  EXPECT_EQ(c.user_lines[0].args, (std::vector<std::string>{"alice", "on", ">pw", "~*", "+@all"}));
  EXPECT_EQ(c.user_lines[0].Where(), conf + ":2");
  EXPECT_EQ(c.aclfile, "/tmp/x.acl");
  EXPECT_EQ(c.acl_pubsub_default, 1);
  EXPECT_TRUE(r.Get({"user"}).empty());  // not a CONFIG GET parameter, as in Redis
  EXPECT_FALSE(r.SetFromClient("aclfile", "/tmp/y").ok());

  DatanodeConfig t;
  config::OptionRegistry rt;
  std::string toml =
      WriteTemp(".toml", "user = [[\"bob\", \"on\", \"nopass\"], [\"carol\", \"on\"]]\n");
  ASSERT_TRUE(Load(toml, &t, &rt).ok());
  ASSERT_EQ(t.user_lines.size(), 2u);
  EXPECT_EQ(t.user_lines[1].args, (std::vector<std::string>{"carol", "on"}));

  DatanodeConfig o;
  config::OptionRegistry ro;
  auto over = config::ParseCommandLine({"--user", "dave on nopass"});
  ASSERT_TRUE(Load("", &o, &ro, over.value()).ok());
  ASSERT_EQ(o.user_lines.size(), 1u);
  EXPECT_EQ(o.user_lines[0].args, (std::vector<std::string>{"dave", "on", "nopass"}));
}

TEST(DatanodeConfig, TlsDirectivesHaveRedisDefaultsAndValidation) {
  DatanodeConfig c;
  config::OptionRegistry r;
  ASSERT_TRUE(Load("", &c, &r).ok());
  auto get = [&](const std::string& name) { return r.Get({name})[0].second; };
  EXPECT_EQ(get("tls-port"), "0");
  EXPECT_EQ(get("tls-auth-clients"), "yes");
  EXPECT_EQ(get("tls-replication"), "no");
  EXPECT_EQ(get("tls-cluster"), "no");
  EXPECT_EQ(get("tls-session-caching"), "yes");
  EXPECT_EQ(get("tls-session-cache-size"), "20480");
  EXPECT_EQ(get("tls-session-cache-timeout"), "300");
  EXPECT_EQ(get("tls-prefer-server-ciphers"), "no");
  EXPECT_EQ(get("tls-cert-file"), "");
  EXPECT_FALSE(c.tls_wanted());
  // tls-auth-clients is Redis's enum; a bad value keeps the old one.
  EXPECT_TRUE(r.SetFromClient("tls-auth-clients", "optional").ok());
  EXPECT_EQ(c.tls_auth_clients, 2);
  EXPECT_FALSE(r.SetFromClient("tls-auth-clients", "maybe").ok());
  EXPECT_EQ(get("tls-auth-clients"), "optional");
  EXPECT_FALSE(r.SetFromClient("tls-port", "65536").ok());
  EXPECT_FALSE(r.SetFromClient("tls-session-cache-size", "-1").ok());
  EXPECT_TRUE(r.SetFromClient("tls-replication", "yes").ok());
  EXPECT_TRUE(c.tls_wanted());
  // The passphrases are sensitive: never echoed in errors, still readable by CONFIG GET.
  EXPECT_TRUE(r.Find("tls-key-file-pass")->flags & config::OptionRegistry::kSensitive);
  EXPECT_TRUE(r.Find("tls-client-key-file-pass")->flags & config::OptionRegistry::kSensitive);
}

TEST(DatanodeConfig, TlsDirectivesLoadFromRedisConfAndToml) {
  DatanodeConfig c;
  config::OptionRegistry r;
  std::string conf = WriteTemp(".conf",
                               "tls-port 6380\n"
                               "port 0\n"
                               "tls-cert-file /etc/vigil/server.crt\n"
                               "tls-key-file /etc/vigil/server.key\n"
                               "tls-ca-cert-file /etc/vigil/ca.crt\n"
                               "tls-auth-clients no\n"
                               "tls-protocols \"TLSv1.2 TLSv1.3\"\n"
                               "tls-replication yes\n"
                               "tls-cluster yes\n");
  Status st = Load(conf, &c, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(c.tls_port, 6380);
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.tls_cert_file, "/etc/vigil/server.crt");
  EXPECT_EQ(c.tls_auth_clients, 0);
  EXPECT_EQ(c.tls_protocols, "TLSv1.2 TLSv1.3");
  EXPECT_TRUE(c.tls_replication);
  EXPECT_TRUE(c.tls_cluster);
  DatanodeConfig t;
  config::OptionRegistry tr;
  std::string toml = WriteTemp(".toml",
                               "tls-port = 6390\n"
                               "tls-cert-file = \"/c.crt\"\n"
                               "tls-auth-clients = \"optional\"\n"
                               "tls-session-caching = false\n");
  st = Load(toml, &t, &tr);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(t.tls_port, 6390);
  EXPECT_EQ(t.tls_cert_file, "/c.crt");
  EXPECT_EQ(t.tls_auth_clients, 2);
  EXPECT_FALSE(t.tls_session_caching);
}

TEST(DatanodeConfig, WhichTlsDirectivesRebuildTheContext) {
  EXPECT_TRUE(IsTlsContextOption("tls-cert-file"));
  EXPECT_TRUE(IsTlsContextOption("tls-ciphersuites"));
  EXPECT_TRUE(IsTlsContextOption("tls-replication"));    // it makes a CA necessary
  EXPECT_FALSE(IsTlsContextOption("tls-port"));          // opens a listener instead
  EXPECT_FALSE(IsTlsContextOption("tls-auth-clients"));  // read at each accept
  EXPECT_FALSE(IsTlsContextOption("port"));
}

}  // namespace
}  // namespace vigil::datanode
