#include "sentinel/shell/state_store.h"

#include <unistd.h>

#include <climits>
#include <fstream>
#include <map>
#include <sstream>

#include "common/base/decimal.h"
#include "common/base/host_port.h"
#include "common/config/config_file.h"
#include "common/config/config_rewrite.h"
#include "common/config/option_registry.h"

namespace vigil::sentinel {

namespace {

std::string ReadWhole(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = bool(in);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ClassicConfigStore final : public StateStore {
 public:
  explicit ClassicConfigStore(const SentinelConfig& c)
      : path_(c.file.path),
        last_text_(c.file.text),
        core_(c.core),
        port_(c.settings.port),
        write_port_(c.port_set) {}

  Status Save(const PersistentState& state) override {
    bool ok = false;
    std::string current = ReadWhole(path_, &ok);  // Redis re-reads the file on every rewrite
    if (!ok) current = last_text_;
    char cwd[PATH_MAX];
    std::string dir = ::getcwd(cwd, sizeof(cwd)) != nullptr ? std::string(cwd) : "";
    std::string text = RewriteClassicConfig(current, state, core_, port_, write_port_, dir);
    Status valid = ValidateClassicConfig(text, state);
    if (!valid.ok()) return Status::Error("refusing to write " + path_ + ": " + valid.message());
    Status st = config::WriteFileAtomically(path_, text);
    if (st.ok()) last_text_ = std::move(text);
    return st;
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string last_text_;
  CoreOptions core_;
  int port_;
  bool write_port_;
};

class TomlStateStore final : public StateStore {
 public:
  TomlStateStore(std::string path, std::vector<MasterConfig> file_masters)
      : path_(std::move(path)), file_masters_(std::move(file_masters)) {}

  Status Save(const PersistentState& state) override {
    return config::WriteFileAtomically(path_, RenderStateFile(state, file_masters_));
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::vector<MasterConfig> file_masters_;
};

std::string Quote(const std::string& s) {
  return config::TomlQuote(s);
}

std::string Bool(bool b) {
  return b ? "true" : "false";
}

const MasterConfig* FindConfig(const std::vector<MasterConfig>& v, const std::string& name) {
  for (const auto& c : v) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<StateStore> MakeClassicConfigStore(const SentinelConfig& config) {
  return std::make_unique<ClassicConfigStore>(config);
}

std::unique_ptr<StateStore> MakeTomlStateStore(std::string state_path,
                                               std::vector<MasterConfig> file_masters) {
  return std::make_unique<TomlStateStore>(std::move(state_path), std::move(file_masters));
}

std::string StateFilePathFor(const std::string& config_path, const std::string& state_file) {
  std::string dir = ".";
  size_t slash = config_path.rfind('/');
  if (slash != std::string::npos) dir = config_path.substr(0, slash);
  if (!state_file.empty()) return state_file[0] == '/' ? state_file : dir + "/" + state_file;
  std::string base = slash == std::string::npos ? config_path : config_path.substr(slash + 1);
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".toml") == 0) {
    base.resize(base.size() - 5);
  }
  return dir + "/" + base + ".state.toml";
}

std::string SettingsFingerprint(const MasterConfig& c) {
  std::string s = std::to_string(c.quorum) + "|" + std::to_string(c.down_after.count()) + "|" +
                  std::to_string(c.failover_timeout.count()) + "|" +
                  std::to_string(c.parallel_syncs) + "|" + c.auth_user + "|" + c.auth_pass + "|" +
                  c.notification_script + "|" + c.client_reconfig_script + "|" +
                  std::to_string(c.master_reboot_down_after.count());
  for (const auto& [k, v] : c.renamed_commands) s += "|" + k + "=" + v;
  return s + "@" + c.addr.host + ":" + std::to_string(c.addr.port);
}

std::string RenderStateFile(const PersistentState& state,
                            const std::vector<MasterConfig>& file_masters) {
  std::string o;
  o += "# vigil-sentinel state, written atomically on every change. Do not edit while the\n";
  o += "# sentinel runs. Settings here win over the config file's until that file changes.\n";
  o += "myid = " + Quote(state.myid) + "\n";
  o += "current-epoch = " + std::to_string(state.current_epoch) + "\n";
  const GlobalSettings& g = state.globals;
  o += "announce-ip = " + Quote(g.announce_ip) + "\n";
  o += "announce-port = " + std::to_string(g.announce_port) + "\n";
  o += "resolve-hostnames = " + Bool(g.resolve_hostnames) + "\n";
  o += "announce-hostnames = " + Bool(g.announce_hostnames) + "\n";
  o += "sentinel-user = " + Quote(g.sentinel_user) + "\n";
  o += "sentinel-pass = " + Quote(g.sentinel_pass) + "\n";
  for (const PersistedMaster& m : state.masters) {
    const MasterConfig& c = m.config;
    o += "\n[masters." + Quote(c.name) + "]\n";
    const MasterConfig* fc = FindConfig(file_masters, c.name);
    o += "origin = " + Quote(fc ? SettingsFingerprint(*fc) : "") + "\n";
    o += "host = " + Quote(c.addr.host) + "\n";
    o += "port = " + std::to_string(c.addr.port) + "\n";
    o += "quorum = " + std::to_string(c.quorum) + "\n";
    o += "down-after-milliseconds = " + std::to_string(c.down_after.count()) + "\n";
    o += "failover-timeout = " + std::to_string(c.failover_timeout.count()) + "\n";
    o += "parallel-syncs = " + std::to_string(c.parallel_syncs) + "\n";
    o += "auth-user = " + Quote(c.auth_user) + "\n";
    o += "auth-pass = " + Quote(c.auth_pass) + "\n";
    o += "notification-script = " + Quote(c.notification_script) + "\n";
    o += "client-reconfig-script = " + Quote(c.client_reconfig_script) + "\n";
    o += "master-reboot-down-after-period = " + std::to_string(c.master_reboot_down_after.count()) +
         "\n";
    o += "rename-command = [";
    bool first = true;
    for (const auto& [k, v] : c.renamed_commands) {
      o += std::string(first ? "" : ", ") + "[" + Quote(k) + ", " + Quote(v) + "]";
      first = false;
    }
    o += "]\n";
    o += "config-epoch = " + std::to_string(m.config_epoch) + "\n";
    o += "leader-epoch = " + std::to_string(m.leader_epoch) + "\n";
    o += "leader = " + Quote(m.leader) + "\n";
    o += "known-replicas = [";
    first = true;
    for (const HostPort& r : m.known_replicas) {
      o += std::string(first ? "" : ", ") + "[" + Quote(r.host) + ", " + std::to_string(r.port) +
           "]";
      first = false;
    }
    o += "]\nknown-sentinels = [";
    first = true;
    for (const KnownSentinel& s : m.known_sentinels) {
      o += std::string(first ? "" : ", ") + "[" + Quote(s.addr.host) + ", " +
           std::to_string(s.addr.port) + ", " + Quote(s.runid) + "]";
      first = false;
    }
    o += "]\n";
  }
  // Config-file masters gone from the state were removed by SENTINEL REMOVE: remember that, so a
  // restart does not bring them back unless their declaration in the config file changes.
  for (const MasterConfig& fc : file_masters) {
    bool present = false;
    for (const PersistedMaster& m : state.masters) present |= m.config.name == fc.name;
    if (present) continue;
    o += "\n[removed." + Quote(fc.name) + "]\n";
    o += "origin = " + Quote(SettingsFingerprint(fc)) + "\n";
  }
  return o;
}

Result<std::optional<SavedState>> LoadStateFile(const std::string& path) {
  bool ok = false;
  std::string text = ReadWhole(path, &ok);
  if (!ok) return std::optional<SavedState>();
  auto parsed = config::ParseToml(text, path);
  if (!parsed.ok()) return parsed.status();
  SavedState saved;
  PersistentState& st = saved.state;
  std::map<std::string, PersistedMaster> masters;
  std::map<std::string, std::string> origins;
  auto bad = [&](const config::Directive& d) {
    return Status::Error(d.Where() + ": bad value for '" + d.name + "'");
  };
  for (const config::Directive& d : parsed.value()) {
    const std::string v = d.args.empty() ? "" : d.args[0];
    int64_t n = 0;
    bool b = false;
    if (d.name.rfind("removed.", 0) == 0) {
      size_t dot = d.name.rfind('.');
      if (d.name.substr(dot + 1) == "origin") saved.removed[d.name.substr(8, dot - 8)] = v;
      continue;
    }
    if (d.name.rfind("masters.", 0) != 0) {
      if (d.name == "myid") {
        st.myid = v;
      } else if (d.name == "current-epoch") {
        if (!ParseUint64(v, &st.current_epoch)) return bad(d);
      } else if (d.name == "announce-ip") {
        st.globals.announce_ip = v;
      } else if (d.name == "announce-port") {
        if (!ParseInt64(v, &n)) return bad(d);
        st.globals.announce_port = int(n);
      } else if (d.name == "resolve-hostnames" || d.name == "announce-hostnames") {
        if (!config::ParseYesNo(v, &b)) return bad(d);
        (d.name == "resolve-hostnames" ? st.globals.resolve_hostnames
                                       : st.globals.announce_hostnames) = b;
      } else if (d.name == "sentinel-user") {
        st.globals.sentinel_user = v;
      } else if (d.name == "sentinel-pass") {
        st.globals.sentinel_pass = v;
      }
      continue;
    }
    size_t dot = d.name.rfind('.');
    std::string name = d.name.substr(8, dot - 8);
    std::string key = d.name.substr(dot + 1);
    PersistedMaster& m = masters[name];
    MasterConfig& c = m.config;
    c.name = name;
    auto num = [&](int64_t* out) { return ParseInt64(v, out); };
    if (key == "origin") {
      origins[name] = v;
    } else if (key == "host") {
      c.addr.host = v;
    } else if (key == "port" || key == "quorum" || key == "parallel-syncs") {
      if (!num(&n)) return bad(d);
      (key == "port" ? c.addr.port : key == "quorum" ? c.quorum : c.parallel_syncs) = int(n);
    } else if (key == "down-after-milliseconds" || key == "failover-timeout" ||
               key == "master-reboot-down-after-period") {
      if (!num(&n)) return bad(d);
      (key == "down-after-milliseconds" ? c.down_after
       : key == "failover-timeout"      ? c.failover_timeout
                                        : c.master_reboot_down_after) = Millis(n);
    } else if (key == "auth-user") {
      c.auth_user = v;
    } else if (key == "auth-pass") {
      c.auth_pass = v;
    } else if (key == "notification-script") {
      c.notification_script = v;
    } else if (key == "client-reconfig-script") {
      c.client_reconfig_script = v;
    } else if (key == "rename-command") {
      if (d.args.size() == 2) c.renamed_commands[d.args[0]] = d.args[1];
    } else if (key == "config-epoch") {
      if (!ParseUint64(v, &m.config_epoch)) return bad(d);
    } else if (key == "leader-epoch") {
      if (!ParseUint64(v, &m.leader_epoch)) return bad(d);
    } else if (key == "leader") {
      m.leader = v;
    } else if (key == "known-replicas") {
      int port = 0;
      if (d.args.size() == 2 && ParsePort(d.args[1], &port)) {
        m.known_replicas.push_back({d.args[0], port});
      }
    } else if (key == "known-sentinels") {
      int port = 0;
      if (d.args.size() == 3 && ParsePort(d.args[1], &port)) {
        m.known_sentinels.push_back({{d.args[0], port}, d.args[2]});
      }
    }
  }
  for (auto& [name, m] : masters) {
    st.masters.push_back(std::move(m));
    saved.origins.emplace_back(name, origins[name]);
  }
  return std::optional<SavedState>(std::move(saved));
}

PersistentState MergeTomlState(const SentinelConfig& config,
                               const std::optional<SavedState>& saved) {
  if (!saved) return config.state;
  PersistentState out = saved->state;
  out.masters.clear();
  std::map<std::string, std::string> origin(saved->origins.begin(), saved->origins.end());
  std::map<std::string, PersistedMaster> merged;
  for (const PersistedMaster& m : saved->state.masters) {
    const MasterConfig* fc = FindConfig(config.file_masters, m.config.name);
    const std::string& from = origin[m.config.name];
    if (fc == nullptr) {
      if (from.empty()) merged[m.config.name] = m;  // added by SENTINEL MONITOR
      continue;                                     // removed from the config file
    }
    PersistedMaster pm = m;
    std::string now_fp = SettingsFingerprint(*fc);
    if (now_fp != from) {
      // The config file changed since: its settings win; its address wins if that changed.
      HostPort addr = pm.config.addr;
      pm.config = *fc;
      size_t at_now = now_fp.rfind('@'), at_then = from.rfind('@');
      bool addr_changed =
          at_then == std::string::npos || now_fp.substr(at_now) != from.substr(at_then);
      if (!addr_changed) pm.config.addr = addr;
      if (addr_changed) {
        pm.known_replicas.clear();
        pm.known_sentinels.clear();
      }
    }
    merged[pm.config.name] = pm;
  }
  for (const PersistedMaster& m : config.state.masters) {
    if (merged.count(m.config.name) != 0) continue;
    // Removed by SENTINEL REMOVE: stays removed until its declaration in the file changes.
    auto removed = saved->removed.find(m.config.name);
    if (removed != saved->removed.end() && removed->second == SettingsFingerprint(m.config)) {
      continue;
    }
    merged[m.config.name] = m;  // new in the config file
  }
  for (auto& [name, m] : merged) out.masters.push_back(std::move(m));
  out.globals = saved->state.globals;
  if (out.myid.empty()) out.myid = config.state.myid;
  out.current_epoch = std::max(out.current_epoch, config.state.current_epoch);
  return out;
}

}  // namespace vigil::sentinel
