// INFO for a sentinel: the server, clients, stats, cpu and sentinel sections, in that order,
// with Redis 7.0's field names (docs/sentinel-behaviour.md, "Commands").
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "common/base/ascii_case.h"
#include "common/base/host_port.h"
#include "sentinel/shell/command_server.h"
#include "sentinel/shell/script_runner.h"
#include "vigil/version.h"

namespace vigil::sentinel {

namespace {

std::string Seconds(const timeval& tv) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%ld.%06ld", long(tv.tv_sec), long(tv.tv_usec));
  return buf;
}

std::string ServerSection(CommandServer& server) {
  SentinelHost& host = server.host();
  const ProcessFacts& f = host.facts();
  utsname u{};
  ::uname(&u);
  int64_t uptime = (host.Now() - f.start_mono).count() / 1000;
  std::string s = "# Server\r\n";
  s += "redis_version:" + std::string(kRedisCompatVersion) + "\r\n";
  s += "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n";
  s += "redis_mode:sentinel\r\n";
  s += "os:" + std::string(u.sysname) + " " + u.release + " " + u.machine + "\r\n";
  s += "arch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n";
  s += "atomicvar_api:c11-builtin\r\ngcc_version:" + std::to_string(__GNUC__) + "." +
       std::to_string(__GNUC_MINOR__) + "." + std::to_string(__GNUC_PATCHLEVEL__) + "\r\n";
  s += "process_id:" + std::to_string(f.pid) + "\r\nprocess_supervised:no\r\n";
  s += "run_id:" + f.run_id + "\r\n";
  s += "tcp_port:" + std::to_string(f.port) + "\r\n";
  s += "server_time_usec:" + std::to_string(host.UnixMillis() * 1000) + "\r\n";
  s += "uptime_in_seconds:" + std::to_string(uptime) + "\r\n";
  s += "uptime_in_days:" + std::to_string(uptime / 86400) + "\r\n";
  s += "hz:10\r\nconfigured_hz:10\r\n";
  s += "lru_clock:" + std::to_string((host.UnixMillis() / 1000) & ((1 << 24) - 1)) + "\r\n";
  s += "executable:" + f.executable + "\r\n";
  s += "config_file:" + f.config_file + "\r\n";
  s += "io_threads_active:0\r\n";
  s += "vigil_version:" + std::string(kVersion) + "\r\n";
  return s;
}

std::string ClientsSection(CommandServer& server) {
  std::string s = "# Clients\r\n";
  s += "connected_clients:" + std::to_string(server.clients()) + "\r\n";
  s += "cluster_connections:0\r\n";
  s += "maxclients:" + std::to_string(server.host().settings().maxclients) + "\r\n";
  s += "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\n";
  s += "blocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n";
  return s;
}

std::string StatsSection(CommandServer& server) {
  std::string s = "# Stats\r\n";
  s += "total_connections_received:" + std::to_string(server.total_connections()) + "\r\n";
  s += "total_commands_processed:" + std::to_string(server.total_commands()) + "\r\n";
  s += "instantaneous_ops_per_sec:0\r\n";
  s += "rejected_connections:" + std::to_string(server.rejected()) + "\r\n";
  s += "pubsub_channels:" + std::to_string(server.pubsub_channels()) + "\r\n";
  s += "pubsub_patterns:" + std::to_string(server.pubsub_patterns()) + "\r\n";
  s += "total_error_replies:0\r\n";
  return s;
}

std::string CpuSection() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  std::string s = "# CPU\r\n";
  s += "used_cpu_sys:" + Seconds(self.ru_stime) + "\r\n";
  s += "used_cpu_user:" + Seconds(self.ru_utime) + "\r\n";
  s += "used_cpu_sys_children:" + Seconds(children.ru_stime) + "\r\n";
  s += "used_cpu_user_children:" + Seconds(children.ru_utime) + "\r\n";
  s += "used_cpu_sys_main_thread:" + Seconds(self.ru_stime) + "\r\n";
  s += "used_cpu_user_main_thread:" + Seconds(self.ru_utime) + "\r\n";
  return s;
}

std::string SentinelSection(CommandServer& server) {
  SentinelHost& host = server.host();
  const SentinelCore& core = host.core();
  const SimulateFailureRequest& sim = core.simulate_failure();
  int sim_flags = (sim.crash_after_election ? 1 : 0) | (sim.crash_after_promotion ? 2 : 0);
  std::string s = "# Sentinel\r\n";
  s += "sentinel_masters:" + std::to_string(core.masters().size()) + "\r\n";
  s += "sentinel_tilt:" + std::string(core.tilt() ? "1" : "0") + "\r\n";
  s += "sentinel_tilt_since_seconds:" +
       std::to_string(core.tilt() ? (host.Now() - core.tilt_since()).count() / 1000 : -1) + "\r\n";
  s += "sentinel_running_scripts:" + std::to_string(host.scripts().running()) + "\r\n";
  s += "sentinel_scripts_queue_length:" + std::to_string(host.scripts().queue_length()) + "\r\n";
  s += "sentinel_simulate_failure_flags:" + std::to_string(sim_flags) + "\r\n";
  int i = 0;
  for (const auto& [name, m] : core.masters()) {
    const char* status = m.instance.o_down ? "odown" : m.instance.s_down ? "sdown" : "ok";
    s += "master" + std::to_string(i++) + ":name=" + name + ",status=" + status +
         ",address=" + FormatHostPort(m.instance.addr) +
         ",slaves=" + std::to_string(m.replicas.size()) +
         ",sentinels=" + std::to_string(m.sentinels.size() + 1) + "\r\n";
  }
  return s;
}

}  // namespace

std::string RenderSentinelInfo(CommandServer& server, const std::vector<std::string>& sections) {
  bool all = sections.empty();
  std::set<std::string> want;
  for (const auto& s : sections) {
    std::string l = ToLower(s);
    if (l == "all" || l == "everything" || l == "default") all = true;
    want.insert(l);
  }
  auto on = [&](const char* name) { return all || want.count(name) > 0; };
  std::string out;
  auto add = [&](std::string part) {
    if (!out.empty()) out += "\r\n";
    out += part;
  };
  if (on("server")) add(ServerSection(server));
  if (on("clients")) add(ClientsSection(server));
  if (on("stats")) add(StatsSection(server));
  if (on("cpu")) add(CpuSection());
  if (on("sentinel")) add(SentinelSection(server));
  return out;
}

}  // namespace vigil::sentinel
