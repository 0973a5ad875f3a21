#include "datanode/server/startup_banner.h"

#include <unistd.h>

#include <cstdio>

#include "vigil/version.h"

namespace vigil::datanode {
namespace {

// The logo is written without the log line prefix, as Redis's raw log mode does. It goes to
// the same destination as the logger, after everything the logger has written so far.
void LogRaw(spdlog::logger& log, const std::string& logfile, const std::string& text) {
  if (!log.should_log(spdlog::level::info)) return;
  log.flush();
  FILE* fp = logfile.empty() ? stdout : std::fopen(logfile.c_str(), "a");
  if (fp == nullptr) return;
  std::fwrite(text.data(), 1, text.size(), fp);
  std::fflush(fp);
  if (fp != stdout) std::fclose(fp);
}

}  // namespace

std::string AsciiLogo(const LogoFacts& f) {
  const std::string head =
      "Redis " + f.version + " (00000000/0) " + std::to_string(f.bits) + " bit";
  const std::string mode = "Running in " + f.mode + " mode";
  const std::string port = "Port: " + std::to_string(f.port);
  const std::string pid = "PID: " + std::to_string(f.pid);
  std::string s;
  s += "                _._                                                  \n";
  s += "           _.-``__ ''-._                                             \n";
  s += "      _.-``    `.  `_.  ''-._           " + head + "\n";
  s += "  .-`` .-```.  ```\\/    _.,_ ''-._                                  \n";
  s += " (    '      ,       .-`  | `,    )     " + mode + "\n";
  s += " |`-._`-...-` __...-.``-._|'` _.-'|     " + port + "\n";
  s += " |    `-._   `._    /     _.-'    |     " + pid + "\n";
  s += "  `-._    `-._  `-./  _.-'    _.-'                                   \n";
  s += " |`-._`-._    `-.__.-'    _.-'_.-'|                                  \n";
  s += " |    `-._`-._        _.-'_.-'    |           https://redis.io       \n";
  s += "  `-._    `-._`-.__.-'_.-'    _.-'                                   \n";
  s += " |`-._`-._    `-.__.-'    _.-'_.-'|                                  \n";
  s += " |    `-._`-._        _.-'_.-'    |                                  \n";
  s += "  `-._    `-._`-.__.-'_.-'    _.-'                                   \n";
  s += "      `-._    `-.__.-'    _.-'                                       \n";
  s += "          `-._        _.-'                                           \n";
  s += "              `-.__.-'                                               \n\n";
  return s;
}

bool ShouldShowLogo(const DatanodeConfig& config, bool stdout_is_tty) {
  return config.always_show_logo || (config.logfile.empty() && stdout_is_tty);
}

void LogStarting(spdlog::logger& log, bool has_config_file, std::string_view argv0) {
  log.warn("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
  log.warn("Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started",
           kRedisCompatVersion, ::getpid());
  if (has_config_file) {
    log.warn("Configuration loaded");
  } else {
    log.warn(
        "Warning: no config file specified, using the default config. In order to specify a "
        "config file use {} /path/to/redis.conf",
        argv0);
  }
}

void LogInitialized(spdlog::logger& log, const DatanodeConfig& config) {
  // Redis shows the TLS port when there is no plain one.
  const int64_t port = config.port != 0 ? config.port : config.tls_port;
  if (ShouldShowLogo(config, ::isatty(STDOUT_FILENO) != 0)) {
    LogRaw(log, config.logfile,
           AsciiLogo({kRedisCompatVersion, 64, "standalone", port, long(::getpid())}));
  } else {
    log.info("Running mode=standalone, port={}.", port);
  }
  log.warn("Server initialized");
}

}  // namespace vigil::datanode
