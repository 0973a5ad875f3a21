#pragma once
// The lines Redis 7.0 logs while it starts, in its wording: tools and Redis's own test harness
// wait for them (" PID: <pid>" in the logo, "Ready to accept", "Running mode=").
#include <spdlog/logger.h>

#include <string>
#include <string_view>

#include "datanode/config/datanode_config.h"

namespace vigil::datanode {

struct LogoFacts {
  std::string version;  // the Redis version we speak
  int bits = 64;
  std::string mode = "standalone";
  int64_t port = 0;
  long pid = 0;
};

// Redis's ASCII-art logo with the version, mode, port and pid filled in (ends with a blank
// line).
std::string AsciiLogo(const LogoFacts& facts);
// Redis shows the logo when it logs to a terminal, or always with always-show-logo yes.
bool ShouldShowLogo(const DatanodeConfig& config, bool stdout_is_tty);

// Before the configuration is applied: "Redis is starting", version and pid, config source.
void LogStarting(spdlog::logger& log, bool has_config_file, std::string_view argv0);
// Once listening: the logo (or "Running mode=..., port=...") then "Server initialized".
void LogInitialized(spdlog::logger& log, const DatanodeConfig& config);

}  // namespace vigil::datanode
