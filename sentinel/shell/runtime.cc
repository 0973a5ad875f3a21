#include "sentinel/shell/runtime.h"

#include <unistd.h>

#include <csignal>
#include <type_traits>

#include "common/base/check.h"
#include "common/random/prng.h"

namespace vigil::sentinel {

namespace {

spdlog::level::level_enum LevelOf(EventLevel l) {
  switch (l) {
    case EventLevel::kDebug:
      return spdlog::level::debug;
    case EventLevel::kVerbose:
      return spdlog::level::debug;
    case EventLevel::kNotice:
      return spdlog::level::info;
    case EventLevel::kWarning:
      return spdlog::level::warn;
  }
  return spdlog::level::info;
}

}  // namespace

Runtime::Runtime(SentinelConfig config, std::unique_ptr<StateStore> store,
                 std::shared_ptr<spdlog::logger> log)
    : config_(std::move(config)),
      store_(std::move(store)),
      log_(std::move(log)),
      core_(config_.core, config_.state, OsRandomSeed()),
      links_(
          loop_.base(), [this](Input in) { Submit(std::move(in)); }, [this] { return Now(); },
          log_.get()),
      server_(loop_.base(), this, log_.get()),
      scripts_([this](Event e) { HandleEvent(e); }) {
  Prng prng(OsRandomSeed());
  facts_.run_id = prng.HexId40();
  facts_.port = config_.settings.port;
  facts_.config_file = config_.file.path;
  facts_.pid = int(::getpid());
  facts_.start_unix_ms = clock_.UnixMillis();
  facts_.start_mono = clock_.Now();
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  facts_.executable = n > 0 ? std::string(exe, size_t(n)) : "";
  process_ev_ = event_new(loop_.base(), -1, 0, &Runtime::OnProcess, this);
  links_.SetAfterRead([this] { ProcessQueue(); });
}

Runtime::~Runtime() {
  if (process_ev_ != nullptr) event_free(process_ev_);
}

Status Runtime::Start() {
  const SentinelSettings& s = config_.settings;
  Status st = Status::Ok();
  if (s.port != 0 || s.tls_port == 0) {
    st = server_.Listen(s.bind, s.port);
    if (!st.ok()) return st;
  }
  if (s.tls_configured()) {
    // Built here, after the chdir to `dir`: relative certificate paths name files inside it.
    net::TlsSettings tls = s.tls;
    tls.ca_required = s.tls_auth_clients != net::TlsAuthClients::kNo || s.tls_replication;
    auto built = net::TlsContext::Build(tls);
    if (!built.ok()) return Status::Error("Failed to configure TLS: " + built.status().message());
    std::shared_ptr<net::TlsContext> ctx = std::move(built).value();
    if (s.tls_port != 0) {
      st = server_.ListenTls(s.bind, s.tls_port, ctx, s.tls_auth_clients);
      if (!st.ok()) return st;
    }
    if (s.tls_replication) links_.SetTls(ctx);
  }
  if (config_.settings.http_port > 0) {
    http_ = std::make_unique<HttpEndpoint>(loop_.base(), this);
    st = http_->Listen(config_.settings.http_bind, config_.settings.http_port);
    if (!st.ok()) return st;
  }
  // The state must be writable (Redis exits otherwise); this also records a new myid at once.
  core_.Tick(Now());
  Ready first = core_.TakeReady();
  VIGIL_CHECK(first.write.has_value());  // the first batch is always written
  st = store_->Save(*first.write);
  if (!st.ok()) return Status::Error("cannot save the sentinel state: " + st.message());
  ++persist_writes_;
  core_.StateWritten(true, first);
  log_->info("Sentinel ID is {}", core_.myid());
  for (const Event& e : first.events) HandleEvent(e);
  for (Action& a : first.actions) Execute(a);
  loop_.Every(kTickPeriod, [this] { Tick(); });
  loop_.OnSignal(SIGTERM, [this] {
    log_->warn("Received SIGTERM scheduling shutdown...");
    Shutdown();
  });
  loop_.OnSignal(SIGINT, [this] {
    log_->warn("Received SIGINT scheduling shutdown...");
    Shutdown();
  });
  ProcessQueue();
  return Status::Ok();
}

int Runtime::Run() {
  loop_.Run();
  return exit_code_;
}

void Runtime::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  WriteUnwritten();
  log_->warn("Sentinel is now ready to exit, bye bye...");
  loop_.Stop();
}

