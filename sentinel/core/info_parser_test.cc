#include "sentinel/core/info_parser.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

// Verbatim INFO of a redis-server 7.0.15 master with one replica, with CRLF line ends.
const char* const kMasterInfo =
    "# Server\r\n"
    "redis_version:7.0.15\r\n"
    "redis_git_sha1:00000000\r\n"
    "redis_git_dirty:0\r\n"
    "redis_build_id:ae4d7c971a948f0\r\n"
    "redis_mode:standalone\r\n"
    "os:Linux 6.18.44-fc-v595 x86_64\r\n"
    "arch_bits:64\r\n"
    "monotonic_clock:POSIX clock_gettime\r\n"
    "multiplexing_api:epoll\r\n"
    "atomicvar_api:c11-builtin\r\n"
    "gcc_version:12.2.0\r\n"
    "process_id:7229\r\n"
    "process_supervised:no\r\n"
    "run_id:b4ba173c01c7402735c4ed26875b3abd9be13461\r\n"
    "tcp_port:17011\r\n"
    "server_time_usec:1795506524138795\r\n"
    "uptime_in_seconds:3\r\n"
    "uptime_in_days:0\r\n"
    "hz:10\r\n"
    "configured_hz:10\r\n"
    "lru_clock:344412\r\n"
    "executable:/usr/bin/redis-server\r\n"
    "config_file:\r\n"
    "io_threads_active:0\r\n"
    "\r\n"
    "# Clients\r\n"
    "connected_clients:1\r\n"
    "cluster_connections:0\r\n"
    "maxclients:10000\r\n"
    "client_recent_max_input_buffer:20480\r\n"
    "client_recent_max_output_buffer:0\r\n"
    "blocked_clients:0\r\n"
    "tracking_clients:0\r\n"
    "clients_in_timeout_table:0\r\n"
    "\r\n"
    "# Memory\r\n"
    "used_memory:1059296\r\n"
    "used_memory_human:1.01M\r\n"
    "used_memory_rss:7401472\r\n"
    "used_memory_rss_human:7.06M\r\n"
    "used_memory_peak:1059296\r\n"
    "used_memory_peak_human:1.01M\r\n"
    "used_memory_peak_perc:100.23%\r\n"
    "used_memory_overhead:897100\r\n"
    "used_memory_startup:876320\r\n"
    "used_memory_dataset:162196\r\n"
    "used_memory_dataset_perc:88.64%\r\n"
    "allocator_allocated:1801440\r\n"
    "allocator_active:1957888\r\n"
    "allocator_resident:4628480\r\n"
    "total_system_memory:25276514304\r\n"
    "total_system_memory_human:23.54G\r\n"
    "used_memory_lua:32768\r\n"
    "used_memory_vm_eval:32768\r\n"
    "used_memory_lua_human:32.00K\r\n"
    "used_memory_scripts_eval:0\r\n"
    "number_of_cached_scripts:0\r\n"
    "number_of_functions:0\r\n"
    "number_of_libraries:0\r\n"
    "used_memory_vm_functions:33792\r\n"
    "used_memory_vm_total:66560\r\n"
    "used_memory_vm_total_human:65.00K\r\n"
    "used_memory_functions:200\r\n"
    "used_memory_scripts:200\r\n"
    "used_memory_scripts_human:200B\r\n"
    "maxmemory:0\r\n"
    "maxmemory_human:0B\r\n"
    "maxmemory_policy:noeviction\r\n"
    "allocator_frag_ratio:1.09\r\n"
    "allocator_frag_bytes:156448\r\n"
    "allocator_rss_ratio:2.36\r\n"
    "allocator_rss_bytes:2670592\r\n"
    "rss_overhead_ratio:1.60\r\n"
    "rss_overhead_bytes:2772992\r\n"
    "mem_fragmentation_ratio:7.60\r\n"
    "mem_fragmentation_bytes:6428080\r\n"
    "mem_not_counted_for_evict:0\r\n"
    "mem_replication_backlog:20508\r\n"
    "mem_total_replication_buffers:20504\r\n"
    "mem_clients_slaves:0\r\n"
    "mem_clients_normal:0\r\n"
    "mem_cluster_links:0\r\n"
    "mem_aof_buffer:0\r\n"
    "mem_allocator:jemalloc-5.3.0\r\n"
    "active_defrag_running:0\r\n"
    "lazyfree_pending_objects:0\r\n"
    "lazyfreed_objects:0\r\n"
    "\r\n"
    "# Persistence\r\n"
    "loading:0\r\n"
    "async_loading:0\r\n"
    "current_cow_peak:0\r\n"
    "current_cow_size:0\r\n"
    "current_cow_size_age:0\r\n"
    "current_fork_perc:0.00\r\n"
    "current_save_keys_processed:0\r\n"
    "current_save_keys_total:0\r\n"
    "rdb_changes_since_last_save:1\r\n"
    "rdb_bgsave_in_progress:0\r\n"
    "rdb_last_save_time:1795506521\r\n"
    "rdb_last_bgsave_status:ok\r\n"
    "rdb_last_bgsave_time_sec:0\r\n"
    "rdb_current_bgsave_time_sec:-1\r\n"
    "rdb_saves:0\r\n"
    "rdb_last_cow_size:368640\r\n"
    "rdb_last_load_keys_expired:0\r\n"
    "rdb_last_load_keys_loaded:0\r\n"
    "aof_enabled:0\r\n"
    "aof_rewrite_in_progress:0\r\n"
    "aof_rewrite_scheduled:0\r\n"
    "aof_last_rewrite_time_sec:-1\r\n"
    "aof_current_rewrite_time_sec:-1\r\n"
    "aof_last_bgrewrite_status:ok\r\n"
    "aof_rewrites:0\r\n"
    "aof_rewrites_consecutive_failures:0\r\n"
    "aof_last_write_status:ok\r\n"
    "aof_last_cow_size:0\r\n"
    "module_fork_in_progress:0\r\n"
    "module_fork_last_cow_size:0\r\n"
    "\r\n"
    "# Stats\r\n"
    "total_connections_received:3\r\n"
    "total_commands_processed:8\r\n"
    "instantaneous_ops_per_sec:0\r\n"
    "total_net_input_bytes:296\r\n"
    "total_net_output_bytes:331\r\n"
    "total_net_repl_input_bytes:0\r\n"
    "total_net_repl_output_bytes:309\r\n"
    "instantaneous_input_kbps:0.02\r\n"
    "instantaneous_output_kbps:0.00\r\n"
    "instantaneous_input_repl_kbps:0.00\r\n"
    "instantaneous_output_repl_kbps:0.00\r\n"
    "rejected_connections:0\r\n"
    "sync_full:1\r\n"
    "sync_partial_ok:0\r\n"
    "sync_partial_err:0\r\n"
    "expired_keys:0\r\n"
    "expired_stale_perc:0.00\r\n"
    "expired_time_cap_reached_count:0\r\n"
    "expire_cycle_cpu_milliseconds:0\r\n"
    "evicted_keys:0\r\n"
    "evicted_clients:0\r\n"
    "total_eviction_exceeded_time:0\r\n"
    "current_eviction_exceeded_time:0\r\n"
    "keyspace_hits:0\r\n"
    "keyspace_misses:0\r\n"
    "pubsub_channels:0\r\n"
    "pubsub_patterns:0\r\n"
    "pubsubshard_channels:0\r\n"
    "latest_fork_usec:350\r\n"
    "total_forks:1\r\n"
    "migrate_cached_sockets:0\r\n"
    "slave_expires_tracked_keys:0\r\n"
    "active_defrag_hits:0\r\n"
    "active_defrag_misses:0\r\n"
    "active_defrag_key_hits:0\r\n"
    "active_defrag_key_misses:0\r\n"
    "total_active_defrag_time:0\r\n"
    "current_active_defrag_time:0\r\n"
    "tracking_total_keys:0\r\n"
    "tracking_total_items:0\r\n"
    "tracking_total_prefixes:0\r\n"
    "unexpected_error_replies:0\r\n"
    "total_error_replies:0\r\n"
    "dump_payload_sanitizations:0\r\n"
    "total_reads_processed:10\r\n"
    "total_writes_processed:6\r\n"
    "io_threaded_reads_processed:0\r\n"
    "io_threaded_writes_processed:0\r\n"
    "reply_buffer_shrinks:1\r\n"
    "reply_buffer_expands:0\r\n"
    "\r\n"
    "# Replication\r\n"
    "role:master\r\n"
    "connected_slaves:1\r\n"
    "min_slaves_good_slaves:1\r\n"
    "slave0:ip=127.0.0.1,port=17012,state=online,offset=0,lag=1\r\n"
    "master_failover_state:no-failover\r\n"
    "master_replid:ccc5217a045073098d6f0d72f8452aa53d7c4880\r\n"
    "master_replid2:0000000000000000000000000000000000000000\r\n"
    "master_repl_offset:50\r\n"
    "second_repl_offset:-1\r\n"
    "repl_backlog_active:1\r\n"
    "repl_backlog_size:1048576\r\n"
    "repl_backlog_first_byte_offset:1\r\n"
    "repl_backlog_histlen:50\r\n"
    "\r\n"
    "# CPU\r\n"
    "used_cpu_sys:0.002257\r\n"
    "used_cpu_user:0.003812\r\n"
    "used_cpu_sys_children:0.000000\r\n"
    "used_cpu_user_children:0.001181\r\n"
    "used_cpu_sys_main_thread:0.006019\r\n"
    "used_cpu_user_main_thread:0.000000\r\n"
    "\r\n"
    "# Modules\r\n"
    "\r\n"
    "# Errorstats\r\n"
    "\r\n"
    "# Cluster\r\n"
    "cluster_enabled:0\r\n"
    "\r\n"
    "# Keyspace\r\n"
    "db0:keys=1,expires=0,avg_ttl=0\r\n";

