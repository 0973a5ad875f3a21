// Client: the public API over MasterResolver (who is the master), ConnectionPool (sockets) and
// RetryPolicy (what to do after each attempt). This file executes decisions; it makes none.
#include "vigil/client/client.h"

#include <atomic>
#include <mutex>
#include <random>

#include "client-sdk/src/connection_pool.h"
#include "client-sdk/src/master_resolver.h"
#include "client-sdk/src/retry_policy.h"
#include "client-sdk/src/sentinel_replies.h"
#include "client-sdk/src/switch_master_listener.h"
#include "common/random/prng.h"

namespace vigil::client {
namespace {

MonoTime Now() {
  return std::chrono::steady_clock::now();
}

uint64_t SeedFrom(const Options& o) {
  if (o.seed != 0) return o.seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

std::optional<Error> Validate(const Options& o) {
  if (o.sentinels.empty()) return Error{ErrorCode::kInvalidArgument, "no sentinels configured"};
  if (o.master_name.empty()) return Error{ErrorCode::kInvalidArgument, "empty master name"};
  for (const auto& s : o.sentinels) {
    if (s.host.empty() || s.port <= 0 || s.port > 65535) {
      return Error{ErrorCode::kInvalidArgument, "bad sentinel address '" + s.ToString() + "'"};
    }
  }
  using std::chrono::milliseconds;
  if (o.sentinel_timeout <= milliseconds(0) || o.connect_timeout <= milliseconds(0) ||
      o.command_timeout <= milliseconds(0) || o.call_deadline <= milliseconds(0) ||
      o.backoff_initial <= milliseconds(0) || o.backoff_max < o.backoff_initial) {
    return Error{ErrorCode::kInvalidArgument, "timeouts and backoff must be positive"};
  }
  return std::nullopt;
}

}  // namespace

struct TlsContexts {
  std::shared_ptr<TlsClientContext> nodes;
  std::shared_ptr<TlsClientContext> sentinels;
};

class Client::Impl {
 public:
  Impl(Options options, TlsContexts tls)
      : options_(std::move(options)),
        resolver_(options_, [this](LogLevel l, const std::string& m) { Log(l, m); }),
        pool_(options_.pool_size),
        prng_(SeedFrom(options_)) {
    resolver_.SetTls(std::move(tls.nodes), std::move(tls.sentinels));
    const std::size_t n = std::min<std::size_t>(
        static_cast<std::size_t>(std::max(0, options_.switch_master_subscriptions)),
        options_.sentinels.size());
    if (n > 0) {
      std::vector<Address> subscribed(options_.sentinels.begin(), options_.sentinels.begin() + n);
      listener_ = std::make_unique<SwitchMasterListener>(
          subscribed, options_.master_name, resolver_.sentinel_settings(),
          [this](const Address& s, const Address& m) { resolver_.OnSwitchMaster(s, m); },
          [this](LogLevel l, const std::string& m) { Log(l, m); });
    }
  }

  Result<std::vector<Reply>> OnMaster(const std::vector<std::vector<std::string>>& commands,
                                      CallInfo* info);
  Result<std::vector<Reply>> OnReplica(const std::vector<std::vector<std::string>>& commands,
                                       CallInfo* info);
  Result<Address> CurrentMaster(bool force);
  ClientStats Stats() const;
  std::vector<Address> Sentinels() const { return resolver_.Sentinels(); }

 private:
  struct Attempt {
    CallOutcome outcome = CallOutcome::kReply;
    std::optional<Error> error;
    std::vector<Reply> replies;
  };
  Attempt RunOn(NodeConnection& conn, const std::vector<std::vector<std::string>>& commands);
  std::vector<Address> ReplicaCandidates(bool refresh);
  RetryDecision Decide(RetryPolicy& policy, CallOutcome outcome) {
    std::lock_guard<std::mutex> lock(prng_mu_);
    return policy.Decide(Now(), outcome, prng_);
  }
  void Log(LogLevel level, const std::string& message) const {
    if (options_.log) options_.log(level, message);
  }

