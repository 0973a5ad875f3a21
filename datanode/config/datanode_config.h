#pragma once
// The data node's configuration: one struct, filled from a redis.conf or TOML file and
// `--name value` overrides, read and changed at run time by CONFIG GET/SET, written back by
// CONFIG REWRITE. Names are Redis 7.0's directive names; defaults are Redis 7.0's.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config_file.h"
#include "common/config/option_registry.h"

namespace vigil::datanode {

struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
};

struct OutputBufferLimit {
  int64_t hard_bytes = 0;
  int64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

struct DatanodeConfig {
  int64_t port = 6379;
  // oom-score-adj: 0 no, 1 relative ("yes"), 2 absolute; the values per class: master,
  // replica, fork child.
  int oom_score_adj = 0;
  std::array<int, 3> oom_score_adj_values{0, 200, 800};
  std::vector<std::string> bind{"*", "-::*"};
  bool protected_mode = true;
  std::string requirepass;
  std::string aclfile;
  int64_t acllog_max_len = 128;
  int64_t tracking_table_max_keys = 1000000;
  int enable_protected_configs = 0;  // CONFIG SET of dir/dbfilename: 0 no, 1 yes, 2 local  //
                                     // client-side caching's key table; 0: no limit
  int acl_pubsub_default = 0;        // 0 resetchannels, 1 allchannels
  // `user` lines of the configuration file, applied by the ACL store at start-up.
  std::vector<config::Directive> user_lines;
  // `rename-command <name> <new-name or "">` lines, applied to the command table at start-up.
  std::vector<config::Directive> rename_lines;
  int64_t maxclients = 10000;
  int64_t timeout = 0;
  int64_t tcp_keepalive = 300;
  int64_t databases = 16;
  std::string dir;  // set by chdir; CONFIG GET dir reports the working directory
  std::string dbfilename = "dump.rdb";
  std::string logfile;
  std::string loglevel = "notice";
  bool always_show_logo = false;  // the ASCII logo even when stdout is not a terminal
  bool set_proc_title = true;     // show proc_title_template as the process title
  std::string proc_title_template = "{title} {listen-addr} {server-mode}";
  bool daemonize = false;
  std::string pidfile;
  std::string unixsocket;  // also listen on this AF_UNIX path
  int unixsocketperm = 0;  // its mode; 0 keeps the umask's
  int64_t hz = 10;
  int enable_debug_command = 0;   // 0 no, 1 yes, 2 local
  int enable_module_command = 0;  // 0 no, 1 yes, 2 local
  int64_t maxmemory = 0;
  int maxmemory_policy = 0;  // index into kEvictionPolicyNames
  int64_t maxmemory_samples = 5;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
  // Which removals may free large values on the background thread (DESIGN.md, "Lazy freeing").
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;    // DEL acts as UNLINK
  bool lazyfree_lazy_user_flush = false;  // FLUSH* without a mode act as ASYNC
  bool replica_lazy_flush = false;        // a replica's dataset replaced by a full sync
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1LL << 30;
  OutputBufferLimit obuf_normal{0, 0, 0};
  OutputBufferLimit obuf_replica{256LL << 20, 64LL << 20, 60};
  OutputBufferLimit obuf_pubsub{32LL << 20, 8LL << 20, 60};
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  int64_t hll_sparse_max_bytes = 3000;  // a sparse HLL growing past this turns dense
  std::vector<SavePoint> save{{3600, 1}, {300, 100}, {60, 10000}};
  bool appendonly = false;
  int appendfsync = 1;  // always, everysec, no
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL << 20;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;  // #TS:<unix seconds> annotations in the AOF
  std::string bind_source_addr;        // source address of the replica's link to its master
  int64_t key_load_delay = 0;          // microseconds per loaded command/key (tests)
  int64_t rdb_key_save_delay = 0;      // microseconds per key a fork child writes (tests)
  int64_t loading_process_events_interval_bytes = 2LL << 20;
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  std::string replicaof_host;  // "" = master
  int64_t replicaof_port = 0;
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  int64_t replica_priority = 100;
  bool replica_announced = true;
  std::string replica_announce_ip;
  int64_t replica_announce_port = 0;
  std::string masterauth;
  std::string masteruser;
  int64_t repl_backlog_size = 1LL << 20;
  int64_t repl_backlog_ttl = 3600;
  int64_t repl_timeout = 60;
  int64_t repl_ping_replica_period = 10;
  bool repl_diskless_sync = true;
  int64_t repl_diskless_sync_delay = 5;
  int repl_diskless_load = 0;     // ReplDisklessLoad
  int64_t shutdown_timeout = 10;  // seconds a master waits for its replicas on SHUTDOWN
  int64_t min_replicas_to_write = 0;
  int64_t min_replicas_max_lag = 10;
  // Vigil: a master refuses writes when fewer than a majority of its sentinels reached it within
  // this many ms (0 = off, as Redis). See datanode/DESIGN.md "Fencing".
  int64_t sentinel_fence_timeout = 0;
  // Vigil: a master monitored by sentinels hands its role to a replica before it shuts down
  // (replication/DESIGN.md, "Handoff on shutdown"). Off by default: it adds an election and a
  // promotion to the shutdown, so a shutdown can take longer than Redis's.
  bool sentinel_shutdown_handoff = false;
  // Vigil: TCP_USER_TIMEOUT (ms) on replication sockets, both ends, so a link silently cut by
  // the network fails fast and is re-dialled instead of waiting for TCP's backed-off
  // retransmissions (seconds after a heal). 0 = kernel default, as Redis. See DESIGN.md.
  int64_t repl_tcp_user_timeout = 5000;
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  int64_t busy_reply_threshold = 5000;    // ms; lua-time-limit is its old name
  int64_t latency_monitor_threshold = 0;  // ms; 0 = the latency monitor is off
  bool latency_tracking = true;           // per-command histograms (INFO latencystats)
  std::vector<double> latency_tracking_info_percentiles{50.0, 99.0, 99.9};
  int notify_keyspace_events = 0;  // notify:: class flags
  // TLS (datanode/DESIGN.md "TLS"). The files and ciphers go to net::TlsSettings.
  int64_t tls_port = 0;
  int tls_auth_clients = 1;  // net::TlsAuthClients: no, yes, optional
  bool tls_replication = false;
  bool tls_cluster = false;  // accepted; there is no cluster bus
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_key_file_pass;
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  std::string tls_client_key_file_pass;
  std::string tls_dh_params_file;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  std::string tls_protocols;
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;
  int64_t tls_session_cache_size = 20 * 1024;
  int64_t tls_session_cache_timeout = 300;
  // TLS is configured (a context must load) when any of these is on, as in Redis.
  bool tls_wanted() const { return tls_port != 0 || tls_replication || tls_cluster; }

  // Directives Redis knows that Vigil keeps as text (no behaviour behind them yet).
  std::map<std::string, std::string> passive;
};

// repl-diskless-load, in the config's value order.
enum class ReplDisklessLoad { kDisabled = 0, kOnEmptyDb = 1, kSwapdb = 2 };

inline constexpr const char* kEvictionPolicyNames[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction"};

// True for the directives whose change rebuilds the TLS context (Redis's applyTlsCfg).
bool IsTlsContextOption(const std::string& name);

// Binds every directive to `config` in `registry`. Call once, before loading.
void RegisterDatanodeOptions(DatanodeConfig* config, config::OptionRegistry* registry);

// Loads `path` (if not empty) then applies the command-line directives. Errors name the file
// and line (or "command line"). `user` lines go to config->user_lines.
Status LoadDatanodeConfig(const std::string& path, const std::vector<config::Directive>& overrides,
                          config::OptionRegistry* registry, config::ConfigFile* file_out,
                          DatanodeConfig* config = nullptr);

}  // namespace vigil::datanode