const char* const kReplicaReplication =
    "# Replication\r\n"
    "role:slave\r\n"
    "master_host:127.0.0.1\r\n"
    "master_port:17011\r\n"
    "master_link_status:up\r\n"
    "master_last_io_seconds_ago:0\r\n"
    "master_sync_in_progress:0\r\n"
    "slave_read_repl_offset:50\r\n"
    "slave_repl_offset:50\r\n"
    "slave_priority:100\r\n"
    "slave_read_only:1\r\n"
    "replica_announced:1\r\n"
    "connected_slaves:0\r\n"
    "master_failover_state:no-failover\r\n"
    "master_replid:ccc5217a045073098d6f0d72f8452aa53d7c4880\r\n"
    "master_replid2:0000000000000000000000000000000000000000\r\n"
    "master_repl_offset:50\r\n"
    "second_repl_offset:-1\r\n"
    "repl_backlog_active:1\r\n"
    "repl_backlog_size:1048576\r\n"
    "repl_backlog_first_byte_offset:1\r\n"
    "repl_backlog_histlen:50\r\n";

TEST(InfoParserTest, ParsesTheCapturedMasterInfo) {
  InfoReport r = ParseInfo(kMasterInfo);
  ASSERT_TRUE(r.run_id.has_value());
  EXPECT_EQ(*r.run_id, "b4ba173c01c7402735c4ed26875b3abd9be13461");
  EXPECT_EQ(r.role, ReportedRole::kMaster);
  ASSERT_EQ(r.replicas.size(), 1u);
  EXPECT_EQ(r.replicas[0], (HostPort{"127.0.0.1", 17012}));
  EXPECT_EQ(r.master_link_down_ms, 0);
  EXPECT_FALSE(r.master_host.has_value());  // master fields are read only after role:slave
}

