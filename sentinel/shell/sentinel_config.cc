#include "sentinel/shell/sentinel_config.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>

#include "common/base/decimal.h"
#include "common/base/host_port.h"
#include "common/config/config_rewrite.h"
#include "common/config/option_registry.h"
#include "common/config/redis_directives.h"

namespace vigil::sentinel {

using config::Directive;

namespace {

Status Err(const Directive& d, const std::string& why) {
  return Status::Error(d.Where() + ": " + why);
}

bool YesNo(const std::string& s, bool* out) {
  return config::ParseYesNo(s, out);
}

bool ToInt(const std::string& s, int64_t* out) {
  return ParseInt64(s, out);
}

Status ApplyUser(const Directive& d, SentinelSettings* s) {
  if (d.args.empty() || d.args[0].empty()) return Err(d, "user needs a name");
  SentinelUser u;
  u.name = d.args[0];
  for (size_t i = 1; i < d.args.size(); ++i) {
    const std::string& r = d.args[i];
    if (r == "on") {
      u.enabled = true;
    } else if (r == "off") {
      u.enabled = false;
    } else if (r == "nopass") {
      u.nopass = true;
      u.passwords.clear();
    } else if (r == "resetpass") {
      u.nopass = false;
      u.passwords.clear();
    } else if (!r.empty() && r[0] == '>') {
      u.passwords.push_back(r.substr(1));
      u.nopass = false;
    }
    // Key, channel and command rules are accepted; a sentinel serves every command to any
    // authenticated user.
  }
  std::erase_if(s->users, [&](const SentinelUser& x) { return x.name == u.name; });
  s->users.push_back(std::move(u));
  return Status::Ok();
}

// Redis 7.0's tls-* directives, as redis-server reads them.
Status ApplyTlsDirective(const Directive& d, const std::string& name, const std::string& v,
                         SentinelSettings* s) {
  net::TlsSettings& t = s->tls;
  int64_t n = 0;
  bool b = false;
  static const std::map<std::string, std::string net::TlsSettings::*> kFiles = {
      {"tls-cert-file", &net::TlsSettings::cert_file},
      {"tls-key-file", &net::TlsSettings::key_file},
      {"tls-key-file-pass", &net::TlsSettings::key_file_pass},
      {"tls-client-cert-file", &net::TlsSettings::client_cert_file},
      {"tls-client-key-file", &net::TlsSettings::client_key_file},
      {"tls-client-key-file-pass", &net::TlsSettings::client_key_file_pass},
      {"tls-dh-params-file", &net::TlsSettings::dh_params_file},
      {"tls-ca-cert-file", &net::TlsSettings::ca_cert_file},
      {"tls-ca-cert-dir", &net::TlsSettings::ca_cert_dir},
      {"tls-ciphers", &net::TlsSettings::ciphers},
      {"tls-ciphersuites", &net::TlsSettings::ciphersuites},
  };
  if (auto it = kFiles.find(name); it != kFiles.end()) {
    t.*(it->second) = v;
  } else if (name == "tls-port") {
    if (!ToInt(v, &n) || n < 0 || n > 65535) return Err(d, "Invalid tls-port");
    s->tls_port = int(n);
  } else if (name == "tls-replication" || name == "tls-cluster" ||
             name == "tls-prefer-server-ciphers" || name == "tls-session-caching") {
    if (!YesNo(v, &b)) return Err(d, "argument must be 'yes' or 'no'");
    if (name == "tls-replication") s->tls_replication = b;
    if (name == "tls-prefer-server-ciphers") t.prefer_server_ciphers = b;
    if (name == "tls-session-caching") t.session_caching = b;
    // tls-cluster: a sentinel has no cluster bus; accepted as redis-sentinel accepts it.
  } else if (name == "tls-auth-clients") {
    const std::string l = config::Lower(v);
    if (l == "no") {
      s->tls_auth_clients = net::TlsAuthClients::kNo;
    } else if (l == "yes") {
      s->tls_auth_clients = net::TlsAuthClients::kYes;
    } else if (l == "optional") {
      s->tls_auth_clients = net::TlsAuthClients::kOptional;
    } else {
      return Err(d, "argument(s) must be one of the following: no, yes, optional");
    }
  } else if (name == "tls-protocols") {
    auto parsed = net::ParseTlsProtocols(v);
    if (!parsed.ok()) return Err(d, parsed.status().message());
    t.protocols = v;
  } else if (name == "tls-session-cache-size" || name == "tls-session-cache-timeout") {
    if (!ToInt(v, &n) || n < 0 || n > INT32_MAX) return Err(d, "argument couldn't be parsed");
    (name == "tls-session-cache-size" ? t.session_cache_size : t.session_cache_timeout) = n;
  } else {
    return Err(d, "Bad directive or wrong number of arguments ('" + name + "')");
  }
  return Status::Ok();
}

Status ApplyServerDirective(const Directive& d, config::Syntax syntax, SentinelConfig* out) {
  SentinelSettings& s = out->settings;
  const std::string name = config::Lower(d.name);
  const auto& a = d.args;
  auto one = [&]() -> Status {
    if (a.size() != 1) return Err(d, "wrong number of arguments for '" + name + "'");
    return Status::Ok();
  };
  if (name == "user") return ApplyUser(d, &s);
  if (name == "bind") {
    s.bind.clear();
    for (const auto& b : a) {
      if (!b.empty()) s.bind.push_back(b);
    }
    return Status::Ok();
  }
  static const std::set<std::string> kUsed = {
      "port",    "http-port", "maxclients",     "dir",         "logfile",   "loglevel",
      "pidfile", "daemonize", "protected-mode", "requirepass", "http-bind", "state-file"};
  if (kUsed.count(name) == 0 && name.rfind("tls-", 0) != 0) {
    // redis-sentinel is redis-server in sentinel mode: it takes every server directive and
    // ignores those without meaning for a sentinel. Say so once instead of refusing the file.
    if (!config::IsRedisDirective(name)) {
      return Err(d, "Bad directive or wrong number of arguments ('" + name + "')");
    }
    out->unused_directives.push_back(d.Where() + ": '" + name +
                                     "' has no effect on a sentinel; ignored");
    return Status::Ok();
  }
  Status st = one();
  if (!st.ok()) return st;
  const std::string& v = a[0];
  int64_t n = 0;
  bool b = false;
  if (name == "port" || name == "http-port") {
    if (!ToInt(v, &n) || n < 0 || n > 65535) return Err(d, "Invalid port");
    (name == "port" ? s.port : s.http_port) = int(n);
    if (name == "port") out->port_set = true;
  } else if (name == "maxclients") {
    if (!ToInt(v, &n) || n < 1) return Err(d, "Invalid max clients limit");
    s.maxclients = n;
  } else if (name == "dir") {
    s.dir = v;
  } else if (name == "logfile") {
    s.logfile = v;
  } else if (name == "loglevel") {
    std::string l = config::Lower(v);
    if (l != "debug" && l != "verbose" && l != "notice" && l != "warning" && l != "nothing")
      return Err(d, "Invalid log level");
    s.loglevel = l;
  } else if (name == "pidfile") {
    s.pidfile = v;
  } else if (name == "daemonize" || name == "protected-mode") {
    if (!YesNo(v, &b)) return Err(d, "argument must be 'yes' or 'no'");
    (name == "daemonize" ? s.daemonize : s.protected_mode) = b;
  } else if (name == "requirepass") {
    s.requirepass = v;
  } else if (name == "http-bind") {
    s.http_bind = v;
  } else if (name == "state-file") {
    s.state_file = v;
  } else if (name.rfind("tls-", 0) == 0) {
    return ApplyTlsDirective(d, name, v, &s);
  }
  (void)syntax;
  return Status::Ok();
}

bool IsPreMonitor(const std::string& sub) {
  static const std::set<std::string> kPre = {
      "announce-ip",   "announce-port",     "deny-scripts-reconfig",
      "sentinel-user", "sentinel-pass",     "current-epoch",
      "myid",          "resolve-hostnames", "announce-hostnames"};
  return kPre.count(sub) > 0;
}

PersistedMaster* FindMaster(PersistentState* st, const std::string& name) {
  for (auto& m : st->masters) {
    if (m.config.name == name) return &m;
  }
  return nullptr;
}

Status ApplyGlobal(const Directive& d, const std::string& sub, SentinelConfig* out) {
  const auto& a = d.args;  // a[0] is the subcommand
  GlobalSettings& g = out->state.globals;
  if (a.size() != 2) return Err(d, "Unrecognized sentinel configuration statement.");
  const std::string& v = a[1];
  int64_t n = 0;
  bool b = false;
  if (sub == "announce-ip") {
    g.announce_ip = v;
  } else if (sub == "announce-port") {
    if (!ToInt(v, &n) || n < 0 || n > 65535) return Err(d, "Invalid port");
    g.announce_port = int(n);
  } else if (sub == "deny-scripts-reconfig" || sub == "resolve-hostnames" ||
             sub == "announce-hostnames") {
    if (!YesNo(v, &b)) return Err(d, "Please specify yes or no for the " + sub + " option.");
    if (sub == "deny-scripts-reconfig") out->core.deny_scripts_reconfig = b;
    if (sub == "resolve-hostnames") g.resolve_hostnames = b;
    if (sub == "announce-hostnames") g.announce_hostnames = b;
  } else if (sub == "sentinel-user") {
    g.sentinel_user = v;
  } else if (sub == "sentinel-pass") {
    g.sentinel_pass = v;
  } else if (sub == "current-epoch") {
    uint64_t e = 0;
    if (!ParseUint64(v, &e)) return Err(d, "Invalid current epoch");
    out->state.current_epoch = std::max(out->state.current_epoch, e);
  } else if (sub == "myid") {
    if (v.size() != 40) return Err(d, "Malformed Sentinel id in myid option.");
    out->state.myid = v;
  }
  return Status::Ok();
}

Status ApplyMonitor(const Directive& d, SentinelConfig* out) {
  const auto& a = d.args;
  if (a.size() != 5) return Err(d, "Unrecognized sentinel configuration statement.");
  int64_t quorum = 0, port = 0;
  if (!ToInt(a[4], &quorum) || quorum <= 0) return Err(d, "Quorum must be 1 or greater.");
  if (!ToInt(a[3], &port) || port <= 0 || port > 65535) return Err(d, "Invalid port number.");
  if (!out->state.globals.resolve_hostnames && !IsIpLiteral(a[2])) {
    return Err(d, "Can't resolve instance hostname.");
  }
  if (FindMaster(&out->state, a[1]) != nullptr) return Err(d, "Duplicate master name.");
  PersistedMaster pm;
  pm.config = DefaultMasterConfig(a[1], {a[2], int(port)}, int(quorum));
  out->state.masters.push_back(std::move(pm));
  return Status::Ok();
}

Status ApplyPerMaster(const Directive& d, const std::string& sub, SentinelConfig* out) {
  const auto& a = d.args;
  if (a.size() < 3) return Err(d, "Unrecognized sentinel configuration statement.");
  PersistedMaster* m = FindMaster(&out->state, a[1]);
  if (m == nullptr) return Err(d, "No such master with specified name.");
  MasterConfig& c = m->config;
  int64_t n = 0;
  uint64_t u = 0;
  auto exact = [&](size_t count) { return a.size() == count; };
  if (sub == "down-after-milliseconds" && exact(3)) {
    if (!ToInt(a[2], &n) || n <= 0) return Err(d, "Invalid down-after-milliseconds");
    c.down_after = Millis(n);
  } else if (sub == "failover-timeout" && exact(3)) {
    if (!ToInt(a[2], &n) || n <= 0) return Err(d, "Invalid failover-timeout");
    c.failover_timeout = Millis(n);
  } else if (sub == "parallel-syncs" && exact(3)) {
    c.parallel_syncs = std::atoi(a[2].c_str());  // Redis: atoi, no check
  } else if ((sub == "notification-script" || sub == "client-reconfig-script") && exact(3)) {
    // Redis changes directory when it reads `dir`, so a relative script path in a later line
    // (as a rewrite writes it) names a file inside that directory.
    const std::string& dir = out->settings.dir;
    std::string path = a[2].empty() || a[2][0] == '/' || dir.empty() ? a[2] : dir + "/" + a[2];
    if (!path.empty() && ::access(path.c_str(), X_OK) == -1) {
      return Err(d, sub == "notification-script" ? "Notification script seems non existing or "
                                                   "non executable."
                                                 : "Client reconfiguration script seems non "
                                                   "existing or non executable.");
    }
    (sub == "notification-script" ? c.notification_script : c.client_reconfig_script) = a[2];
  } else if (sub == "auth-pass" && exact(3)) {
    c.auth_pass = a[2];
  } else if (sub == "auth-user" && exact(3)) {
    c.auth_user = a[2];
  } else if (sub == "master-reboot-down-after-period" && exact(3)) {
    if (!ToInt(a[2], &n) || n < 0) return Err(d, "Invalid master-reboot-down-after-period");
    c.master_reboot_down_after = Millis(n);
  } else if ((sub == "known-replica" || sub == "known-slave") && exact(4)) {
    int port = 0;
    if (!ParsePort(a[3], &port)) return Err(d, "Wrong hostname or port for replica.");
    HostPort addr{a[2], port};
    for (const auto& r : m->known_replicas) {
      if (SameAddress(r, addr)) return Status::Ok();  // duplicates are harmless; keep one
    }
    m->known_replicas.push_back(addr);
  } else if (sub == "known-sentinel" && (a.size() == 4 || a.size() == 5)) {
    if (a.size() == 4) return Status::Ok();  // no runid: silently ignored, as Redis does
    int port = 0;
    if (!ParsePort(a[3], &port)) return Err(d, "Wrong hostname or port for sentinel.");
    std::erase_if(m->known_sentinels, [&](const KnownSentinel& k) { return k.runid == a[4]; });
    m->known_sentinels.push_back({{a[2], port}, a[4]});
  } else if (sub == "config-epoch" && exact(3)) {
    if (!ParseUint64(a[2], &u)) return Err(d, "Invalid config epoch");
    m->config_epoch = u;
    out->state.current_epoch = std::max(out->state.current_epoch, u);
  } else if (sub == "leader-epoch" && exact(3)) {
    if (!ParseUint64(a[2], &u)) return Err(d, "Invalid leader epoch");
    m->leader_epoch = u;
  } else if (sub == "rename-command" && exact(4)) {
    std::string from = a[2];
    for (auto& ch : from) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    if (c.renamed_commands.count(from) > 0) {
      return Err(d, "Same command renamed multiple times with rename-command.");
    }
    c.renamed_commands[from] = a[3];
  } else {
    return Err(d, "Unrecognized sentinel configuration statement.");
  }
  return Status::Ok();
}

Status ApplySentinelLines(const std::vector<Directive>& lines, SentinelConfig* out) {
  std::vector<const Directive*> pre, monitor, rest;
  for (const Directive& d : lines) {
    std::string sub = config::Lower(d.args[0]);
    if (IsPreMonitor(sub)) {
      pre.push_back(&d);
    } else if (sub == "monitor") {
      monitor.push_back(&d);
    } else {
      rest.push_back(&d);
    }
  }
  for (const Directive* d : pre) {
    Status st = ApplyGlobal(*d, config::Lower(d->args[0]), out);
    if (!st.ok()) return st;
  }
  for (const Directive* d : monitor) {
    Status st = ApplyMonitor(*d, out);
    if (!st.ok()) return st;
  }
  for (const Directive* d : rest) {
    Status st = ApplyPerMaster(*d, config::Lower(d->args[0]), out);
    if (!st.ok()) return st;
  }
  std::sort(out->state.masters.begin(), out->state.masters.end(),
            [](const PersistedMaster& x, const PersistedMaster& y) {
              return x.config.name < y.config.name;
            });
  return Status::Ok();
}

// TOML: `[masters.<name>]` tables and top-level sentinel globals become `sentinel ...` lines.
Status TranslateToml(const std::vector<Directive>& in, std::vector<Directive>* server,
                     std::vector<Directive>* sentinel) {
  struct Monitor {
    Directive where;
    std::string host, port, quorum;
  };
  std::map<std::string, Monitor> monitors;
  std::vector<Directive> per_master;
  for (const Directive& d : in) {
    if (d.name.rfind("masters.", 0) != 0) {
      std::string name = config::Lower(d.name);
      if (IsPreMonitor(name)) {
        Directive s = d;
        s.name = "sentinel";
        s.args.insert(s.args.begin(), name);
        sentinel->push_back(std::move(s));
      } else {
        server->push_back(d);
      }
      continue;
    }
    size_t dot = d.name.rfind('.');
    if (dot <= 8) return Err(d, "expected [masters.<name>] tables, got '" + d.name + "'");
    std::string master = d.name.substr(8, dot - 8);
    std::string key = config::Lower(d.name.substr(dot + 1));
    Monitor& mon = monitors[master];
    if (mon.where.file.empty()) mon.where = d;
    if (key == "host" || key == "port" || key == "quorum") {
      if (d.args.size() != 1) return Err(d, "'" + key + "' takes one value");
      (key == "host" ? mon.host : key == "port" ? mon.port : mon.quorum) = d.args[0];
      continue;
    }
    if (key == "known-replicas" || key == "known-sentinels" || key == "config-epoch" ||
        key == "leader-epoch") {
      return Err(d, "'" + key + "' is state; it belongs in the state file");
    }
    if (d.args.size() == 1 && d.args[0].empty() && key == "rename-command") continue;  // []
    Directive s = d;
    s.name = "sentinel";
    s.args.insert(s.args.begin(), master);
    s.args.insert(s.args.begin(), key);
    per_master.push_back(std::move(s));
  }
  for (auto& [name, mon] : monitors) {
    if (mon.host.empty() || mon.port.empty()) {
      return Err(mon.where, "[masters." + name + "] needs host and port");
    }
    Directive s = mon.where;
    s.name = "sentinel";
    s.args = {"monitor", name, mon.host, mon.port, mon.quorum.empty() ? "2" : mon.quorum};
    sentinel->push_back(std::move(s));
  }
  for (auto& d : per_master) sentinel->push_back(std::move(d));
  return Status::Ok();
}

}  // namespace

MasterConfig DefaultMasterConfig(const std::string& name, const HostPort& addr, int quorum) {
  MasterConfig c;
  c.name = name;
  c.addr = addr;
  c.quorum = quorum;
  return c;
}

Status ApplySentinelDirectives(const std::vector<Directive>& directives, config::Syntax syntax,
                               SentinelConfig* out) {
  std::vector<Directive> server, sentinel;
  std::vector<Directive> toml_server, toml_sentinel;
  if (syntax == config::Syntax::kToml) {
    Status st = TranslateToml(directives, &toml_server, &toml_sentinel);
    if (!st.ok()) return st;
  }
  const std::vector<Directive>& src = syntax == config::Syntax::kToml ? toml_server : directives;
  for (const Directive& d : src) {
    if (config::Lower(d.name) == "sentinel") {
      if (d.args.empty() || (d.args.size() == 1 && d.args[0].empty())) continue;  // --sentinel
      sentinel.push_back(d);
      continue;
    }
    Status st = ApplyServerDirective(d, syntax, out);
    if (!st.ok()) return st;
  }
  for (auto& d : toml_sentinel) sentinel.push_back(std::move(d));
  return ApplySentinelLines(sentinel, out);
}

Result<SentinelConfig> LoadSentinelConfig(const std::string& path,
                                          const std::vector<Directive>& overrides) {
  SentinelConfig out;
  if (path.empty()) {
    return Status::Error("Sentinel needs config file on disk to save state. Exiting...");
  }
  auto file = config::LoadConfigFile(path);
  if (!file.ok()) return file.status();
  out.file = std::move(file).value();
  std::vector<Directive> all = out.file.directives;
  // Overrides: `--sentinel monitor ...` lines are sentinel directives in either syntax.
  std::vector<Directive> extra_sentinel;
  for (const Directive& d : overrides) {
    if (config::Lower(d.name) == "sentinel") {
      extra_sentinel.push_back(d);
    }
  }
  if (out.file.syntax == config::Syntax::kToml) {
    Status st = ApplySentinelDirectives(all, config::Syntax::kToml, &out);
    if (!st.ok()) return st;
    out.file_masters.clear();
    for (const auto& pm : out.state.masters) out.file_masters.push_back(pm.config);
    std::vector<Directive> rest;
    for (const Directive& d : overrides) rest.push_back(d);
    // Server overrides and extra sentinel lines, applied on top.
    SentinelConfig extra = out;
    extra.state = {};
    st = ApplySentinelDirectives(rest, config::Syntax::kRedisConf, &extra);
    if (!st.ok()) return st;
    out.settings = extra.settings;
    out.port_set = extra.port_set;
    for (auto& pm : extra.state.masters) out.state.masters.push_back(pm);
    return out;
  }
  for (const Directive& d : overrides) all.push_back(d);
  Status st = ApplySentinelDirectives(all, config::Syntax::kRedisConf, &out);
  if (!st.ok()) return st;
  return out;
}

}  // namespace vigil::sentinel
