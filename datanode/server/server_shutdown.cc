// The Server's shutdown, as Redis 7.0 does it (prepareForShutdown / finishShutdown):
//   - SHUTDOWN or SIGTERM/SIGINT on a master whose replicas have not acknowledged the current
//     offset, without NOW and with shutdown-timeout > 0, pauses writes, sends REPLCONF GETACK
//     and waits (the SHUTDOWN client stays blocked); cron finishes once every replica caught up
//     or the timeout passed. SHUTDOWN ABORT cancels: blocked SHUTDOWN clients get an error and
//     the held writes run.
//   - Finishing kills a fork child, refuses while the first AOF rewrite after CONFIG SET
//     appendonly yes runs (unless FORCE), fsyncs the AOF, saves the RDB when asked or when save
//     points are set, pushes what it can of the replicas' output and stops the loop.
//   - Vigil, with sentinel-shutdown-handoff: a master monitored by sentinels first hands its role
//     to a replica (ShutdownHandoff), then shuts down as above.
// The waiting rule itself is the pure ShutdownGate.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <sstream>

#include "common/base/ascii_case.h"
#include "datanode/server/aof_manager.h"
#include "datanode/server/replication.h"
#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

constexpr const char* kShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
// A sentinel publishes a hello every 2 s: one silent for 10 s is gone or cut off.
constexpr Millis kHandoffSentinelMaxAge{10000};

// shutdown-on-sigterm / shutdown-on-sigint: "default" or any of save, nosave, now, force.
ShutdownRequest SignalFlags(const std::string& text) {
  ShutdownRequest r;
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    if (EqualsIgnoreCase(w, "save")) r.save = true;
    if (EqualsIgnoreCase(w, "nosave")) r.nosave = true;
    if (EqualsIgnoreCase(w, "now")) r.now = true;
    if (EqualsIgnoreCase(w, "force")) r.force = true;
  }
  return r;
}

}  // namespace

bool Server::ReplicasCaughtUp() const {
  return replication_ == nullptr || replication_->ReplicasCaughtUp();
}

bool Server::ShuttingDown() const {
  return shutdown_gate_.waiting() || (handoff_ != nullptr && handoff_->active());
}

void Server::OnShutdownSignal(int sig) {
  const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
  if (ShuttingDown() && sig == SIGINT) {
    log_->warn("You insist... exiting now. {}", Where());
    std::exit(1);
  }
  log_->warn("Received {} scheduling shutdown... {}", name, Where());
  if (ShuttingDown()) return;  // already shutting down
  shutdown_signalled_ = true;
  const char* option = sig == SIGINT ? "shutdown-on-sigint" : "shutdown-on-sigterm";
  auto it = config_->passive.find(option);
  std::string err = Shutdown(nullptr, SignalFlags(it == config_->passive.end() ? "" : it->second));
  if (!err.empty()) {
    log_->warn(
        "{} received but errors trying to shut down the server, check the logs for more "
        "information {}",
        name, Where());
  }
}

std::string Server::Shutdown(Session* s, const ShutdownRequest& request) {
  if (request.abort) {
    if (!ShuttingDown()) return "ERR No shutdown in progress.";
    log_->warn("Shutdown manually aborted. {}", Where());
    if (handoff_ != nullptr && handoff_->active()) {
      handoff_->Cancel();
      replication_->AbortFailover();
    }
    CancelShutdown();
    return "";
  }
  if (service_->loading()) {
    // Saving now would replace the file being loaded with a partial dataset: exit as Redis
    // does when asked to stop while loading (NOSAVE).
    log_->warn("Received shutdown during loading, exiting without saving. {}", Where());
    CloseAllListeners();
    RemoveFilesOnExit();
    std::exit(0);
  }
  if (service_->ScriptTimedOut()) {
    // SHUTDOWN NOSAVE while a script is busy (the only form the service lets through). The loop
    // cannot be left from inside the script, and the handoff and the replica wait need it: the
    // process ends here, as Redis's does.
    shutdown_request_ = request;
    shutdown_request_.now = true;
    log_->warn("User requested shutdown while a script is busy... {}", Where());
    // The cron that collects a finished AOF rewrite does not run while the script is busy.
    if (aof_) (void)aof_->ReapChild(now_ms());
    std::string err = FinishShutdown();
    if (!err.empty()) return err;
    std::exit(exit_code_);
  }
  // A client waiting for the shutdown is answered only if it fails or is aborted; a
  // successful one closes the connection.
  auto block = [this, s] {
    if (s == nullptr) return;
    s->block.active = true;
    shutdown_waiters_.push_back(s);
  };
  if (ShuttingDown()) {
    block();  // joins the shutdown in progress
    return "";
  }
  shutdown_request_ = request;
  log_->warn("User requested shutdown... {}", Where());
  if (StartHandoff(request)) {
    block();
    return "";
  }
  std::string err = ShutdownAfterReplicas(request);
  if (err.empty() && !shutdown_gate_.waiting()) return "";
  if (shutdown_gate_.waiting()) block();
  return err;
}

