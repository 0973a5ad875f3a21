#include "sentinel/shell/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace vigil::sentinel {
namespace {

PersistentState Sample() {
  PersistentState st;
  st.myid = std::string(40, 'c');
  st.current_epoch = 9;
  st.globals.announce_ip = "1.2.3.4";
  PersistedMaster m;
  m.config = DefaultMasterConfig("my \"master\"", {"10.0.0.1", 6379}, 2);
  m.config.renamed_commands["CONFIG"] = "X";
  m.config_epoch = 4;
  m.leader_epoch = 9;
  m.leader = std::string(40, 'd');
  m.known_replicas = {{"10.0.0.2", 6380}};
  m.known_sentinels = {{{"10.0.1.1", 26379}, std::string(40, 'e')}};
  st.masters.push_back(m);
  return st;
}

TEST(StateStore, RoundTrip) {
  char dir[] = "/tmp/vigil-state-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/s.state.toml";
  auto store = MakeTomlStateStore(path, {});
  PersistentState st = Sample();
  ASSERT_TRUE(store->Save(st).ok());
  auto loaded = LoadStateFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_TRUE(loaded.value().has_value());
  EXPECT_EQ(loaded.value()->state, st);
  auto missing = LoadStateFile(std::string(dir) + "/none.toml");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());
  std::system((std::string("rm -rf ") + dir).c_str());
}

TEST(StateStore, PathBesideConfig) {
  EXPECT_EQ(StateFilePathFor("/etc/vigil/sentinel.toml", ""), "/etc/vigil/sentinel.state.toml");
  EXPECT_EQ(StateFilePathFor("/etc/vigil/sentinel.toml", "st.toml"), "/etc/vigil/st.toml");
  EXPECT_EQ(StateFilePathFor("/etc/vigil/sentinel.toml", "/var/x.toml"), "/var/x.toml");
}

TEST(StateStore, MergeWithConfigFile) {
  SentinelConfig cfg;
  PersistedMaster a;
  a.config = DefaultMasterConfig("a", {"10.0.0.1", 6379}, 2);
  cfg.state.masters = {a};
  cfg.file_masters = {a.config};
  // State after a failover: the address moved; settings unchanged in the file.
  SavedState saved;
  saved.state.myid = std::string(40, 'f');
  PersistedMaster moved = a;
  moved.config.addr = {"10.0.0.2", 6379};
  moved.config_epoch = 2;
  saved.state.masters = {moved};
  saved.origins = {{"a", SettingsFingerprint(a.config)}};
  PersistentState merged = MergeTomlState(cfg, saved);
  ASSERT_EQ(merged.masters.size(), 1u);
  EXPECT_EQ(merged.masters[0].config.addr.host, "10.0.0.2");
  EXPECT_EQ(merged.myid, std::string(40, 'f'));
  // The user edits the quorum in the file: the file wins, the moved address stays.
  cfg.file_masters[0].quorum = 3;
  cfg.state.masters[0].config.quorum = 3;
  merged = MergeTomlState(cfg, saved);
  EXPECT_EQ(merged.masters[0].config.quorum, 3);
  EXPECT_EQ(merged.masters[0].config.addr.host, "10.0.0.2");
  // Removed from the file: dropped. A MONITOR-added master (no origin) stays.
  PersistedMaster b = a;
  b.config.name = "b";
  saved.state.masters.push_back(b);
  saved.origins.push_back({"b", ""});
  cfg.file_masters.clear();
  cfg.state.masters.clear();
  merged = MergeTomlState(cfg, saved);
  ASSERT_EQ(merged.masters.size(), 1u);
  EXPECT_EQ(merged.masters[0].config.name, "b");
}

TEST(StateStoreTest, ConfigFileMasterRemovedBySentinelRemoveStaysRemovedAcrossRestart) {
  SentinelConfig cfg;
  PersistedMaster a, b;
  a.config = DefaultMasterConfig("a", {"10.0.0.1", 6379}, 2);
  b.config = DefaultMasterConfig("b", {"10.0.0.9", 6379}, 2);
  cfg.state.masters = {a, b};
  cfg.file_masters = {a.config, b.config};
  // SENTINEL REMOVE a, then the state file is written and read back at the next start.
  PersistentState running;
  running.myid = std::string(40, 'e');
  running.masters = {b};
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/removed.state.toml";
  {
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::string text = RenderStateFile(running, cfg.file_masters);
    fwrite(text.data(), 1, text.size(), f);
    fclose(f);
  }
  auto loaded = LoadStateFile(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded.value().has_value());
  PersistentState merged = MergeTomlState(cfg, *loaded.value());
  ASSERT_EQ(merged.masters.size(), 1u);
  EXPECT_EQ(merged.masters[0].config.name, "b");
  // The user edits a's declaration: the file is the newer word, so a is monitored again.
  cfg.file_masters[0].quorum = 3;
  cfg.state.masters[0].config.quorum = 3;
  merged = MergeTomlState(cfg, *loaded.value());
  ASSERT_EQ(merged.masters.size(), 2u);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vigil::sentinel
