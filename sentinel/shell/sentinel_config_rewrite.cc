// The flush of a classic sentinel.conf (docs/sentinel-behaviour.md, "Config file"): the state as
// `sentinel ...` lines in Redis's order, written into the user's file in place, and checked by
// loading it back.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "common/base/host_port.h"
#include "common/base/repr.h"
#include "common/config/config_rewrite.h"
#include "common/config/option_registry.h"
#include "common/resp/request_parser.h"
#include "sentinel/shell/sentinel_config.h"

namespace vigil::sentinel {

namespace {

std::string Ms(Millis d) {
  return std::to_string(d.count());
}

}  // namespace

std::vector<std::vector<std::string>> SentinelStateLines(const PersistentState& state,
                                                         const CoreOptions& core) {
  std::vector<std::vector<std::string>> out;
  const GlobalSettings& g = state.globals;
  out.push_back({"myid", state.myid});
  if (!core.deny_scripts_reconfig) out.push_back({"deny-scripts-reconfig", "no"});
  if (g.resolve_hostnames) out.push_back({"resolve-hostnames", "yes"});
  if (g.announce_hostnames) out.push_back({"announce-hostnames", "yes"});
  for (const PersistedMaster& m : state.masters) {
    const MasterConfig& c = m.config;
    const std::string& n = c.name;
    out.push_back(
        {"monitor", n, c.addr.host, std::to_string(c.addr.port), std::to_string(c.quorum)});
    if (c.down_after != Millis(30000))
      out.push_back({"down-after-milliseconds", n, Ms(c.down_after)});
    if (c.failover_timeout != Millis(180000)) {
      out.push_back({"failover-timeout", n, Ms(c.failover_timeout)});
    }
    if (c.parallel_syncs != 1) {
      out.push_back({"parallel-syncs", n, std::to_string(c.parallel_syncs)});
    }
    if (!c.notification_script.empty()) {
      out.push_back({"notification-script", n, c.notification_script});
    }
    if (!c.client_reconfig_script.empty()) {
      out.push_back({"client-reconfig-script", n, c.client_reconfig_script});
    }
    if (!c.auth_pass.empty()) out.push_back({"auth-pass", n, c.auth_pass});
    if (!c.auth_user.empty()) out.push_back({"auth-user", n, c.auth_user});
    if (c.master_reboot_down_after != Millis(0)) {
      out.push_back({"master-reboot-down-after-period", n, Ms(c.master_reboot_down_after)});
    }
    out.push_back({"config-epoch", n, std::to_string(m.config_epoch)});
    out.push_back({"leader-epoch", n, std::to_string(m.leader_epoch)});
    std::vector<HostPort> seen;
    for (const HostPort& r : m.known_replicas) {
      bool dup = std::any_of(seen.begin(), seen.end(),
                             [&](const HostPort& s) { return SameAddress(s, r); });
      if (dup || SameAddress(r, c.addr)) continue;
      seen.push_back(r);
      out.push_back({"known-replica", n, r.host, std::to_string(r.port)});
    }
    for (const KnownSentinel& s : m.known_sentinels) {
      if (s.runid.empty()) continue;
      out.push_back({"known-sentinel", n, s.addr.host, std::to_string(s.addr.port), s.runid});
    }
    for (const auto& [from, to] : c.renamed_commands) {
      out.push_back({"rename-command", n, from, to});
    }
  }
  out.push_back({"current-epoch", std::to_string(state.current_epoch)});
  if (!g.announce_ip.empty()) out.push_back({"announce-ip", g.announce_ip});
  if (g.announce_port != 0) out.push_back({"announce-port", std::to_string(g.announce_port)});
  if (!g.sentinel_user.empty()) out.push_back({"sentinel-user", g.sentinel_user});
  if (!g.sentinel_pass.empty()) out.push_back({"sentinel-pass", g.sentinel_pass});
  return out;
}

namespace {

std::string FirstWord(const std::string& line) {
  size_t start = line.find_first_not_of(" \t\r");
  if (start == std::string::npos || line[start] == '#') return "";
  size_t end = line.find_first_of(" \t\r", start);
  return config::Lower(line.substr(start, end == std::string::npos ? end : end - start));
}

std::string RenderLine(const std::string& name, const std::vector<std::string>& args) {
  std::string s = name;
  for (const auto& a : args) s += " " + config::QuoteConfArg(a);
  return s;
}

}  // namespace

namespace {

// What a `sentinel ...` line is about, so a rewrite can update it in place: the subcommand, the
// master for per-master lines, and the instance for known-replica/known-sentinel/rename-command.
std::string LineKey(const std::vector<std::string>& args) {
  if (args.empty()) return "";
  std::string sub = config::Lower(args[0]);
  if (sub == "known-slave") sub = "known-replica";
  static const std::set<std::string> kGlobal = {"myid",
                                                "current-epoch",
                                                "announce-ip",
                                                "announce-port",
                                                "sentinel-user",
                                                "sentinel-pass",
                                                "resolve-hostnames",
                                                "announce-hostnames",
                                                "deny-scripts-reconfig"};
  if (kGlobal.count(sub) > 0 || args.size() < 2) return sub;
  std::string key = sub + "\x1f" + args[1];
  if (sub == "known-replica" && args.size() >= 4) key += "\x1f" + args[2] + ":" + args[3];
  if (sub == "known-sentinel" && args.size() >= 5) key += "\x1f" + args[4];
  if (sub == "rename-command" && args.size() >= 3) key += "\x1f" + config::Lower(args[2]);
  return key;
}

}  // namespace

std::string RewriteClassicConfig(const std::string& original, const PersistentState& state,
                                 const CoreOptions& core, int port, bool write_port,
                                 const std::string& dir) {
  const char* kMarker = "# Generated by CONFIG REWRITE";
  std::vector<std::string> lines;
  {
    std::istringstream in(original);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  auto state_lines = SentinelStateLines(state, core);
  std::map<std::string, size_t> by_key;
  for (size_t i = 0; i < state_lines.size(); ++i) by_key.emplace(LineKey(state_lines[i]), i);
  std::vector<bool> written(state_lines.size(), false);
  bool port_written = false;
  bool dir_written = false;
  bool has_marker = false;
  std::string out;
  for (const std::string& line : lines) {
    if (line == kMarker) has_marker = true;
    std::string word = FirstWord(line);
    if (word == "sentinel") {
      // Updated in place when the state still has this line; dropped otherwise.
      std::vector<std::string> args;
      size_t argc = 0;
      std::string_view rest(line);
      rest.remove_prefix(line.find_first_not_of(" \t") + 8);
      if (resp::SplitInlineArgs(rest, &args, &argc)) args.resize(argc);
      auto it = by_key.find(LineKey(args));
      if (it != by_key.end() && !written[it->second]) {
        written[it->second] = true;
        out += RenderLine("sentinel", state_lines[it->second]) + "\n";
      }
      continue;
    }
    if (word == "port" && write_port) {
      if (!port_written) out += "port " + std::to_string(port) + "\n";
      port_written = true;
      continue;
    }
    if (word == "dir" && !dir.empty()) {
      if (!dir_written) out += "dir " + Repr(dir) + "\n";
      dir_written = true;
      continue;
    }
    out += line + "\n";
  }
  std::string appended;
  if (write_port && !port_written) appended += "port " + std::to_string(port) + "\n";
  if (!dir.empty() && !dir_written) appended += "dir " + Repr(dir) + "\n";
  for (size_t i = 0; i < state_lines.size(); ++i) {
    if (!written[i]) appended += RenderLine("sentinel", state_lines[i]) + "\n";
  }
  if (!appended.empty()) {
    if (!has_marker) out += std::string(kMarker) + "\n";
    out += appended;
  }
  return out;
}

Status ValidateClassicConfig(const std::string& text, const PersistentState& state) {
  auto parsed = config::ParseRedisConf(text, "(rewritten config)");
  if (!parsed.ok()) return parsed.status();
  SentinelConfig check;
  Status st = ApplySentinelDirectives(parsed.value(), config::Syntax::kRedisConf, &check);
  if (!st.ok()) return st;
  PersistentState want = state;
  for (auto& m : want.masters) {
    m.leader.clear();  // not part of the classic format
    std::vector<HostPort> replicas;
    for (const HostPort& r : m.known_replicas) {
      bool dup = std::any_of(replicas.begin(), replicas.end(),
                             [&](const HostPort& s) { return SameAddress(s, r); });
      if (!dup && !SameAddress(r, m.config.addr)) replicas.push_back(r);
    }
    m.known_replicas = replicas;
    std::erase_if(m.known_sentinels, [](const KnownSentinel& k) { return k.runid.empty(); });
  }
  // In-place updates keep the file's order of known instances: compare them as sets.
  auto normalize = [](PersistentState& ps) {
    for (auto& m : ps.masters) {
      std::sort(m.known_replicas.begin(), m.known_replicas.end());
      std::sort(m.known_sentinels.begin(), m.known_sentinels.end(),
                [](const KnownSentinel& a, const KnownSentinel& b) { return a.runid < b.runid; });
    }
  };
  normalize(want);
  normalize(check.state);
  // Loading raises current-epoch to the highest config-epoch.
  for (const auto& m : want.masters) {
    want.current_epoch = std::max(want.current_epoch, m.config_epoch);
  }
  if (!(check.state == want)) {
    std::string why;
    if (check.state.myid != want.myid) why += " myid";
    if (check.state.current_epoch != want.current_epoch) {
      why += " current-epoch(" + std::to_string(check.state.current_epoch) + " vs " +
             std::to_string(want.current_epoch) + ")";
    }
    if (!(check.state.globals == want.globals)) why += " globals";
    if (check.state.masters.size() != want.masters.size()) why += " masters";
    for (size_t i = 0; i < std::min(check.state.masters.size(), want.masters.size()); ++i) {
      const PersistedMaster& x = check.state.masters[i];
      const PersistedMaster& y = want.masters[i];
      if (!(x.config == y.config)) why += " " + y.config.name + ".config";
      if (x.config_epoch != y.config_epoch || x.leader_epoch != y.leader_epoch) {
        why += " " + y.config.name + ".epochs";
      }
      if (!(x.known_replicas == y.known_replicas)) why += " " + y.config.name + ".replicas";
      if (!(x.known_sentinels == y.known_sentinels)) why += " " + y.config.name + ".sentinels";
    }
    return Status::Error("the rewritten config would not load back into the same state:" + why);
  }
  return Status::Ok();
}

}  // namespace vigil::sentinel
