// Process facts for INFO (pid, uptime, RSS, CPU times, executable and config paths) and the
// process title.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "common/base/process_title.h"
#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

double Seconds(const timeval& tv) {
  return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
}

}  // namespace

void Server::FillProcessInfo(ProcessInfo* p) const {
  p->pid = ::getpid();
  p->tcp_port = config_->port != 0 ? config_->port : config_->tls_port;  // as Redis's INFO
  p->uptime_seconds = (clock_.UnixMillis() - start_ms_) / 1000;
  p->rss_bytes = ProcessRssBytes();
  p->peak_used_memory = peak_memory_;
  p->startup_used_memory = startup_memory_;
  p->migrate_cached_sockets = int64_t(migrate_sockets_.size());
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  p->cpu_sys = Seconds(self.ru_stime);
  p->cpu_user = Seconds(self.ru_utime);
  p->cpu_sys_children = Seconds(children.ru_stime);
  p->cpu_user_children = Seconds(children.ru_utime);
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  p->executable = n > 0 ? std::string(exe, size_t(n)) : "";
  p->config_file = file_.path;
  p->connected_clients = int64_t(connections_.size());
  p->total_system_memory = int64_t(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  if (shutdown_gate_.waiting()) {
    p->shutdown_in_ms = std::max<int64_t>(0, (shutdown_gate_.deadline() - mono_now()).count());
  }
}

void Server::UpdateProcessTitle(const char* title) {
  if (!config_->set_proc_title) return;
  const std::string name = title != nullptr ? title : ProcessExecName();
  auto lookup = [&](const std::string& var) -> std::optional<std::string> {
    const int64_t port = config_->port != 0 ? config_->port : config_->tls_port;
    if (var == "title") return name;
    if (var == "listen-addr") {
      if (port == 0) return "unixsocket:" + config_->unixsocket;
      return (config_->bind.empty() ? std::string("*") : config_->bind[0]) + ":" +
             std::to_string(port);
    }
    if (var == "server-mode") return std::string();
    if (var == "config-file") return file_.path.empty() ? std::string("-") : file_.path;
    if (var == "port") return std::to_string(config_->port);
    if (var == "tls-port") return std::to_string(config_->tls_port);
    if (var == "unixsocket") return config_->unixsocket;
    return std::nullopt;
  };
  // The template was validated when it was set.
  if (std::optional<std::string> t =
          ExpandProcTitleTemplate(config_->proc_title_template, lookup)) {
    SetProcessTitle(*t);
  }
}

}  // namespace vigil::datanode
