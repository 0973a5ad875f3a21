// INFO: Redis 7.0's sections, field names and order (docs/datanode-protocol.md, "INFO and ROLE").
#include <sys/utsname.h>

#include <cstdio>
#include <set>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/replication/replication_control.h"
#include "datanode/service/service.h"
#include "vigil/version.h"

namespace vigil::datanode {
namespace {

class InfoBuilder {
 public:
  void Section(const char* name) {
    if (!out_.empty()) out_ += "\r\n";
    out_ += "# ";
    out_ += name;
    out_ += "\r\n";
  }
  void Field(const std::string& name, const std::string& value) {
    out_ += name + ":" + value + "\r\n";
  }
  void Field(const std::string& name, int64_t value) { Field(name, std::to_string(value)); }
  void FieldF(const std::string& name, double v, const char* fmt = "%.2f") {
    char buf[64];
    std::snprintf(buf, sizeof(buf), fmt, v);
    Field(name, std::string(buf));
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

std::string Human(int64_t bytes) {
  char buf[64];
  double d = double(bytes);
  if (bytes < 1024)
    std::snprintf(buf, sizeof(buf), "%lldB", static_cast<long long>(bytes));
  else if (bytes < (1LL << 20))
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (bytes < (1LL << 30))
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1 << 20));
  else
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1LL << 30));
  return buf;
}

void ServerSection(InfoBuilder& b, Service& svc, const ProcessInfo& p, int64_t now_ms) {
  utsname u{};
  uname(&u);
  b.Section("Server");
  b.Field("redis_version", kRedisCompatVersion);
  b.Field("redis_git_sha1", "00000000");
  b.Field("redis_git_dirty", 0);
  b.Field("redis_build_id", "0");
  b.Field("redis_mode", "standalone");
  b.Field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  b.Field("arch_bits", 64);
  b.Field("monotonic_clock", "POSIX clock_gettime");
  b.Field("multiplexing_api", "epoll");
  b.Field("atomicvar_api", "c11-builtin");
  b.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  b.Field("process_id", p.pid);
  b.Field("process_supervised", "no");
  b.Field("run_id", svc.run_id());
  b.Field("tcp_port", p.tcp_port);
  b.Field("server_time_usec", now_ms * 1000);
  b.Field("uptime_in_seconds", p.uptime_seconds);
  b.Field("uptime_in_days", p.uptime_seconds / 86400);
  b.Field("hz", svc.config().hz);
  b.Field("configured_hz", svc.config().hz);
  b.Field("lru_clock", int64_t(Keyspace::LruClock(now_ms)));
  b.Field("executable", p.executable);
  b.Field("config_file", p.config_file);
  b.Field("io_threads_active", 0);
  if (p.shutdown_in_ms >= 0) b.Field("shutdown_in_milliseconds", p.shutdown_in_ms);
  b.Field("vigil_version", kVersion);
}

void ClientsSection(InfoBuilder& b, Service& svc) {
  b.Section("Clients");
  b.Field("connected_clients", int64_t(svc.sessions().size()));
  b.Field("cluster_connections", 0);
  b.Field("maxclients", svc.config().maxclients);
  b.Field("client_recent_max_input_buffer", svc.stats().client_recent_max_input_buffer);
  b.Field("client_recent_max_output_buffer", svc.stats().client_recent_max_output_buffer);
  // Requests held by a client pause count as blocked, as Redis's BLOCKED_POSTPONE clients.
  b.Field("blocked_clients", int64_t(svc.waiters().blocked_count() + svc.postponed_count()));
  b.Field("tracking_clients", int64_t(svc.tracking_clients()));
  b.Field("clients_in_timeout_table", int64_t(svc.waiters().blocked_count()));
}

