#pragma once
// Runtime: the vigil-sentinel process shell. Owns the libevent loop, the 100 ms tick, the
// instance links, the RESP and HTTP servers, the script runner and the state store; feeds the
// core (Tick / Step) and executes each Ready batch in order: persist durably, then events (log +
// publish), then actions. It decides nothing about sentinel behaviour.
//
// Persisting in batches: a batch whose actions could reveal its state (a reply to a client or a
// peer's vote request, a vote request of our own, a reconfiguration block, a hello announcing a
// new epoch, a script, an exit) is made durable before those actions run. A batch with nothing
// of that kind (discovery of replicas and sentinels, typically) marks the state dirty and it is
// written at most once a second, or earlier by the next batch that needs it. So three sentinels
// discovering each other on 1,000 masters write a handful of files, not 3,000 (Redis's cost).
//
// A failed write (the disk is full, the file became a directory) keeps the state dirty and is
// retried. Clients waiting on the batch get `ERR Failed to save config file` as from Redis; a
// batch that would act on the unsaved state (vote for ourselves, reconfigure, announce a new
// epoch) stops the process instead.
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
  static constexpr Millis kDeferredPersistPeriod{1000};

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
  const std::map<std::string, FailoverStats>& failover_stats() const override { return stats_; }
  void Shutdown() override;

  uint64_t persist_writes() const { return persist_writes_; }

 private:
  static void OnProcess(evutil_socket_t, short, void* arg);
  void Tick();
  void ProcessQueue();
  void Drain();
  void DrainBatch(Ready& batch);
  // Both return false when the write failed (logged; the state stays dirty).
  bool Persist(const PersistentState& state);
  bool FlushDeferred();
  // What a batch's actions need on disk first: nothing; state they report (replies, scripts);
  // state they act on (our vote requests, reconfigurations, new epochs announced, exits).
  enum class Durability { kNone, kToReport, kToActOn };
  void ActOnUnsavedState(Ready& batch, Durability need);
  void HandleEvent(const Event& e);
  // Consumes what it sends (a SendAction's command moves into the connection's queue).
  void Execute(Action& a);
  Durability NeedsDurability(const Ready& r, const PersistentState& state) const;

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
  std::map<std::string, FailoverStats> stats_;
  std::deque<Input> queue_;
  std::vector<std::unique_ptr<Ready>> spare_batches_;
  event* process_ev_ = nullptr;
  bool process_scheduled_ = false;
  bool draining_ = false;
  std::optional<PersistentState> deferred_;  // dirty, not yet written
  bool discovered_ = false;                  // Ready::persist_soon seen since the last write
  std::optional<PersistentState> durable_;   // last written
  MonoTime last_write_{0};                   // last attempt
  uint64_t persist_writes_ = 0;
  int exit_code_ = 0;
  bool stopping_ = false;
};

}  // namespace vigil::sentinel
