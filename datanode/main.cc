// vigil-datanode [config-file] [--name value ...] | --version | --help
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/base/process_title.h"
#include "common/log/logging.h"
#include "datanode/config/datanode_config.h"
#include "datanode/server/aof_check_tool.h"
#include "datanode/server/crash_report.h"
#include "datanode/server/server.h"
#include "datanode/server/snapshot.h"
#include "datanode/server/startup_banner.h"
#include "vigil/version.h"

namespace {

void Usage() {
  std::fprintf(stderr,
               "Usage: vigil-datanode [/path/to/config.conf|config.toml] [options]\n"
               "       vigil-datanode - (read config from stdin)\n"
               "       vigil-datanode -v or --version\n"
               "       vigil-datanode -h or --help\n"
               "       vigil-datanode --check-aof [--fix] <file.manifest|file.aof>\n"
               "       vigil-datanode --check-rdb <file.rdb>\n\n"
               "Examples:\n"
               "       vigil-datanode (run with default config)\n"
               "       vigil-datanode /etc/redis/6379.conf\n"
               "       vigil-datanode --port 7777\n"
               "       vigil-datanode --port 7777 --replicaof 127.0.0.1 8888\n"
               "       vigil-datanode conf/datanode.toml --loglevel verbose\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  InitProcessTitle(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    std::printf("vigil-datanode v=%s redis-compat=%s\n", kVersion, kRedisCompatVersion);
    return 0;
  }
  if (!args.empty() && args[0] == "--check-aof") {
    return datanode::RunCheckAof(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "--check-rdb") {
    return datanode::RunCheckRdb(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    Usage();
    return 0;
  }
  std::string config_path;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    config_path = args[0];
    args.erase(args.begin());
  }
  datanode::DatanodeConfig config;
  config::OptionRegistry registry;
  datanode::RegisterDatanodeOptions(&config, &registry);
  auto overrides = config::ParseCommandLine(args);
  if (!overrides.ok()) {
    std::fprintf(stderr, "*** FATAL CONFIG ERROR: %s\n", overrides.error().c_str());
    return 1;
  }
  config::ConfigFile file;
  Status st =
      datanode::LoadDatanodeConfig(config_path, overrides.value(), &registry, &file, &config);
  if (!st.ok()) {
    std::fprintf(stderr, "*** FATAL CONFIG ERROR: %s\n", st.message().c_str());
    return 1;
  }
  if (config.daemonize && ::daemon(1, 0) != 0) {
    std::perror("daemon");
    return 1;
  }
  auto log = SetupLogging({"datanode", config.logfile, config.loglevel});
  if (!log.ok()) {
    std::fprintf(stderr, "*** FATAL: %s\n", log.error().c_str());
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);
  auto crashlog = config.passive.find("crash-log-enabled");
  datanode::InstallCrashReport(config.logfile,
                               crashlog == config.passive.end() || crashlog->second != "no");
  if (!config.pidfile.empty()) std::ofstream(config.pidfile) << ::getpid() << "\n";
  datanode::LogStarting(*log.value(), !file.path.empty(), argv[0]);
  datanode::Server server(&config, &registry, file, log.value());
  log.value()->info("vigil-datanode {} (redis {} compatible) pid={} port={} starting", kVersion,
                    kRedisCompatVersion, ::getpid(), config.port);
  Status started = server.Start();
  if (!started.ok()) {
    log.value()->error("{}", started.message());
    return 1;
  }
  return server.Run();
}