void MemorySection(InfoBuilder& b, Service& svc, const ProcessInfo& p) {
  int64_t used = svc.used_memory();
  int64_t peak = std::max(p.peak_used_memory, used);
  b.Section("Memory");
  b.Field("used_memory", used);
  b.Field("used_memory_human", Human(used));
  b.Field("used_memory_rss", p.rss_bytes);
  b.Field("used_memory_rss_human", Human(p.rss_bytes));
  b.Field("used_memory_peak", peak);
  b.Field("used_memory_peak_human", Human(peak));
  b.FieldF("used_memory_peak_perc", peak > 0 ? 100.0 * double(used) / double(peak) : 100.0,
           "%.2f%%");
  b.Field("used_memory_overhead", p.startup_used_memory);
  b.Field("used_memory_startup", p.startup_used_memory);
  b.Field("used_memory_dataset", std::max<int64_t>(0, used - p.startup_used_memory));
  b.Field("allocator_allocated", used);
  b.Field("allocator_active", used);
  b.Field("allocator_resident", p.rss_bytes);
  b.Field("total_system_memory", p.total_system_memory);
  b.Field("total_system_memory_human", Human(p.total_system_memory));
  {
    ScriptEngine& eng = svc.scripting();
    const int64_t vm = int64_t(eng.lua_memory());
    const int64_t scripts = int64_t(eng.scripts_memory());
    b.Field("used_memory_lua", vm);
    b.Field("used_memory_vm_eval", vm);
    b.Field("used_memory_lua_human", Human(vm));
    b.Field("used_memory_scripts_eval", scripts);
    b.Field("number_of_cached_scripts", int64_t(eng.script_count()));
    const FunctionStore& fns = svc.functions();
    const int64_t fvm = int64_t(fns.lua_memory());
    const int64_t fcaches = int64_t(fns.overhead_memory());
    b.Field("number_of_functions", int64_t(fns.function_count()));
    b.Field("number_of_libraries", int64_t(fns.library_count()));
    b.Field("used_memory_vm_functions", fvm);
    b.Field("used_memory_vm_total", vm + fvm);
    b.Field("used_memory_vm_total_human", Human(vm + fvm));
    b.Field("used_memory_functions", fcaches);
    b.Field("used_memory_scripts", scripts + fcaches);
    b.Field("used_memory_scripts_human", Human(scripts + fcaches));
  }
  b.Field("maxmemory", svc.config().maxmemory);
  b.Field("maxmemory_human", Human(svc.config().maxmemory));
  b.Field("maxmemory_policy", kEvictionPolicyNames[svc.config().maxmemory_policy]);
  b.FieldF("mem_fragmentation_ratio", used > 0 ? double(p.rss_bytes) / double(used) : 0);
  b.Field("mem_fragmentation_bytes", p.rss_bytes - used);
  // Replica output and the backlog are separate buffers here (Redis 7.0 shares one between
  // them), so the total is their sum.
  const int64_t replica_out = svc.ReplicaOutputBytes();
  int64_t backlog = 0;
  if (ReplicationControl* r = svc.replication()) backlog = r->Info().backlog_histlen;
  b.Field("mem_not_counted_for_evict", replica_out);
  b.Field("mem_replication_backlog", backlog);
  b.Field("mem_total_replication_buffers", backlog + replica_out);
  b.Field("mem_clients_slaves", replica_out);
  b.Field("mem_clients_normal", 0);
  b.Field("mem_aof_buffer", 0);
  b.Field("mem_allocator", "libc");
  b.Field("active_defrag_running", 0);
  const LazyFreer* freer = svc.keyspace().lazy_free().freer;
  b.Field("lazyfree_pending_objects", freer != nullptr ? int64_t(freer->pending()) : 0);
  b.Field("lazyfreed_objects", freer != nullptr ? int64_t(freer->freed()) : 0);
}