bool Server::StartHandoff(const ShutdownRequest& request) {
  if (!config_->sentinel_shutdown_handoff || replication_ == nullptr) return false;
  if (service_->keyspace().replica_mode()) return false;  // a replica's shutdown needs nothing
  const char* skip = nullptr;
  std::vector<HandoffSentinel> sentinels =
      service_->sentinel_directory().Recent(mono_now(), kHandoffSentinelMaxAge);
  if (request.now || request.force) {
    skip = "SHUTDOWN NOW/FORCE";
  } else if (!replication_->HasOnlineReplica()) {
    skip = "no replica is online";
  } else if (sentinels.empty()) {
    skip = "no sentinel has published a hello naming this master in the last 10 s";
  }
  if (skip != nullptr) {
    log_->warn("Shutting down without a handoff: {}. {}", skip, Where());
    return false;
  }
  if (handoff_ == nullptr) {
    ShutdownHandoffLink::Hooks hooks;
    hooks.now = [this] { return mono_now(); };
    hooks.following = [this] { return replication_->FollowingAfterHandoff(); };
    hooks.finished = [this](bool handed_over, const std::string& why) {
      AfterHandoff(handed_over, why);
    };
    handoff_ = std::make_unique<ShutdownHandoffLink>(loop_.base(), log_.get(), std::move(hooks));
  }
  log_->warn(
      "Handing the master role to a replica before shutting down: asking {} sentinel(s) "
      "for a coordinated switchover of '{}'. {}",
      sentinels.size(), sentinels.front().master_name, Where());
  // Writes are held from here to the end: once the replica is promoted they would get -READONLY
  // while the sentinels may still name this node, and a client would come back here.
  replication_->PauseWritesForShutdown();
  handoff_->Start(std::move(sentinels), mono_now() + Millis(config_->shutdown_timeout * 1000));
  return true;
}

void Server::AfterHandoff(bool handed_over, const std::string& why) {
  if (handed_over) {
    log_->warn("Handoff done: {}; shutting down. {}", why, Where());
  } else {
    log_->warn("Handoff not possible: {}; shutting down the Redis way. {}", why, Where());
  }
  std::string err = ShutdownAfterReplicas(shutdown_request_);
  (void)err;  // FinishShutdown answered the waiting clients itself on an error
  AfterCommands(nullptr);
}

std::string Server::ShutdownAfterReplicas(const ShutdownRequest& request) {
  const bool ready = shutdown_gate_.Begin(
      mono_now(), request.now, Millis(config_->shutdown_timeout * 1000), ReplicasCaughtUp());
  if (!ready) {
    replication_->SendGetAck();
    replication_->PauseWritesForShutdown();
    log_->info("Waiting for replicas before shutting down. {}", Where());
    AfterCommands(nullptr);  // the GETACK leaves now
    return "";
  }
  return FinishShutdown();  // an error is the caller's reply
}

void Server::ShutdownCron() {
  if (!shutdown_gate_.ShouldFinish(mono_now(), ReplicasCaughtUp())) return;
  (void)FinishShutdown();
}

void Server::CancelShutdown() {
  shutdown_gate_.Reset();
  shutdown_signalled_ = false;
  for (Session* s : std::exchange(shutdown_waiters_, {})) {
    s->block.active = false;
    resp::ReplyWriter(&s->out, s->proto).Error(kShutdownFailed);
    service_->NoteWoken(s);
  }
  if (replication_) replication_->ResumeWritesAfterShutdown();
  AfterCommands(nullptr);
}

std::string Server::FinishShutdown() {
  const ShutdownRequest& r = shutdown_request_;
  if (replication_) replication_->LogReplicasAtShutdown();
  if (aof_ && aof_->waiting_for_rewrite() && aof_->child_running()) {
    // Exiting now would leave no AOF with the dataset in it.
    if (!r.force) {
      log_->warn("Writing initial AOF, can't exit. {}", Where());
      log_->warn("Errors trying to shut down the server. Check the logs for more information.");
      CancelShutdown();
      return kShutdownFailed;
    }
    log_->warn("Writing initial AOF. Exit anyway. {}", Where());
  }
  std::string rdb_error = ShutdownRdb(r.save, r.nosave, r.force);
  if (!rdb_error.empty()) {
    log_->warn("Errors trying to shut down the server. Check the logs for more information.");
    CancelShutdown();
    return rdb_error;
  }
  KillLuaDebugChildren();
  ShutdownAof();
  CloseAllListeners();
  RemoveFilesOnExit();
  // Best effort: whatever the replicas' sockets take now, they get before we exit.
  for (auto& [session, conn] : connections_) {
    if (session->is_replica) (void)conn->Flush();
  }
  shutdown_gate_.Reset();
  log_->warn("Redis is now ready to exit, bye bye... {}", Where());
  exit_code_ = 0;
  loop_.Stop();
  return "";
}

}  // namespace vigil::datanode