void Runtime::Submit(Input input) {
  queue_.push_back(std::move(input));
  if (!process_scheduled_ && !draining_) {
    process_scheduled_ = true;
    event_active(process_ev_, EV_TIMEOUT, 0);
  }
}

void Runtime::OnProcess(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Runtime*>(arg);
  self->process_scheduled_ = false;
  self->ProcessQueue();
}

void Runtime::ProcessQueue() {
  if (draining_) return;
  draining_ = true;
  while (!queue_.empty() && !stopping_) {
    Input in = std::move(queue_.front());
    queue_.pop_front();
    core_.Step(Now(), in);
    Drain();
  }
  draining_ = false;
}

void Runtime::Tick() {
  if (stopping_) return;
  MonoTime now = Now();
  draining_ = true;
  core_.Tick(now);
  Drain();
  draining_ = false;
  ProcessQueue();
  links_.Maintain();
  ProcessQueue();  // connect timeouts reported by Maintain
  server_.Maintain();
  const TimerOptions& t = core_.options().timers;
  scripts_.Run(now, t.script_max_runtime, t.script_retry_delay);
}

bool Runtime::Write(const PersistentState& state) {
  Status st = store_->Save(state);
  if (!st.ok()) {
    log_->warn("WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
               st.message());
    return false;
  }
  ++persist_writes_;
  log_->debug("Sentinel new configuration saved on disk ({})", store_->path());
  return true;
}

void Runtime::WriteUnwritten() {
  if (std::optional<PersistentState> state = core_.UnwrittenState()) Write(*state);
}

void Runtime::Drain() {
  // Drain runs after every input; a batch taken from the spares keeps its vectors' capacity.
  // (A pool, not one member: executing an action must never find its own batch reused.)
  std::unique_ptr<Ready> batch;
  if (spare_batches_.empty()) {
    batch = std::make_unique<Ready>();
  } else {
    batch = std::move(spare_batches_.back());
    spare_batches_.pop_back();
  }
  core_.TakeReady(*batch);
  DrainBatch(*batch);
  spare_batches_.push_back(std::move(batch));
}

void Runtime::DrainBatch(Ready& r) {
  if (r.empty()) return;
  if (r.write) core_.StateWritten(Write(*r.write), r);
  for (const Event& e : r.events) HandleEvent(e);
  for (Action& a : r.actions) {
    Execute(a);
    if (stopping_) break;
  }
}

void Runtime::HandleEvent(const Event& e) {
  log_->log(LevelOf(e.level), "{}", ToString(e));
  if (e.level != EventLevel::kDebug) server_.Publish(e.type, e.message);
}

void Runtime::Execute(Action& a) {
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ConnectAction>) {
          links_.Connect(x);
        } else if constexpr (std::is_same_v<T, CloseAction>) {
          links_.Close(x.conn);
        } else if constexpr (std::is_same_v<T, SendAction>) {
          links_.Send(std::move(x));
        } else if constexpr (std::is_same_v<T, ReplyToClient>) {
          server_.Reply(x.token, x.reply);
        } else if constexpr (std::is_same_v<T, RunScript>) {
          scripts_.Enqueue(x.argv, Now());
        } else {
          if (x.reason.empty()) {
            log_->warn("Sentinel crash simulation: exiting with code {}", x.code);
            WriteUnwritten();
          } else {
            log_->critical("{}", x.reason);
          }
          log_->flush();
          std::_Exit(x.code);
        }
      },
      a);
}

}  // namespace vigil::sentinel