void PersistenceSection(InfoBuilder& b, Service& svc) {
  b.Section("Persistence");
  b.Field("loading", svc.loading() ? 1 : 0);
  b.Field("async_loading", 0);
  const ForkStatus& fork = svc.fork;
  b.Field("current_cow_peak", fork.current_cow_peak);
  b.Field("current_cow_size", fork.current_cow_bytes);
  b.Field("current_cow_size_age",
          fork.current_cow_updated_ms > 0
              ? std::max<int64_t>(0, svc.now_ms() - fork.current_cow_updated_ms) / 1000
              : 0);
  // Redis's fork_perc: the share of the keys the child has written so far.
  const double fork_perc =
      fork.current_save_keys_total > 0
          ? double(fork.current_save_keys_processed) * 100.0 / double(fork.current_save_keys_total)
          : 0.0;
  b.FieldF("current_fork_perc", fork_perc);
  b.Field("current_save_keys_processed", fork.current_save_keys_processed);
  b.Field("current_save_keys_total", fork.current_save_keys_total);
  const RdbStatus& rdb = svc.rdb;
  b.Field("rdb_changes_since_last_save", svc.dirty());
  // Any RDB child counts, a replication snapshot too (Redis: child_type == CHILD_TYPE_RDB).
  b.Field("rdb_bgsave_in_progress", fork.rdb_child_active ? 1 : 0);
  b.Field("rdb_last_save_time", svc.last_save_unix_s);
  b.Field("rdb_last_bgsave_status", rdb.last_bgsave_ok ? "ok" : "err");
  b.Field("rdb_last_bgsave_time_sec", rdb.last_bgsave_time_sec);
  b.Field("rdb_current_bgsave_time_sec",
          fork.rdb_child_active ? (svc.now_ms() - fork.child_start_unix_ms) / 1000 : -1);
  b.Field("rdb_saves", rdb.saves);
  b.Field("rdb_last_cow_size", fork.rdb_last_cow_bytes);
  b.Field("rdb_last_load_keys_expired", rdb.last_load_keys_expired);
  b.Field("rdb_last_load_keys_loaded", rdb.last_load_keys_loaded);
  b.Field("aof_enabled", svc.config().appendonly ? 1 : 0);
  const AofStatus& aof = svc.aof;
  b.Field("aof_rewrite_in_progress", aof.rewrite_in_progress ? 1 : 0);
  b.Field("aof_rewrite_scheduled", aof.rewrite_scheduled ? 1 : 0);
  b.Field("aof_last_rewrite_time_sec", aof.last_rewrite_time_sec);
  b.Field("aof_current_rewrite_time_sec",
          aof.rewrite_in_progress ? (svc.now_ms() - aof.rewrite_start_unix_ms) / 1000 : -1);
  b.Field("aof_last_bgrewrite_status", aof.last_bgrewrite_ok ? "ok" : "err");
  b.Field("aof_rewrites", aof.rewrites);
  b.Field("aof_rewrites_consecutive_failures", aof.rewrites_consecutive_failures);
  b.Field("aof_last_write_status", aof.last_write_ok ? "ok" : "err");
  b.Field("aof_last_cow_size", fork.aof_last_cow_bytes);
  b.Field("module_fork_in_progress", 0);
  b.Field("module_fork_last_cow_size", 0);  // no modules: Redis reports 0 then too
  if (svc.config().appendonly) {
    b.Field("aof_current_size", aof.current_size);
    b.Field("aof_base_size", aof.base_size);
    b.Field("aof_pending_rewrite", aof.rewrite_scheduled ? 1 : 0);
    b.Field("aof_buffer_length", aof.buffer_length);
    b.Field("aof_pending_bio_fsync", aof.pending_bio_fsync);
    b.Field("aof_delayed_fsync", aof.delayed_fsync);
  }
}