TEST(InfoParserTest, ParsesTheCapturedReplicaSection) {
  InfoReport r = ParseInfo(kReplicaReplication);
  EXPECT_EQ(r.role, ReportedRole::kSlave);
  EXPECT_EQ(r.master_host, "127.0.0.1");
  EXPECT_EQ(r.master_port, 17011);
  EXPECT_TRUE(r.master_link_up);
  EXPECT_EQ(r.slave_priority, 100);
  EXPECT_EQ(r.slave_repl_offset, 50);
  EXPECT_EQ(r.replica_announced, true);
  EXPECT_TRUE(r.replicas.empty());
  EXPECT_FALSE(r.run_id.has_value());
}

TEST(InfoParserTest, LinkDownSinceSecondsBecomesMilliseconds) {
  InfoReport r = ParseInfo(
      "role:slave\r\nmaster_host:h\r\nmaster_port:1\r\nmaster_link_status:down\r\n"
      "master_link_down_since_seconds:2\r\n");
  EXPECT_FALSE(r.master_link_up);
  EXPECT_EQ(r.master_link_down_ms, 2000);
  EXPECT_EQ(ParseInfo("role:slave\r\nmaster_link_down_since_seconds:-1\r\n").master_link_down_ms,
            -1000);
}

TEST(InfoParserTest, AcceptsTheLegacyReplicaLineAndIgnoresJunk) {
  InfoReport r = ParseInfo(
      "role:master\r\nslave0:10.0.0.2,6380,online\r\nslave1:ip=10.0.0.3,port=6381,state=online\r\n"
      "slave2:garbage\r\nslave_expires_tracked_keys:0\r\n");
  ASSERT_EQ(r.replicas.size(), 2u);
  EXPECT_EQ(r.replicas[0], (HostPort{"10.0.0.2", 6380}));
  EXPECT_EQ(r.replicas[1], (HostPort{"10.0.0.3", 6381}));
}

TEST(InfoParserTest, ShortRunIdLinesAndReplicaPriorityAliasAreIgnored) {
  InfoReport r = ParseInfo("run_id:abc\r\nrole:slave\r\nreplica_priority:5\r\n");
  EXPECT_FALSE(r.run_id.has_value());
  EXPECT_FALSE(r.slave_priority.has_value());  // only slave_priority is parsed
}

TEST(InfoParserTest, EveryTruncationParsesConsistently) {
  std::string text = kMasterInfo;
  for (size_t n = 0; n <= text.size(); ++n) {
    InfoReport r = ParseInfo(std::string_view(text).substr(0, n));
    EXPECT_LE(r.replicas.size(), 1u);
    EXPECT_NE(r.role, ReportedRole::kSlave);
  }
}

TEST(InfoParserTest, ReadsVigilsFenceTimeoutInEitherRole) {
  EXPECT_EQ(ParseInfo("role:master\r\nfenced:0\r\nfence_timeout_ms:1000\r\n").fence_timeout_ms,
            1000);
  EXPECT_EQ(ParseInfo("role:slave\r\nfence_timeout_ms:2500\r\n").fence_timeout_ms, 2500);
  EXPECT_FALSE(ParseInfo(kMasterInfo).fence_timeout_ms.has_value());  // redis-server
}

}  // namespace
}  // namespace vigil::sentinel
