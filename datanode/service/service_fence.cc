// Service's side of the sentinel fence: what it feeds the fence (sentinel contacts and hellos,
// the role, the configuration) and the dispatch check that refuses writes while it is up.
#include "common/config/option_registry.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kFencedError =
    "READONLY You can't write against a fenced master: fewer than a majority of its sentinels "
    "reached it within sentinel-fence-timeout, so a failover may be in progress.";

std::string IpOf(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  return colon == std::string::npos ? host_port : host_port.substr(0, colon);
}

}  // namespace

void Service::SyncFence() {
  const Millis timeout(config_->sentinel_fence_timeout);
  if (timeout != fence_.timeout()) {
    FenceOptions options;
    options.timeout = timeout;
    // The start-up value needs no grace: sentinels read INFO as soon as they connect.
    if (!fence_configured_) options.reconfigure_grace = Millis(0);
    fence_.Reconfigure(options, mono_now_);
    if (!fence_configured_ && !keyspace_.replica_mode()) RestoreFenceMembership();
  }
  fence_configured_ = true;
  fence_.SetRole(!keyspace_.replica_mode());
}

void Service::RestoreFenceMembership() {
  Result<std::string> text = fs_->ReadFile(kFenceMembershipFile);
  if (!text.ok()) return;  // none yet: no sentinel has announced itself to this node
  Result<FenceMembership> m = DecodeFenceMembership(text.value());
  if (!m.ok()) {
    // Refusing to start would turn a damaged file into an outage; a fence that knows no
    // sentinel is Redis's behaviour, and the file is rewritten as hellos arrive.
    if (hooks_ != nullptr) {
      hooks_->LogWarning(std::string("WARNING: ignoring ") + kFenceMembershipFile + ": " +
                         m.error() + "; the fence relearns its sentinels from their hellos");
    }
    return;
  }
  fence_.Restore(m.value(), mono_now_);
  fence_membership_written_ = fence_.membership_changes();
}

void Service::PersistFenceMembership() {
  if (config_->sentinel_fence_timeout <= 0 ||
      fence_.membership_changes() == fence_membership_written_) {
    return;
  }
  const uint64_t changes = fence_.membership_changes();
  Status st = fs_->ReplaceFile(kFenceMembershipFile, EncodeFenceMembership(fence_.Membership()));
  if (!st.ok()) {
    // Retried on the next heartbeat; logged once per failing streak.
    if (!fence_membership_failing_ && hooks_ != nullptr) {
      hooks_->LogWarning(std::string("WARNING: cannot write ") + kFenceMembershipFile + ": " +
                         st.message() + "; after a restart the fence would not know its sentinels");
    }
    fence_membership_failing_ = true;
    return;
  }
  fence_membership_failing_ = false;
  fence_membership_written_ = changes;
}

const SentinelFence& Service::fence() {
  SyncFence();
  return fence_;
}

void Service::FenceTick(MonoTime now) {
  mono_now_ = now;
  SyncFence();
  fence_.OnLoopTick(now);
  PersistFenceMembership();
}

std::optional<std::pair<SentinelHello, bool>> Service::HelloFromSentinel(
    const Session& s, const std::vector<std::string>& argv, size_t argc) const {
  if (argc != 3 || argv[1] != kSentinelHelloChannel || config::Lower(argv[0]) != "publish") {
    return std::nullopt;
  }
  std::optional<SentinelHello> hello = ParseSentinelHello(argv[2]);
  if (!hello) return std::nullopt;
  NodeAddress self;
  self.port = config_->replica_announce_port > 0                   ? config_->replica_announce_port
              : config_->tls_replication && config_->tls_port != 0 ? config_->tls_port
                                                                   : config_->port;
  if (!config_->replica_announce_ip.empty()) self.ips.push_back(config_->replica_announce_ip);
  self.ips.push_back(IpOf(s.laddr));
  const bool names_this_node = HelloNamesNode(*hello, self);
  return std::make_pair(std::move(*hello), names_this_node);
}

void Service::FeedFence(Session& s, const std::vector<std::string>& argv, size_t argc) {
  const std::string id = SentinelIdFromClientName(s.name);
  if (id.empty()) return;
  SyncFence();
  const bool heard_back = !s.replies_unacked;
  fence_.OnContact(mono_now_, id, heard_back);
  auto hello = HelloFromSentinel(s, argv, argc);
  if (!hello) return;
  if (hello->second) sentinel_directory_.Observe(mono_now_, hello->first);
  fence_.OnHello(mono_now_, hello->first, hello->second, heard_back);
}

void Service::NoteSentinelHello(Session& s, const std::vector<std::string>& argv, size_t argc) {
  if (SentinelIdFromClientName(s.name).empty()) return;
  auto hello = HelloFromSentinel(s, argv, argc);
  if (hello && hello->second) sentinel_directory_.Observe(mono_now_, hello->first);
}

bool Service::FenceAllowsWrite(Session& s, const CommandSpec& spec, resp::ReplyWriter& w) {
  if (config_->sentinel_fence_timeout <= 0 || s.is_master_link || !IsWriteRequest(spec, s)) {
    return true;
  }
  SyncFence();
  if (fence_.MayWrite(mono_now_)) return true;
  if (spec.name == "exec") {
    // As Redis rejects an EXEC: the transaction is discarded and the reason given.
    s.in_multi = false;
    s.multi_error = false;
    s.watch_dirty = false;
    s.queued.clear();
    waiters_.UnwatchAll(&s);
    w.Error(std::string("EXECABORT Transaction discarded because of: ") + kFencedError);
    return false;
  }
  Reject(s, w, kFencedError);
  return false;
}

}  // namespace vigil::datanode
