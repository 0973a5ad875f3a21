#pragma once
// spdlog setup for the servers: one named logger per process writing to stdout or to `logfile`
// (relative to `dir`, as Redis resolves it after chdir), at the Redis `loglevel`.
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "common/base/status.h"

namespace vigil {

struct LogOptions {
  std::string name = "vigil";       // logger name, e.g. "datanode", "sentinel"
  std::string logfile;              // "" = stdout
  std::string loglevel = "notice";  // debug | verbose | notice | warning | nothing
};

// Creates (or replaces) the logger. spdlog exceptions are caught here and become a Status.
Result<std::shared_ptr<spdlog::logger>> SetupLogging(const LogOptions& options);

// Maps a Redis loglevel word to spdlog's level; false for an unknown word.
bool ParseRedisLogLevel(const std::string& word, spdlog::level::level_enum* out);

}  // namespace vigil
