#include "datanode/config/datanode_config.h"

#include <algorithm>
#include <map>

#include "common/base/process_title.h"

#include <unistd.h>

#include <cctype>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>

#include "common/resp/request_parser.h"
#include "datanode/config/keyspace_event_flags.h"
#include "datanode/service/latency_histogram.h"

namespace vigil::datanode {

using config::OptionRegistry;

namespace {

Status ParseObufLimit(const std::vector<std::string>& args, DatanodeConfig* c) {
  // Redis's texts and order: the count, then each group's class, then its three values; a bad
  // group leaves every group unchanged.
  if (args.size() % 4 != 0 || args.empty()) {
    return Status::Error("Wrong number of arguments in buffer limit configuration.");
  }
  OutputBufferLimit normal = c->obuf_normal, replica = c->obuf_replica, pubsub = c->obuf_pubsub;
  for (size_t i = 0; i < args.size(); i += 4) {
    const std::string cls = config::Lower(args[i]);
    OutputBufferLimit* target = cls == "normal"                      ? &normal
                                : cls == "slave" || cls == "replica" ? &replica
                                : cls == "pubsub"                    ? &pubsub
                                                                     : nullptr;
    if (target == nullptr) {
      return Status::Error("Invalid client class specified in buffer limit configuration.");
    }
    OutputBufferLimit lim;
    if (!config::ParseMemory(args[i + 1], &lim.hard_bytes) ||
        !config::ParseMemory(args[i + 2], &lim.soft_bytes) ||
        !config::ParseInt64(args[i + 3], &lim.soft_seconds) || lim.hard_bytes < 0 ||
        lim.soft_bytes < 0 || lim.soft_seconds < 0) {
      return Status::Error(
          "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    *target = lim;
  }
  c->obuf_normal = normal;
  c->obuf_replica = replica;
  c->obuf_pubsub = pubsub;
  return Status::Ok();
}

std::string RenderObuf(const DatanodeConfig& c) {
  auto one = [](const char* name, const OutputBufferLimit& l) {
    return std::string(name) + " " + std::to_string(l.hard_bytes) + " " +
           std::to_string(l.soft_bytes) + " " + std::to_string(l.soft_seconds);
  };
  return one("normal", c.obuf_normal) + " " + one("slave", c.obuf_replica) + " " +
         one("pubsub", c.obuf_pubsub);
}

void RegisterLatencyPercentiles(DatanodeConfig* c, OptionRegistry* r) {
  auto get = [c] {
    std::string out;
    for (double p : c->latency_tracking_info_percentiles) {
      out += (out.empty() ? "" : " ") + PercentileText(p);
    }
    return out;
  };
  r->AddCustom(
      {"latency-tracking-info-percentiles", OptionRegistry::kMultiArg,
       [c](const std::vector<std::string>& args) {
         std::vector<double> values;
         // A single empty argument means no percentiles at all.
         if (!(args.size() == 1 && args[0].empty())) {
           for (const auto& a : args) {
             char* end = nullptr;
             const double v = a.empty() || std::isspace(static_cast<unsigned char>(a[0]))
                                  ? std::nan("")
                                  : std::strtod(a.c_str(), &end);
             // A refused value leaves the old list, as Redis's CONFIG SET restores it.
             if (std::isnan(v) || end != a.c_str() + a.size()) {
               return Status::Error("Invalid latency-tracking-info-percentiles parameters");
             }
             if (v > 100.0 || v < 0.0) {
               return Status::Error(
                   "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
             }
             values.push_back(v);
           }
         }
         c->latency_tracking_info_percentiles = std::move(values);
         return Status::Ok();
       },
       get,
       [c, get]() -> std::vector<std::vector<std::string>> {
         // An empty list is written as "" so that the defaults do not come back.
         if (c->latency_tracking_info_percentiles.empty()) return {{""}};
         std::vector<std::string> line;
         for (double p : c->latency_tracking_info_percentiles) line.push_back(PercentileText(p));
         return {line};
       },
       ""});
}

void RegisterTyped(DatanodeConfig* c, OptionRegistry* r) {
  using F = OptionRegistry;
  // CONFIG SET port and bind re-listen (Server::ApplyTlsConfig, ApplyBind), as Redis's
  // changeListenPort and changeBindAddr.
  r->AddInt("port", &c->port, 0, 65535, 6379);
  r->AddCustom({"bind", F::kMultiArg,
                [c](const std::vector<std::string>& a) {
                  if (a.size() > 16) return Status::Error("Too many bind addresses specified.");
                  // `bind ""` (CONFIG SET or a rewritten file): no TCP address at all.
                  if (a.size() == 1 && a[0].empty()) {
                    c->bind.clear();
                  } else {
                    c->bind = a;
                  }
                  return Status::Ok();
                },
                [c] {
                  std::string s;
                  for (const auto& b : c->bind) s += (s.empty() ? "" : " ") + b;
                  return s;
                },
                [c] {
                  if (c->bind.empty()) return std::vector<std::vector<std::string>>{{""}};
                  return std::vector<std::vector<std::string>>{c->bind};
                },
                ""});
  r->AddBool("protected-mode", &c->protected_mode, true);
  r->AddString("requirepass", &c->requirepass, "", F::kSensitive);
  r->AddString("aclfile", &c->aclfile, "", F::kImmutable);
  r->AddInt("acllog-max-len", &c->acllog_max_len, 0, LONG_MAX, 128);
  r->AddInt("tracking-table-max-keys", &c->tracking_table_max_keys, 0, LONG_MAX, 1000000);
  r->AddEnum("acl-pubsub-default", &c->acl_pubsub_default, {"resetchannels", "allchannels"}, 0);
  r->AddInt("maxclients", &c->maxclients, 1, INT_MAX, 10000);
  r->AddInt("timeout", &c->timeout, 0, INT_MAX, 0);
  r->AddInt("tcp-keepalive", &c->tcp_keepalive, 0, INT_MAX, 300);
  r->AddInt("databases", &c->databases, 1, INT_MAX, 16, F::kImmutable);
  r->AddCustom({"dir", F::kProtected | F::kDenyLoading,
                [c](const std::vector<std::string>& a) {
                  if (a.size() != 1 || ::chdir(a[0].c_str()) != 0) {
                    return Status::Error(std::string("No such file or directory"));
                  }
                  char buf[PATH_MAX];
                  c->dir = ::getcwd(buf, sizeof(buf)) ? buf : a[0];
                  return Status::Ok();
                },
                [c] {
                  char buf[PATH_MAX];
                  return c->dir.empty() ? std::string(::getcwd(buf, sizeof(buf)) ? buf : ".")
                                        : c->dir;
                },
                nullptr, ""});
  r->AddString("dbfilename", &c->dbfilename, "dump.rdb", F::kProtected);
  r->AddString("logfile", &c->logfile, "", F::kImmutable);
  r->AddCustom({"loglevel", F::kNone,
                [c](const std::vector<std::string>& a) {
                  static const std::set<std::string> kLevels{"debug", "verbose", "notice",
                                                             "warning", "nothing"};
                  if (a.size() != 1 || !kLevels.count(config::Lower(a[0]))) {
                    return Status::Error(
                        "argument(s) must be one of the following: debug, verbose, notice, "
                        "warning, nothing");
                  }
                  c->loglevel = config::Lower(a[0]);
                  return Status::Ok();
                },
                [c] { return c->loglevel; }, nullptr, ""});
  r->AddBool("daemonize", &c->daemonize, false, F::kImmutable);
  r->AddBool("always-show-logo", &c->always_show_logo, false, F::kImmutable);
  r->AddBool("set-proc-title", &c->set_proc_title, true, F::kImmutable);
  // Redis's enum: "yes" means relative, and CONFIG GET shows the first name of a value.
  r->AddCustom({"oom-score-adj", F::kNone,
                [c](const std::vector<std::string>& a) {
                  static const std::map<std::string, int> kModes{
                      {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}};
                  auto it = a.size() == 1 ? kModes.find(config::Lower(a[0])) : kModes.end();
                  if (it == kModes.end()) {
                    return Status::Error(
                        "argument(s) must be one of the following: no, yes, relative, absolute");
                  }
                  c->oom_score_adj = it->second;
                  return Status::Ok();
                },
                [c] {
                  return std::string(c->oom_score_adj == 0   ? "no"
                                     : c->oom_score_adj == 1 ? "yes"
                                                             : "absolute");
                },
                nullptr, ""});
  r->AddCustom({"oom-score-adj-values", F::kMultiArg,
                [c](const std::vector<std::string>& a) {
                  // One argument on CONFIG SET ("0 200 800"), three words in a config file.
                  std::vector<std::string> words;
                  for (const std::string& arg : a) {
                    for (size_t i = 0; i < arg.size();) {
                      const size_t sp = std::min(arg.find(' ', i), arg.size());
                      if (sp > i) words.push_back(arg.substr(i, sp - i));
                      i = sp + 1;
                    }
                  }
                  if (words.size() != 3) return Status::Error("wrong number of arguments");
                  std::array<int, 3> v{};
                  for (size_t i = 0; i < 3; ++i) {
                    int64_t n = 0;
                    if (!config::ParseInt64(words[i], &n)) {
                      return Status::Error("Invalid oom-score-adj-values");
                    }
                    if (n < -2000 || n > 2000) {
                      return Status::Error(
                          "Invalid oom-score-adj-values, elements must be between -2000 and "
                          "2000.");
                    }
                    v[i] = int(n);
                  }
                  c->oom_score_adj_values = v;
                  return Status::Ok();
                },
                [c] {
                  const auto& v = c->oom_score_adj_values;
                  return std::to_string(v[0]) + " " + std::to_string(v[1]) + " " +
                         std::to_string(v[2]);
                },
                nullptr, ""});
  // Client eviction is not implemented; the value is checked and kept as Redis shows it: bytes,
  // or a percentage of maxmemory ("10%", at most 100).
  {
    std::string* field = &c->passive["maxmemory-clients"];
    *field = "0";
    r->AddCustom({"maxmemory-clients", F::kNone,
                  [field](const std::vector<std::string>& a) {
                    if (a.size() != 1) return Status::Error("wrong number of arguments");
                    const std::string& v = a[0];
                    int64_t n = 0;
                    if (!v.empty() && v.back() == '%') {
                      if (!config::ParseInt64(v.substr(0, v.size() - 1), &n) || n < 0) {
                        return Status::Error("argument must be a memory or percent value");
                      }
                      if (n > 100) {
                        return Status::Error("percentage argument must be less or equal to 100");
                      }
                      *field = std::to_string(n) + "%";
                      return Status::Ok();
                    }
                    if (!config::ParseMemory(v, &n) || (!v.empty() && v[0] == '-')) {
                      return Status::Error("argument must be a memory or percent value");
                    }
                    *field = std::to_string(n);
                    return Status::Ok();
                  },
                  [field] { return *field; }, nullptr, ""});
  }
  // Kept as text (the shutdown code reads the words); set as Redis's multi-value enum: any of
  // the flags, shown in Redis's order, "default" for none.
  for (const char* name : {"shutdown-on-sigint", "shutdown-on-sigterm"}) {
    std::string* field = &c->passive[name];
    *field = "default";
    r->AddCustom({name, F::kMultiArg,
                  [field](const std::vector<std::string>& a) {
                    static const char* kFlags[] = {"default", "save", "nosave", "now", "force"};
                    const Status refused = Status::Error(
                        "argument(s) must be one of the following: default, save, nosave, now, "
                        "force");
                    if (a.empty()) return refused;
                    bool on[std::size(kFlags)] = {};
                    for (const std::string& w : a) {
                      size_t i = 0;
                      while (i < std::size(kFlags) && config::Lower(w) != kFlags[i]) ++i;
                      if (i == std::size(kFlags)) return refused;
                      on[i] = true;
                    }
                    std::string v;
                    for (size_t i = 1; i < std::size(kFlags); ++i) {
                      if (on[i]) v += (v.empty() ? "" : " ") + std::string(kFlags[i]);
                    }
                    *field = v.empty() ? "default" : v;
                    return Status::Ok();
                  },
                  [field] { return *field; }, nullptr, ""});
  }
  r->AddCustom({"proc-title-template", F::kNone,
                [c](const std::vector<std::string>& a) {
                  // Redis's validateProcTitleTemplate: known variables only, and not empty
                  // once expanded with an empty title (the variables that always have a
                  // value stand for themselves).
                  auto probe = [](const std::string& name) -> std::optional<std::string> {
                    if (name == "title" || name == "server-mode" || name == "unixsocket") {
                      return std::string();
                    }
                    if (name == "listen-addr" || name == "config-file" || name == "port" ||
                        name == "tls-port") {
                      return name;
                    }
                    return std::nullopt;
                  };
                  const std::string value = a.empty() ? "" : a[0];
                  std::optional<std::string> title = ExpandProcTitleTemplate(value, probe);
                  if (a.size() != 1 || !title || title->empty()) {
                    return Status::Error(
                        "template format is invalid or contains unknown variables");
                  }
                  c->proc_title_template = value;
                  return Status::Ok();
                },
                [c] { return c->proc_title_template; }, nullptr, ""});
  r->AddString("pidfile", &c->pidfile, "", F::kImmutable);
  r->AddString("unixsocket", &c->unixsocket, "", F::kImmutable);
  // Octal, as in Redis (unixsocketperm 700).
  r->AddCustom({"unixsocketperm", F::kImmutable,
                [c](const std::vector<std::string>& a) {
                  char* end = nullptr;
                  const long v = std::strtol(a[0].c_str(), &end, 8);
                  if (a[0].empty() || *end != '\0' || v < 0 || v > 0777) {
                    return Status::Error("argument must be an octal number between 0 and 777");
                  }
                  c->unixsocketperm = int(v);
                  return Status::Ok();
                },
                [c] {
                  char buf[8];
                  std::snprintf(buf, sizeof(buf), "%o", unsigned(c->unixsocketperm));
                  return std::string(buf);
                },
                nullptr, ""});
  r->AddInt("hz", &c->hz, 1, 500, 10);
  r->AddEnum("enable-debug-command", &c->enable_debug_command, {"no", "yes", "local"}, 0,
             F::kImmutable);
  r->AddEnum("enable-module-command", &c->enable_module_command, {"no", "yes", "local"}, 0,
             F::kImmutable);
  r->AddEnum("enable-protected-configs", &c->enable_protected_configs, {"no", "yes", "local"}, 0,
             F::kImmutable);
  r->AddInt("maxmemory", &c->maxmemory, 0, LLONG_MAX, 0, F::kMemory);
  r->AddEnum(
      "maxmemory-policy", &c->maxmemory_policy,
      std::vector<std::string>(std::begin(kEvictionPolicyNames), std::end(kEvictionPolicyNames)),
      7);
  r->AddInt("maxmemory-samples", &c->maxmemory_samples, 1, 64, 5);
  r->AddInt("lfu-log-factor", &c->lfu_log_factor, 0, INT_MAX, 10);
  r->AddInt("lfu-decay-time", &c->lfu_decay_time, 0, INT_MAX, 1);
  r->AddBool("lazyfree-lazy-eviction", &c->lazyfree_lazy_eviction, false);
  r->AddBool("lazyfree-lazy-expire", &c->lazyfree_lazy_expire, false);
  r->AddBool("lazyfree-lazy-server-del", &c->lazyfree_lazy_server_del, false);
  r->AddBool("lazyfree-lazy-user-del", &c->lazyfree_lazy_user_del, false);
  r->AddBool("lazyfree-lazy-user-flush", &c->lazyfree_lazy_user_flush, false);
  r->AddBool("replica-lazy-flush", &c->replica_lazy_flush, false);
  r->AddInt("proto-max-bulk-len", &c->proto_max_bulk_len, 1024 * 1024, LLONG_MAX, 512LL << 20,
            F::kMemory);
  r->AddInt("client-query-buffer-limit", &c->client_query_buffer_limit, 1024 * 1024, LLONG_MAX,
            1LL << 30, F::kMemory);
  r->AddCustom({"client-output-buffer-limit", F::kMultiArg,
                [c](const std::vector<std::string>& a) { return ParseObufLimit(a, c); },
                [c] { return RenderObuf(*c); }, nullptr, ""});
  r->AddInt("hash-max-listpack-entries", &c->hash_max_listpack_entries, 0, LLONG_MAX, 512);
  r->AddInt("hash-max-listpack-value", &c->hash_max_listpack_value, 0, LLONG_MAX, 64);
  r->AddInt("set-max-intset-entries", &c->set_max_intset_entries, 0, LLONG_MAX, 512);
  r->AddInt("zset-max-listpack-entries", &c->zset_max_listpack_entries, 0, LLONG_MAX, 128);
  r->AddInt("zset-max-listpack-value", &c->zset_max_listpack_value, 0, LLONG_MAX, 64);
  r->AddInt("list-max-listpack-size", &c->list_max_listpack_size, INT_MIN, INT_MAX, -2);
  r->AddInt("list-compress-depth", &c->list_compress_depth, 0, INT_MAX, 0);
  r->AddInt("stream-node-max-bytes", &c->stream_node_max_bytes, 0, LLONG_MAX, 4096);
  r->AddInt("stream-node-max-entries", &c->stream_node_max_entries, 0, LLONG_MAX, 100);
  r->AddInt("hll-sparse-max-bytes", &c->hll_sparse_max_bytes, 0, LONG_MAX, 3000, F::kMemory);
  // As in Redis 7.0: in a file, the first save line replaces the defaults and later lines add
  // to it; CONFIG SET replaces the whole list.
  auto save_loaded = std::make_shared<bool>(false);
  r->AddCustom({"save", F::kMultiArg,
                [c, r, save_loaded](const std::vector<std::string>& args) {
                  // `--save "900 1 300 10"` arrives as one word: split it, as Redis does.
                  std::vector<std::string> a;
                  for (const auto& word : args) {
                    std::istringstream in(word);
                    for (std::string part; in >> part;) a.push_back(part);
                  }
                  if (a.empty()) a.emplace_back();
                  std::vector<SavePoint> pts;
                  bool append = r->reading_file() && *save_loaded;
                  if (r->reading_file()) *save_loaded = true;
                  if (a.size() == 1 && a[0].empty()) {
                    c->save.clear();
                    return Status::Ok();
                  }
                  if (a.size() % 2 != 0) return Status::Error("Invalid save parameters");
                  for (size_t i = 0; i < a.size(); i += 2) {
                    SavePoint p;
                    if (!config::ParseInt64(a[i], &p.seconds) ||
                        !config::ParseInt64(a[i + 1], &p.changes) || p.seconds < 1 ||
                        p.changes < 0) {
                      return Status::Error("Invalid save parameters");
                    }
                    pts.push_back(p);
                  }
                  if (!append) c->save.clear();
                  c->save.insert(c->save.end(), pts.begin(), pts.end());
                  return Status::Ok();
                },
                [c] {
                  std::string s;
                  for (const auto& p : c->save) {
                    s += (s.empty() ? "" : " ") + std::to_string(p.seconds) + " " +
                         std::to_string(p.changes);
                  }
                  return s;
                },
                [c] {
                  std::vector<std::vector<std::string>> lines;
                  if (c->save.empty()) lines.push_back({""});
                  for (const auto& p : c->save) {
                    lines.push_back({std::to_string(p.seconds), std::to_string(p.changes)});
                  }
                  return lines;
                },
                ""});
  r->AddBool("appendonly", &c->appendonly, false, F::kDenyLoading);
  r->AddEnum("appendfsync", &c->appendfsync, {"always", "everysec", "no"}, 1);
  r->AddString("appendfilename", &c->appendfilename, "appendonly.aof", F::kImmutable);
  r->AddString("appenddirname", &c->appenddirname, "appendonlydir", F::kImmutable);
  r->AddInt("auto-aof-rewrite-percentage", &c->auto_aof_rewrite_percentage, 0, INT_MAX, 100);
  r->AddInt("auto-aof-rewrite-min-size", &c->auto_aof_rewrite_min_size, 0, LLONG_MAX, 64LL << 20,
            F::kMemory);
  r->AddBool("aof-load-truncated", &c->aof_load_truncated, true);
  r->AddBool("aof-use-rdb-preamble", &c->aof_use_rdb_preamble, true);
  r->AddBool("aof-timestamp-enabled", &c->aof_timestamp_enabled, false);
  r->AddString("bind-source-addr", &c->bind_source_addr, "");
  r->AddInt("key-load-delay", &c->key_load_delay, INT_MIN, INT_MAX, 0, F::kHidden);
  r->AddInt("rdb-key-save-delay", &c->rdb_key_save_delay, INT_MIN, INT_MAX, 0, F::kHidden);
  r->AddInt("loading-process-events-interval-bytes", &c->loading_process_events_interval_bytes,
            1024, INT_MAX, 2LL << 20);
  r->AddBool("rdbcompression", &c->rdbcompression, true);
  r->AddBool("rdbchecksum", &c->rdbchecksum, true, F::kImmutable);
  r->AddBool("stop-writes-on-bgsave-error", &c->stop_writes_on_bgsave_error, true);
  r->AddCustom({"replicaof", F::kMultiArg,
                [c](const std::vector<std::string>& a) {
                  if (a.size() == 1 && a[0].empty()) {
                    c->replicaof_host.clear();
                    return Status::Ok();
                  }
                  if (a.size() == 2 && config::Lower(a[0]) == "no" &&
                      config::Lower(a[1]) == "one") {
                    c->replicaof_host.clear();
                    return Status::Ok();
                  }
                  if (a.size() != 2) return Status::Error("wrong number of arguments");
                  int64_t port = 0;
                  if (!config::ParseInt64(a[1], &port) || port < 0 || port > 65535) {
                    return Status::Error("Invalid master port");
                  }
                  c->replicaof_host = a[0];
                  c->replicaof_port = port;
                  return Status::Ok();
                },
                [c] {
                  return c->replicaof_host.empty()
                             ? std::string()
                             : c->replicaof_host + " " + std::to_string(c->replicaof_port);
                },
                [c] {
                  if (c->replicaof_host.empty()) return std::vector<std::vector<std::string>>{};
                  return std::vector<std::vector<std::string>>{
                      {c->replicaof_host, std::to_string(c->replicaof_port)}};
                },
                ""});
  r->AddBool("replica-read-only", &c->replica_read_only, true);
  r->AddBool("replica-serve-stale-data", &c->replica_serve_stale_data, true);
  r->AddInt("replica-priority", &c->replica_priority, 0, INT_MAX, 100);
  r->AddBool("replica-announced", &c->replica_announced, true);
  r->AddString("replica-announce-ip", &c->replica_announce_ip, "");
  r->AddInt("replica-announce-port", &c->replica_announce_port, 0, 65535, 0);
  r->AddString("masterauth", &c->masterauth, "", F::kSensitive);
  r->AddString("masteruser", &c->masteruser, "");
  r->AddInt("repl-backlog-size", &c->repl_backlog_size, 1, LLONG_MAX, 1LL << 20, F::kMemory);
  r->AddInt("repl-backlog-ttl", &c->repl_backlog_ttl, 0, INT_MAX, 3600);
  r->AddInt("repl-timeout", &c->repl_timeout, 1, INT_MAX, 60);
  r->AddInt("repl-ping-replica-period", &c->repl_ping_replica_period, 1, INT_MAX, 10);
  r->AddBool("repl-diskless-sync", &c->repl_diskless_sync, true);
  r->AddInt("repl-diskless-sync-delay", &c->repl_diskless_sync_delay, 0, INT_MAX, 5);
  r->AddEnum("repl-diskless-load", &c->repl_diskless_load, {"disabled", "on-empty-db", "swapdb"}, 0,
             F::kDenyLoading);
  r->AddInt("shutdown-timeout", &c->shutdown_timeout, 0, INT_MAX, 10);
  r->AddInt("min-replicas-to-write", &c->min_replicas_to_write, 0, INT_MAX, 0);
  r->AddInt("min-replicas-max-lag", &c->min_replicas_max_lag, 0, INT_MAX, 10);
  r->AddInt("sentinel-fence-timeout", &c->sentinel_fence_timeout, 0, INT_MAX, 0);
  r->AddBool("sentinel-shutdown-handoff", &c->sentinel_shutdown_handoff, false);
  r->AddInt("repl-tcp-user-timeout", &c->repl_tcp_user_timeout, 0, INT_MAX, 5000);
  r->AddInt("slowlog-log-slower-than", &c->slowlog_log_slower_than, -1, LLONG_MAX, 10000);
  r->AddInt("slowlog-max-len", &c->slowlog_max_len, 0, LONG_MAX, 128);
  r->AddInt("busy-reply-threshold", &c->busy_reply_threshold, 0, LONG_MAX, 5000);
  r->AddInt("latency-monitor-threshold", &c->latency_monitor_threshold, 0, LLONG_MAX, 0);
  r->AddBool("latency-tracking", &c->latency_tracking, true);
  RegisterLatencyPercentiles(c, r);
  r->AddCustom({"notify-keyspace-events", F::kNone,
                [c](const std::vector<std::string>& a) {
                  if (a.size() != 1) return Status::Error("wrong number of arguments");
                  const int flags = notify::ParseFlags(a[0]);
                  if (flags < 0) {
                    return Status::Error("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
                  }
                  c->notify_keyspace_events = flags;
                  return Status::Ok();
                },
                [c] { return notify::FlagsToString(c->notify_keyspace_events); }, nullptr, ""});
}

// Redis 7.0's tls-* directives. The file names are Redis's VOLATILE_CONFIG: CONFIG SET of the
// same name reloads the files (a renewed certificate), which the shell does on every set.
void RegisterTls(DatanodeConfig* c, OptionRegistry* r) {
  using F = OptionRegistry;
  r->AddInt("tls-port", &c->tls_port, 0, 65535, 0);
  r->AddEnum("tls-auth-clients", &c->tls_auth_clients, {"no", "yes", "optional"}, 1);
  r->AddBool("tls-replication", &c->tls_replication, false);
  r->AddBool("tls-cluster", &c->tls_cluster, false);
  r->AddString("tls-cert-file", &c->tls_cert_file, "");
  r->AddString("tls-key-file", &c->tls_key_file, "");
  r->AddString("tls-key-file-pass", &c->tls_key_file_pass, "", F::kSensitive);
  r->AddString("tls-client-cert-file", &c->tls_client_cert_file, "");
  r->AddString("tls-client-key-file", &c->tls_client_key_file, "");
  r->AddString("tls-client-key-file-pass", &c->tls_client_key_file_pass, "", F::kSensitive);
  r->AddString("tls-dh-params-file", &c->tls_dh_params_file, "");
  r->AddString("tls-ca-cert-file", &c->tls_ca_cert_file, "");
  r->AddString("tls-ca-cert-dir", &c->tls_ca_cert_dir, "");
  r->AddString("tls-protocols", &c->tls_protocols, "");
  r->AddString("tls-ciphers", &c->tls_ciphers, "");
  r->AddString("tls-ciphersuites", &c->tls_ciphersuites, "");
  r->AddBool("tls-prefer-server-ciphers", &c->tls_prefer_server_ciphers, false);
  r->AddBool("tls-session-caching", &c->tls_session_caching, true);
  r->AddInt("tls-session-cache-size", &c->tls_session_cache_size, 0, INT_MAX, 20 * 1024);
  r->AddInt("tls-session-cache-timeout", &c->tls_session_cache_timeout, 0, INT_MAX, 300);
}

}  // namespace

bool IsTlsContextOption(const std::string& name) {
  // tls-port and tls-auth-clients are not here: a port change opens a listener (and builds the
  // context only if none exists), the client mode applies to the next accepted connection.
  return name.rfind("tls-", 0) == 0 && name != "tls-port" && name != "tls-auth-clients";
}

void RegisterDatanodeOptions(DatanodeConfig* c, OptionRegistry* r) {
  RegisterTyped(c, r);
  RegisterTls(c, r);
  // Everything else Redis 7.0 knows is accepted and kept as text.
  auto passive = [c, r](const char* name, const char* def) {
    if (r->Find(name) != nullptr) return;
    c->passive[name] = def;
    std::string* field = &c->passive[name];
    bool multi = std::string(def).find(' ') != std::string::npos;
    // Redis's hidden configs (test knobs): CONFIG GET shows them only when named exactly.
    const std::string n = name;
    const bool hidden = n == "use-exit-on-panic" || n == "watchdog-period" ||
                        n == "loading-process-events-interval-bytes";
    r->AddCustom({name,
                  (multi ? OptionRegistry::kMultiArg : OptionRegistry::kNone) |
                      (hidden ? OptionRegistry::kHidden : OptionRegistry::kNone),
                  [field](const std::vector<std::string>& a) {
                    std::string v;
                    for (const auto& s : a) v += (v.empty() ? "" : " ") + s;
                    *field = v;
                    return Status::Ok();
                  },
                  [field] { return *field; }, nullptr, ""});
  };
#define VIGIL_REDIS_DIRECTIVE(name, def) passive(name, def);
#define VIGIL_REDIS_ALIAS(alias, name) r->AddAlias(alias, name);
#include "common/config/redis_directives.inc"
  // Hidden in Redis (CONFIG GET * omits them) but set by its test suite's configs.
  passive("use-exit-on-panic", "no");
  passive("watchdog-period", "0");
#undef VIGIL_REDIS_DIRECTIVE
#undef VIGIL_REDIS_ALIAS
}

}  // namespace vigil::datanode