void StatsSection(InfoBuilder& b, Service& svc, const ProcessInfo& p) {
  const ServerStats& s = svc.stats();
  Keyspace& ks = svc.keyspace();
  b.Section("Stats");
  b.Field("total_connections_received", s.total_connections_received);
  b.Field("total_commands_processed", s.total_commands_processed);
  b.Field("instantaneous_ops_per_sec", 0);
  b.Field("total_net_input_bytes", s.total_net_input_bytes);
  b.Field("total_net_output_bytes", s.total_net_output_bytes);
  b.Field("total_net_repl_input_bytes", s.total_net_repl_input_bytes);
  b.Field("total_net_repl_output_bytes", s.total_net_repl_output_bytes);
  b.Field("instantaneous_input_kbps", "0.00");
  b.Field("instantaneous_output_kbps", "0.00");
  b.Field("instantaneous_input_repl_kbps", "0.00");
  b.Field("instantaneous_output_repl_kbps", "0.00");
  b.Field("rejected_connections", s.rejected_connections);
  b.Field("sync_full", s.sync_full);
  b.Field("sync_partial_ok", s.sync_partial_ok);
  b.Field("sync_partial_err", s.sync_partial_err);
  b.Field("expired_keys", ks.expired_keys);
  b.Field("expired_stale_perc", "0.00");
  b.Field("expired_time_cap_reached_count", 0);
  b.Field("expire_cycle_cpu_milliseconds", 0);
  b.Field("evicted_keys", ks.evicted_keys);
  b.Field("evicted_clients", 0);
  b.Field("total_eviction_exceeded_time", 0);
  b.Field("current_eviction_exceeded_time", 0);
  b.Field("keyspace_hits", ks.hits);
  b.Field("keyspace_misses", ks.misses);
  b.Field("pubsub_channels", int64_t(svc.pubsub().channel_count()));
  b.Field("pubsub_patterns", int64_t(svc.pubsub().pattern_count()));
  b.Field("pubsubshard_channels", int64_t(svc.pubsub().shard_channel_count()));
  b.Field("latest_fork_usec", s.latest_fork_usec);
  b.Field("total_forks", s.total_forks);
  b.Field("migrate_cached_sockets", p.migrate_cached_sockets);
  b.Field("slave_expires_tracked_keys", 0);
  b.Field("active_defrag_hits", 0);
  b.Field("active_defrag_misses", 0);
  b.Field("active_defrag_key_hits", 0);
  b.Field("active_defrag_key_misses", 0);
  b.Field("total_active_defrag_time", 0);
  b.Field("current_active_defrag_time", 0);
  b.Field("tracking_total_keys", int64_t(svc.key_tracking().total_keys()));
  b.Field("tracking_total_items", int64_t(svc.key_tracking().total_items()));
  b.Field("tracking_total_prefixes", int64_t(svc.key_tracking().total_prefixes()));
  b.Field("unexpected_error_replies", s.unexpected_error_replies);
  b.Field("total_error_replies", s.total_error_replies);
  b.Field("dump_payload_sanitizations", 0);
  b.Field("total_reads_processed", s.total_reads_processed);
  b.Field("total_writes_processed", s.total_writes_processed);
  b.Field("io_threaded_reads_processed", 0);
  b.Field("io_threaded_writes_processed", 0);
  b.Field("reply_buffer_shrinks", 0);
  b.Field("reply_buffer_expands", 0);
}

void ReplicationSection(InfoBuilder& b, Service& svc) {
  b.Section("Replication");
  b.out() += RenderReplicationSection(svc);
}

void CpuSection(InfoBuilder& b, const ProcessInfo& p) {
  b.Section("CPU");
  b.FieldF("used_cpu_sys", p.cpu_sys, "%.6f");
  b.FieldF("used_cpu_user", p.cpu_user, "%.6f");
  b.FieldF("used_cpu_sys_children", p.cpu_sys_children, "%.6f");
  b.FieldF("used_cpu_user_children", p.cpu_user_children, "%.6f");
  b.FieldF("used_cpu_sys_main_thread", p.cpu_sys, "%.6f");
  b.FieldF("used_cpu_user_main_thread", p.cpu_user, "%.6f");
}

