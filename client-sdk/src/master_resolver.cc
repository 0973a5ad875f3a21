#include "client-sdk/src/master_resolver.h"

#include <sys/socket.h>

#include <thread>
#include <type_traits>
#include <utility>

#include "client-sdk/src/sentinel_replies.h"

namespace vigil::client {
namespace {

DiscoveryConfig ToDiscoveryConfig(const Options& o) {
  DiscoveryConfig c;
  c.majority_view = o.majority_view;
  c.learn_sentinels = o.learn_sentinels;
  c.rediscover_pause = o.rediscover_pause;
  return c;
}

MonoTime Now() {
  return std::chrono::steady_clock::now();
}

}  // namespace

MasterResolver::MasterResolver(const Options& options, Logger log)
    : master_name_(options.master_name),
      log_(std::move(log)),
      fsm_(ToDiscoveryConfig(options), options.sentinels) {
  node_settings_.connect_timeout = options.connect_timeout;
  node_settings_.command_timeout = options.command_timeout;
  node_settings_.username = options.username;
  node_settings_.password = options.password;
  node_settings_.db = options.db;
  sentinel_settings_.connect_timeout = options.sentinel_timeout;
  sentinel_settings_.command_timeout = options.sentinel_timeout;
  sentinel_settings_.username = options.sentinel_username;
  sentinel_settings_.password = options.sentinel_password;
}

Result<MasterTarget> MasterResolver::Acquire(MonoTime deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (master_) return MasterTarget{*master_, generation_, nullptr};
    if (!resolving_) return ResolveLocked(lock, deadline);
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && resolving_ && !master_) {
      return Error{ErrorCode::kDeadlineExceeded, "deadline passed while another call resolved"};
    }
  }
}

Result<MasterTarget> MasterResolver::ResolveLocked(std::unique_lock<std::mutex>& lock,
                                                   MonoTime deadline) {
  resolving_ = true;
  fsm_.Begin(Now(), deadline);
  std::unique_ptr<NodeConnection> verified;
  while (true) {
    DiscoveryAction action = fsm_.Next(Now());
    if (auto* use = std::get_if<UseMaster>(&action)) {
      resolving_ = false;
      master_ = use->master;
      ++generation_;
      ++resolutions_;
      if (last_master_ != master_) {
        if (last_master_) ++master_changes_;
        log_(LogLevel::kInfo, "master " + master_name_ + " is " + use->master.ToString() +
                                  (last_master_ ? " (was " + last_master_->ToString() + ")" : ""));
      }
      last_master_ = master_;
      if (verified && verified->address() == use->master) {
        verified->master_generation = generation_;
      } else {
        verified.reset();
      }
      cv_.notify_all();
      return MasterTarget{*master_, generation_, std::move(verified)};
    }
    if (auto* fail = std::get_if<FailResolution>(&action)) {
      resolving_ = false;
      cv_.notify_all();
      log_(LogLevel::kWarn, "no master for " + master_name_ + ": " + fail->error.message);
      return fail->error;
    }
    if (auto* sleep = std::get_if<Sleep>(&action)) {
      cv_.wait_until(lock, sleep->until);  // a +switch-master wakes it early
      continue;
    }
    // Network actions run without the lock; their outcome is fed back under it.
    lock.unlock();
    if (auto* ask = std::get_if<AskSentinel>(&action)) {
      SentinelAnswer answer = AskMasterAddr(ask->sentinel);
      lock.lock();
      fsm_.OnSentinelAnswer(Now(), ask->index, answer);
    } else if (auto* list = std::get_if<AskSentinelList>(&action)) {
      std::vector<Address> learned = FetchSentinelList(list->sentinel);
      lock.lock();
      fsm_.OnSentinelList(Now(), learned);
    } else {
      const Address node = std::get<VerifyRole>(action).node;
      std::unique_ptr<NodeConnection> conn;
      RoleAnswer role = CheckRole(node, &conn);
      lock.lock();
      if (role == RoleAnswer::kMaster) verified = std::move(conn);
      fsm_.OnRoleAnswer(Now(), node, role);
    }
  }
}

SentinelAnswer MasterResolver::AskMasterAddr(const Address& sentinel) {
  auto conn = NodeConnection::Open(sentinel, sentinel_settings_);
  if (!conn.ok()) return {SentinelAnswerKind::kUnreachable, {}, conn.error().message};
  auto r = (*conn)->Run({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", master_name_});
  if (!r.ok()) return {SentinelAnswerKind::kUnreachable, {}, r.error().message};
  return DecodeMasterAddrReply(*r);
}

std::vector<Address> MasterResolver::FetchSentinelList(const Address& sentinel) {
  auto conn = NodeConnection::Open(sentinel, sentinel_settings_);
  if (!conn.ok()) return {};
  auto r = (*conn)->Run({"SENTINEL", "SENTINELS", master_name_});
  if (!r.ok() || r->is_error()) return {};
  return SentinelAddresses(*r);
}

RoleAnswer MasterResolver::CheckRole(const Address& node,
                                     std::unique_ptr<NodeConnection>* verified) {
  auto conn = NodeConnection::Open(node, node_settings_);
  if (!conn.ok()) return RoleAnswer::kUnreachable;
  {
    std::lock_guard<std::mutex> lock(mu_);
    role_check_fd_ = (*conn)->fd();
    role_check_node_ = node;
  }
  auto r = (*conn)->Run({"ROLE"});
  {
    std::lock_guard<std::mutex> lock(mu_);
    role_check_fd_ = -1;
  }
  if (!r.ok()) return RoleAnswer::kUnreachable;
  RoleAnswer role = DecodeRoleReply(*r);
  if (role == RoleAnswer::kMaster) *verified = std::move(conn).value();
  return role;
}

void MasterResolver::Invalidate(uint64_t generation, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!master_ || generation != generation_) return;
  log_(LogLevel::kInfo,
       "re-resolving master " + master_name_ + " (" + master_->ToString() + "): " + why);
  master_.reset();
}

void MasterResolver::OnSwitchMaster(const Address& sentinel, const Address& new_master) {
  std::lock_guard<std::mutex> lock(mu_);
  ++switch_master_events_;
  fsm_.OnSwitchMaster(new_master);
  if (role_check_fd_ >= 0 && role_check_node_ != new_master) {
    // A ROLE check on the old master may hang for a whole command timeout (SIGSTOP); its answer
    // no longer matters, so cut it short. The fd stays open until CheckRole clears it.
    ::shutdown(role_check_fd_, SHUT_RDWR);
  }
  if (master_ && *master_ != new_master) {
    log_(LogLevel::kInfo, "+switch-master " + master_name_ + " -> " + new_master.ToString() +
                              " from sentinel " + sentinel.ToString());
    master_.reset();
  }
  cv_.notify_all();
}

void MasterResolver::PauseUnlessSwitched(uint64_t seen, std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  ++pausing_;
  cv_.wait_for(lock, delay, [&] { return switch_master_events_ != seen; });
  --pausing_;
}

int MasterResolver::pausing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pausing_;
}

std::vector<Address> MasterResolver::Sentinels() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fsm_.sentinels();
}

uint64_t MasterResolver::resolutions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resolutions_;
}
uint64_t MasterResolver::master_changes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return master_changes_;
}
uint64_t MasterResolver::switch_master_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return switch_master_events_;
}

}  // namespace vigil::client