  Options options_;
  MasterResolver resolver_;
  ConnectionPool pool_;
  std::mutex prng_mu_;
  Prng prng_;
  std::atomic<uint64_t> calls_{0}, retries_{0}, dropped_{0}, readonly_{0};
  std::mutex replicas_mu_;
  std::vector<Address> replicas_;
  MonoTime replicas_fetched_{};
  std::size_t replica_cursor_ = 0;
  // Last member: its threads call into resolver_, so they must stop before anything else dies.
  std::unique_ptr<SwitchMasterListener> listener_;
};

Client::Impl::Attempt Client::Impl::RunOn(NodeConnection& conn,
                                          const std::vector<std::vector<std::string>>& commands) {
  Attempt a;
  auto replies = commands.size() == 1 ? [&]() -> Result<std::vector<Reply>> {
    auto r = conn.Run(commands[0]);
    if (!r.ok()) return r.error();
    return std::vector<Reply>{std::move(r).value()};
  }()
      : conn.RunPipeline(commands);
  if (!replies.ok()) {
    a.outcome = replies.error().code == ErrorCode::kTimeout ? CallOutcome::kTimeout
                                                            : CallOutcome::kConnectionLost;
    a.error = replies.error();
    return a;
  }
  a.replies = std::move(replies).value();
  for (const Reply& r : a.replies) {
    const CallOutcome o = ClassifyReply(r);
    if (o != CallOutcome::kReply) {
      a.outcome = o;
      a.error = Error{ErrorCode::kConnection, conn.address().ToString() + ": " + r.str()};
      break;
    }
  }
  return a;
}

Result<std::vector<Reply>> Client::Impl::OnMaster(
    const std::vector<std::vector<std::string>>& commands, CallInfo* info) {
  ++calls_;
  const MonoTime deadline = Now() + options_.call_deadline;
  RetryPolicy policy({options_.backoff_initial, options_.backoff_max}, deadline);
  while (true) {
    Attempt a;
    std::unique_ptr<NodeConnection> conn;
    const uint64_t switches_before = resolver_.switch_master_events();
    auto target = resolver_.Acquire(deadline);
    if (!target.ok()) {
      a.outcome = CallOutcome::kNoMaster;
      a.error = target.error();
    } else {
      conn = std::move(target->verified);
      if (!conn) conn = pool_.Take(target->address, target->generation);
      if (!conn) {
        // Every new master connection is ROLE-checked: a write never goes to a node that did
        // not say "master" on this very connection.
        auto opened = NodeConnection::Open(target->address, resolver_.node_settings());
        if (opened.ok()) {
          auto role = (*opened)->Run({"ROLE"});
          if (!role.ok()) {
            a.outcome = role.error().code == ErrorCode::kTimeout ? CallOutcome::kTimeout
                                                                 : CallOutcome::kConnectionLost;
            a.error = role.error();
          } else if (DecodeRoleReply(*role) != RoleAnswer::kMaster) {
            a.outcome = CallOutcome::kNotMaster;
            a.error = Error{ErrorCode::kNoMaster, target->address.ToString() + " is not a master"};
          } else {
            conn = std::move(opened).value();
            conn->master_generation = target->generation;
          }
        } else {
          a.outcome = CallOutcome::kConnectFailed;
          a.error = opened.error();
        }
      }
      if (conn) a = RunOn(*conn, commands);
    }
    const RetryDecision d = Decide(policy, a.outcome);
    if (d.kind == RetryDecision::Kind::kReturn) {
      if (info) *info = CallInfo{conn->address(), policy.attempts()};
      pool_.Give(std::move(conn));
      return std::move(a.replies);
    }
    if (a.outcome == CallOutcome::kReadOnly) ++readonly_;
    if (d.drop_connection && conn) ++dropped_;
    if (!d.drop_connection) pool_.Give(std::move(conn));
    conn.reset();
    if (d.reresolve && target.ok()) {
      resolver_.Invalidate(target->generation,
                           std::string(CallOutcomeName(a.outcome)) + ": " + a.error->message);
    }
    if (d.kind == RetryDecision::Kind::kGiveUp) {
      if (a.outcome == CallOutcome::kNoMaster) return *a.error;
      return Error{ErrorCode::kDeadlineExceeded, "gave up after " +
                                                     std::to_string(policy.attempts()) +
                                                     " attempts; last: " + a.error->message};
    }
    ++retries_;
    Log(LogLevel::kDebug, "retrying in " + std::to_string(d.delay.count()) + " ms after " +
                              CallOutcomeName(a.outcome) + ": " + a.error->message);
    // A +switch-master during the backoff ends it: the master it names is where the next
    // attempt goes, and waiting out the rest of the delay is pure write pause.
    resolver_.PauseUnlessSwitched(switches_before, d.delay);
  }
}

std::vector<Address> Client::Impl::ReplicaCandidates(bool refresh) {
  std::lock_guard<std::mutex> lock(replicas_mu_);
  const MonoTime now = Now();
  if (refresh || replicas_.empty() || now - replicas_fetched_ >= options_.replica_list_ttl) {
    replicas_fetched_ = now;
    replicas_.clear();
    for (const Address& s : resolver_.Sentinels()) {
      auto conn = NodeConnection::Open(s, resolver_.sentinel_settings());
      if (!conn.ok()) continue;
      auto r = (*conn)->Run({"SENTINEL", "REPLICAS", options_.master_name});
      if (!r.ok() || r->is_error()) continue;
      replicas_ = HealthyReplicas(*r);
      break;
    }
  }
  // Rotate so that successive reads spread over the replicas.
  std::vector<Address> out;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    out.push_back(replicas_[(replica_cursor_ + i) % replicas_.size()]);
  }
  ++replica_cursor_;
  return out;
}

Result<std::vector<Reply>> Client::Impl::OnReplica(
    const std::vector<std::vector<std::string>>& commands, CallInfo* info) {
  bool failed = false;
  for (const Address& replica : ReplicaCandidates(false)) {
    std::unique_ptr<NodeConnection> conn = pool_.Take(replica, std::nullopt);
    if (!conn) {
      auto opened = NodeConnection::Open(replica, resolver_.node_settings());
      if (!opened.ok()) {
        failed = true;
        continue;
      }
      conn = std::move(opened).value();
    }
    Attempt a = RunOn(*conn, commands);
    if (a.outcome == CallOutcome::kReply) {
      ++calls_;
      if (info) *info = CallInfo{replica, 1};
      pool_.Give(std::move(conn));
      return std::move(a.replies);
    }
    failed = true;
    ++dropped_;
    Log(LogLevel::kDebug, "replica read failed at " + replica.ToString() + ": " + a.error->message);
  }
  if (failed) ReplicaCandidates(true);
  return OnMaster(commands, info);  // no healthy replica answered: the master serves reads too
}

Result<Address> Client::Impl::CurrentMaster(bool force) {
  const MonoTime deadline = Now() + options_.call_deadline;
  if (force) {
    auto t = resolver_.Acquire(deadline);
    if (t.ok()) resolver_.Invalidate(t->generation, "asked by the application");
  }
  auto t = resolver_.Acquire(deadline);
  if (!t.ok()) return t.error();
  pool_.Give(std::move(t->verified));
  return t->address;
}

ClientStats Client::Impl::Stats() const {
  ClientStats s;
  s.calls = calls_;
  s.retries = retries_;
  s.resolutions = resolver_.resolutions();
  s.master_changes = resolver_.master_changes();
  s.switch_master_events = resolver_.switch_master_events();
  s.dropped_connections = dropped_;
  s.readonly_replies = readonly_;
  return s;
}

// ---- public API ----

Result<std::unique_ptr<Client>> Client::Create(Options options) {
  if (auto e = Validate(options)) return *e;
  TlsContexts tls;
  auto nodes = TlsClientContext::Build(options.tls);
  if (!nodes.ok()) return nodes.error();
  tls.nodes = std::move(nodes).value();
  auto sentinels = TlsClientContext::Build(options.sentinel_tls);
  if (!sentinels.ok()) return sentinels.error();
  tls.sentinels = std::move(sentinels).value();
  return std::unique_ptr<Client>(
      new Client(std::make_unique<Impl>(std::move(options), std::move(tls))));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<Reply> Client::CommandArgv(const std::vector<std::string>& argv, CallInfo* info) {
  if (argv.empty()) return Error{ErrorCode::kInvalidArgument, "empty command"};
  auto r = impl_->OnMaster({argv}, info);
  if (!r.ok()) return r.error();
  return std::move(r->front());
}

Result<std::vector<Reply>> Client::Pipeline(const std::vector<std::vector<std::string>>& commands,
                                            CallInfo* info) {
  if (commands.empty()) return std::vector<Reply>{};
  for (const auto& c : commands) {
    if (c.empty()) return Error{ErrorCode::kInvalidArgument, "empty command in pipeline"};
  }
  return impl_->OnMaster(commands, info);
}

Result<Reply> Client::ReadCommandArgv(const std::vector<std::string>& argv, CallInfo* info) {
  if (argv.empty()) return Error{ErrorCode::kInvalidArgument, "empty command"};
  auto r = impl_->OnReplica({argv}, info);
  if (!r.ok()) return r.error();
  return std::move(r->front());
}

Result<Address> Client::CurrentMaster() {
  return impl_->CurrentMaster(false);
}
Result<Address> Client::Resolve() {
  return impl_->CurrentMaster(true);
}
std::vector<Address> Client::Sentinels() const {
  return impl_->Sentinels();
}
ClientStats Client::Stats() const {
  return impl_->Stats();
}

}  // namespace vigil::client