void KeyspaceSection(InfoBuilder& b, Service& svc) {
  b.Section("Keyspace");
  Keyspace& ks = svc.keyspace();
  for (int i = 0; i < ks.database_count(); ++i) {
    Database& d = ks.db(i);
    if (d.size() == 0) continue;
    b.Field("db" + std::to_string(i), "keys=" + std::to_string(d.size()) +
                                          ",expires=" + std::to_string(d.expires_size()) +
                                          ",avg_ttl=" + std::to_string(d.avg_ttl_ms));
  }
}

void CommandstatsSection(InfoBuilder& b, Service& svc) {
  b.Section("Commandstats");
  for (const auto& [name, st] : svc.stats().commandstats) {
    if (st.calls == 0 && st.rejected_calls == 0 && st.failed_calls == 0) continue;
    char per[64];
    std::snprintf(per, sizeof(per), "%.2f", st.calls ? double(st.usec) / double(st.calls) : 0.0);
    b.Field("cmdstat_" + name, "calls=" + std::to_string(st.calls) +
                                   ",usec=" + std::to_string(st.usec) + ",usec_per_call=" + per +
                                   ",rejected_calls=" + std::to_string(st.rejected_calls) +
                                   ",failed_calls=" + std::to_string(st.failed_calls));
  }
}

// Each tracked command's percentiles in µs with three decimals: "p50=1.003,p99=2.007,p99.9=2.007".
void LatencystatsSection(InfoBuilder& b, Service& svc) {
  b.Section("Latencystats");
  if (!svc.config().latency_tracking) return;
  const std::vector<double>& pcts = svc.config().latency_tracking_info_percentiles;
  for (const auto& [name, st] : svc.stats().commandstats) {
    if (st.latency.empty()) continue;
    std::string v;
    for (size_t j = 0; j < pcts.size(); ++j) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "p%s=%.3f", PercentileText(pcts[j]).c_str(),
                    double(st.latency.ValueAtPercentile(pcts[j])) / 1000.0);
      if (j > 0) v += ",";
      v += buf;
    }
    b.Field("latency_percentiles_usec_" + name, v);
  }
}

void InfoCommand(CommandContext& ctx) {
  std::set<std::string> wanted;
  for (size_t i = 1; i < ctx.argc; ++i) wanted.insert(config::Lower(ctx.arg(i)));
  bool all = wanted.count("all") || wanted.count("everything");
  bool everything = wanted.count("everything") > 0;
  bool dflt = wanted.empty() || wanted.count("default") || all;
  auto want = [&](const char* s, bool in_default = true) {
    return (in_default && dflt) || wanted.count(s) || (everything);
  };
  ProcessInfo p;
  if (ServerHooks* h = ctx.service.hooks()) h->FillProcessInfo(&p);
  InfoBuilder b;
  Service& svc = ctx.service;
  if (want("server")) ServerSection(b, svc, p, ctx.now_ms());
  if (want("clients")) ClientsSection(b, svc);
  if (want("memory")) MemorySection(b, svc, p);
  if (want("persistence")) PersistenceSection(b, svc);
  if (want("stats")) StatsSection(b, svc, p);
  if (want("replication")) ReplicationSection(b, svc);
  if (want("cpu")) CpuSection(b, p);
  if (want("modules")) b.Section("Modules");
  if (want("commandstats", false) || all) CommandstatsSection(b, svc);
  if (want("errorstats")) {
    b.Section("Errorstats");
    for (const auto& [code, n] : svc.stats().errorstats) {
      b.Field("errorstat_" + code, "count=" + std::to_string(n));
    }
  }
  if (want("latencystats", false) || all) LatencystatsSection(b, svc);
  if (want("cluster")) {
    b.Section("Cluster");
    b.Field("cluster_enabled", 0);
  }
  if (want("keyspace")) KeyspaceSection(b, svc);
  ctx.reply.Verbatim(b.out());
}

}  // namespace

void RegisterInfoCommand(CommandTable& t) {
  t.Add({"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, InfoCommand, "server", {}});
}

}  // namespace vigil::datanode
