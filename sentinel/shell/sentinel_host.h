#pragma once
// SentinelHost: what the command server, the SENTINEL command handler and the HTTP endpoint need
// from the process (the Runtime implements it). Queries read the core; everything that changes
// state is submitted to the core as an Input.
#include <cstdint>
#include <string>
#include <vector>

#include "common/time/mono_time.h"
#include "sentinel/core/inputs.h"
#include "sentinel/core/sentinel_core.h"
#include "sentinel/shell/sentinel_config.h"

namespace vigil::sentinel {

class ScriptRunner;

struct ProcessFacts {
  std::string run_id;  // INFO run_id: changes on every start (not myid)
  std::string executable;
  std::string config_file;
  int port = 0;
  int64_t start_unix_ms = 0;
  MonoTime start_mono{0};
  int pid = 0;
};

class SentinelHost {
 public:
  virtual ~SentinelHost() = default;
  virtual MonoTime Now() const = 0;
  virtual int64_t UnixMillis() const = 0;
  virtual const SentinelCore& core() const = 0;
  // Queues an input for the core; it runs after the current callback returns.
  virtual void Submit(Input input) = 0;
  virtual const ScriptRunner& scripts() const = 0;
  virtual const SentinelSettings& settings() const = 0;
  virtual SentinelSettings& mutable_settings() = 0;
  virtual const ProcessFacts& facts() const = 0;
  // SHUTDOWN: persist, then stop the loop.
  virtual void Shutdown() = 0;
};

}  // namespace vigil::sentinel
