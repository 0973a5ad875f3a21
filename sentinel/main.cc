// vigil-sentinel <config-file> [--name value ...] | --version | --help
// A drop-in replacement for redis-sentinel 7.0: a classic sentinel.conf works unchanged (and is
// rewritten the Redis way); a .toml config is never rewritten and keeps its state beside it.
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "common/base/process_title.h"
#include "common/log/logging.h"
#include "sentinel/shell/runtime.h"
#include "sentinel/shell/state_store.h"
#include "vigil/version.h"

namespace {

void Usage() {
  std::fprintf(stderr,
               "Usage: vigil-sentinel /path/to/sentinel.conf|sentinel.toml [options]\n"
               "       vigil-sentinel -v or --version\n"
               "       vigil-sentinel -h or --help\n\n"
               "Examples:\n"
               "       vigil-sentinel /etc/redis/sentinel.conf\n"
               "       vigil-sentinel sentinel.conf --port 26380\n"
               "       vigil-sentinel conf/sentinel.toml --loglevel verbose\n"
               "       vigil-sentinel sentinel.conf --sentinel   (as redis-server --sentinel)\n");
}

std::string AbsolutePath(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) != nullptr ? std::string(buf) : p;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  using namespace vigil::sentinel;
  InitProcessTitle(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    std::printf("vigil-sentinel v=%s redis-compat=%s\n", kVersion, kRedisCompatVersion);
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    Usage();
    return 0;
  }
  // `--sentinel` as a bare flag (redis-server --sentinel) is accepted anywhere.
  for (size_t i = 0; i < args.size(); ++i) {
    bool bare =
        args[i] == "--sentinel" && (i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0);
    if (bare) args.erase(args.begin() + long(i--));
  }
  std::string path;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    path = AbsolutePath(args[0]);
    args.erase(args.begin());
  }
  auto overrides = config::ParseCommandLine(args);
  if (!overrides.ok()) {
    std::fprintf(stderr, "*** FATAL CONFIG FILE ERROR: %s\n", overrides.error().c_str());
    return 1;
  }
  auto loaded = LoadSentinelConfig(path, overrides.value());
  if (!loaded.ok()) {
    std::fprintf(stderr, "*** FATAL CONFIG FILE ERROR (vigil-sentinel %s) ***\n%s\n", kVersion,
                 loaded.error().c_str());
    return 1;
  }
  SentinelConfig cfg = std::move(loaded).value();
  // Announced in hellos unless announce-port is set: with tls-replication, the TLS port, as
  // other sentinels then reach us over TLS.
  cfg.core.port = cfg.settings.tls_replication && cfg.settings.tls_port != 0 ? cfg.settings.tls_port
                                                                             : cfg.settings.port;
  std::unique_ptr<StateStore> store;
  if (cfg.file.syntax == config::Syntax::kToml) {
    std::string state_path = StateFilePathFor(cfg.file.path, cfg.settings.state_file);
    auto saved = LoadStateFile(state_path);
    if (!saved.ok()) {
      std::fprintf(stderr, "*** FATAL STATE FILE ERROR: %s\n", saved.error().c_str());
      return 1;
    }
    cfg.state = MergeTomlState(cfg, saved.value());
    store = MakeTomlStateStore(state_path, cfg.file_masters);
  } else {
    if (::access(cfg.file.path.c_str(), W_OK) == -1) {
      std::fprintf(stderr, "Sentinel config file %s is not writable: %s. Exiting...\n",
                   cfg.file.path.c_str(), std::strerror(errno));
      return 1;
    }
    store = MakeClassicConfigStore(cfg);
  }
  if (!cfg.settings.dir.empty() && ::chdir(cfg.settings.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s': %s\n", cfg.settings.dir.c_str(),
                 std::strerror(errno));
    return 1;
  }
  if (cfg.settings.daemonize && ::daemon(1, 0) != 0) {
    std::perror("daemon");
    return 1;
  }
  auto log = SetupLogging({"sentinel", cfg.settings.logfile, cfg.settings.loglevel});
  if (!log.ok()) {
    std::fprintf(stderr, "*** FATAL: %s\n", log.error().c_str());
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);
  if (!cfg.settings.pidfile.empty()) std::ofstream(cfg.settings.pidfile) << ::getpid() << "\n";
  int port = cfg.settings.port;
  // Redis's default proc-title-template for a sentinel: `<argv0> <bind>:<port> [sentinel]`.
  SetProcessTitle(ProcessExecName() + " " +
                  (cfg.settings.bind.empty() ? std::string("*") : cfg.settings.bind[0]) + ":" +
                  std::to_string(port) + " [sentinel]");
  std::vector<std::string> unused = std::move(cfg.unused_directives);
  Runtime runtime(std::move(cfg), std::move(store), log.value());
  log.value()->info("vigil-sentinel {} (redis {} compatible) pid={} port={} starting", kVersion,
                    kRedisCompatVersion, ::getpid(), port);
  for (const std::string& line : unused) log.value()->info("{}", line);
  Status st = runtime.Start();
  if (!st.ok()) {
    log.value()->error("{}", st.message());
    return 1;
  }
  int code = runtime.Run();
  log.value()->flush();
  return code;
}
