#pragma once
// Runtime: the vigil-sentinel process shell. Owns the libevent loop, the 100 ms tick, the
// instance links, the RESP and HTTP servers, the script runner and the state store; feeds the
// core (Tick / Step) and executes each Ready batch in order: write the state the batch asks for
// and report the outcome, then events (log + publish), then actions. It decides nothing about
// sentinel behaviour, not even when the state is written: that rule is the core's
// (sentinel/core/state_durability.h).
#include <spdlog/logger.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/net/event_loop.h"
#include "common/time/clock.h"
#include "sentinel/core/sentinel_core.h"
#include "sentinel/shell/command_server.h"
#include "sentinel/shell/http_endpoint.h"
#include "sentinel/shell/instance_links.h"
#include "sentinel/shell/script_runner.h"
#include "sentinel/shell/sentinel_host.h"
#include "sentinel/shell/state_store.h"

namespace vigil::sentinel {

class Runtime final : public SentinelHost {
 public:
  static constexpr Millis kTickPeriod{100};

  Runtime(SentinelConfig config, std::unique_ptr<StateStore> store,
          std::shared_ptr<spdlog::logger> log);
  ~Runtime() override;

  // Binds the listeners, writes the state once (the file must be writable), runs the first
  // Tick and starts the timer.
  Status Start();
  // Until SHUTDOWN or a signal; returns the exit code.
  int Run();

  // SentinelHost
  MonoTime Now() const override { return clock_.Now(); }
  int64_t UnixMillis() const override { return clock_.UnixMillis(); }
  const SentinelCore& core() const override { return core_; }
  void Submit(Input input) override;
  const ScriptRunner& scripts() const override { return scripts_; }
  const SentinelSettings& settings() const override { return config_.settings; }
  SentinelSettings& mutable_settings() override { return config_.settings; }
  const ProcessFacts& facts() const override { return facts_; }
  void Shutdown() override;

  uint64_t persist_writes() const { return persist_writes_; }

 private:
  static void OnProcess(evutil_socket_t, short, void* arg);
  void Tick();
  void ProcessQueue();
  void Drain();
  void DrainBatch(Ready& batch);
  // False when the write failed (logged).
  bool Write(const PersistentState& state);
  // Writes what the core has not had written yet (a clean exit).
  void WriteUnwritten();
  void HandleEvent(const Event& e);
  // Consumes what it sends (a SendAction's command moves into the connection's queue).
  void Execute(Action& a);

  SentinelConfig config_;
  std::unique_ptr<StateStore> store_;
  std::shared_ptr<spdlog::logger> log_;
  SystemClock clock_;
  net::EventLoop loop_;
  SentinelCore core_;
  ProcessFacts facts_;
  InstanceLinks links_;
  CommandServer server_;
  std::unique_ptr<HttpEndpoint> http_;
  ScriptRunner scripts_;
  std::deque<Input> queue_;
  std::vector<std::unique_ptr<Ready>> spare_batches_;
  event* process_ev_ = nullptr;
  bool process_scheduled_ = false;
  bool draining_ = false;
  uint64_t persist_writes_ = 0;
  int exit_code_ = 0;
  bool stopping_ = false;
};

}  // namespace vigil::sentinel
