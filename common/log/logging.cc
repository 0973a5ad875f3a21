#include "common/log/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace vigil {

bool ParseRedisLogLevel(const std::string& word, spdlog::level::level_enum* out) {
  if (word == "debug")
    *out = spdlog::level::debug;
  else if (word == "verbose")
    *out = spdlog::level::debug;
  else if (word == "notice")
    *out = spdlog::level::info;
  else if (word == "warning")
    *out = spdlog::level::warn;
  else if (word == "nothing")
    *out = spdlog::level::off;
  else
    return false;
  return true;
}

Result<std::shared_ptr<spdlog::logger>> SetupLogging(const LogOptions& options) {
  spdlog::level::level_enum level = spdlog::level::info;
  if (!ParseRedisLogLevel(options.loglevel, &level)) {
    return Status::Error("unknown loglevel '" + options.loglevel + "'");
  }
  try {
    spdlog::drop(options.name);
    std::shared_ptr<spdlog::logger> logger;
    if (options.logfile.empty()) {
      logger = std::make_shared<spdlog::logger>(options.name,
                                                std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          options.name, std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.logfile));
    }
    // pid:role time level message, close to Redis's own log line shape.
    logger->set_pattern("%P %d %b %Y %H:%M:%S.%e %^%l%$ %v");
    logger->set_level(level);
    logger->flush_on(spdlog::level::info);
    spdlog::register_logger(logger);
    return logger;
  } catch (const spdlog::spdlog_ex& ex) {
    return Status::Error(std::string("cannot set up logging: ") + ex.what());
  }
}

}  // namespace vigil
