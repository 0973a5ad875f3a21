// The Server's AOF glue: startup loading, reply deferral until the AOF buffer is written,
// cron, BGREWRITEAOF and shutdown. The AOF logic itself lives in AofManager / AofWriter /
// AofLoading; this file only connects it to the loop and the connections.
#include <event2/event.h>

#include <algorithm>

#include "datanode/server/aof_loading.h"
#include "datanode/server/aof_manager.h"
#include "datanode/server/child_process_slot.h"

#include "datanode/server/replication.h"
#include "datanode/server/server.h"
#include "datanode/server/snapshot.h"

namespace vigil::datanode {

Status Server::StartAof() {
  flush_ev_ = event_new(loop_.base(), -1, 0, &Server::OnFlushDeferred, this);
  if (!config_->appendonly) return Status::Ok();
  aof_ = std::make_unique<AofManager>(config_, service_.get(), children_.get(), log_.get());
  std::vector<AofLoadItem> items;
  Status st = aof_->Open(&items);
  if (!st.ok()) return st;
  loading_start_ms_ = now_ms();
  if (items.empty()) return aof_->StartWriting(now_ms());
  // Load with the listeners up: clients get -LOADING until the data set is in.
  aof_loading_ =
      std::make_unique<AofLoading>(config_, service_.get(), log_.get(), std::move(items));
  service_->set_loading(true);
  Status primed = aof_loading_->Prime(now_ms(), [this] {
    service_->set_now(now_ms());
    event_base_loop(loop_.base(), EVLOOP_NONBLOCK);
  });
  if (!primed.ok()) return primed;
  loop_.After(Millis(0), [this] { AofLoadStep(); });
  return Status::Ok();
}

void Server::AofLoadStep() {
  service_->set_now(now_ms());
  AofLoading::Progress p = aof_loading_->Step(now_ms());
  if (p == AofLoading::Progress::kMore) {
    loop_.After(Millis(0), [this] { AofLoadStep(); });
    return;
  }
  if (p == AofLoading::Progress::kFailed) {
    log_->error("{}", aof_loading_->error());
    exit_code_ = 1;
    loop_.Stop();
    return;
  }
  if (std::optional<ReplPosition> at = aof_loading_->ResumablePosition()) {
    // The files end exactly at a replication mark: the data set is the stream of that id up
    // to that offset, as an RDB's repl-id/repl-offset would say.
    log_->info("The AOF ends at replication ID {} offset {}: a partial resync can continue it",
               at->replid, at->offset);
    service_->rdb.loaded_repl_id = at->replid;
    service_->rdb.loaded_repl_offset = at->offset;
  }
  aof_loading_.reset();
  Status st = aof_->StartWriting(now_ms());
  if (!st.ok()) {
    log_->error("Can't open the append-only file: {}", st.message());
    exit_code_ = 1;
    loop_.Stop();
    return;
  }
  service_->set_loading(false);
  log_->info("DB loaded from append only file: {:.3f} seconds",
             double(now_ms() - loading_start_ms_) / 1000.0);
  // Replication starts once the data is in, as Redis's does after loadDataFromDisk: a replica
  // that dialled its master during the load would ask for a full resync of data it is loading.
  replication_->Start(RestoredReplicationHistory(service_->rdb));
  log_->info("Ready to accept connections");
  AfterCommands(nullptr);
}

bool Server::DeferReplies(Connection* c) {
  if (!aof_ || flushing_deferred_ || !aof_->writer().has_pending()) return false;
  if (std::find(deferred_.begin(), deferred_.end(), c) == deferred_.end()) deferred_.push_back(c);
  if (!flush_scheduled_) {
    // Runs after every callback already active in this loop iteration: one write (and one
    // fsync with `always`) covers all of them.
    flush_scheduled_ = true;
    event_active(flush_ev_, EV_TIMEOUT, 0);
  }
  return true;
}

void Server::OnFlushDeferred(evutil_socket_t, short, void* arg) {
  static_cast<Server*>(arg)->FlushDeferredReplies();
}

void Server::FlushDeferredReplies() {
  flush_scheduled_ = false;
  if (aof_) aof_->BeforeReplies(now_ms());
  flushing_deferred_ = true;
  for (Connection* c : std::exchange(deferred_, {})) {
    if (!c->Flush()) c->MarkClosing("write error");
  }
  flushing_deferred_ = false;
  ReapClosed();
}

void Server::AofCron() {
  if (aof_retry_after_sync_ && !aof_ && config_->appendonly) {
    aof_retry_after_sync_ = !SwitchAof(true).ok();
  }
  if (!aof_ && aof_rewrite_only_) aof_rewrite_only_->Cron(now_ms());
  if (!aof_ || aof_loading_) return;
  aof_->Cron(now_ms());
}

std::string Server::BgRewriteAof() {
  if (aof_loading_) return "LOADING Redis is loading the dataset in memory";
  AofManager* aof = aof_.get();
  if (aof == nullptr) {
    if (!aof_rewrite_only_) {
      auto rewrite_only =
          std::make_unique<AofManager>(config_, service_.get(), children_.get(), log_.get());
      Status st = rewrite_only->OpenForRewriteOnly();
      if (!st.ok()) {
        log_->warn("Can't rewrite the append only file: {} {}", st.message(), Where());
        return "ERR Can't execute an AOF background rewriting. Please check the server logs for "
               "more information.";
      }
      aof_rewrite_only_ = std::move(rewrite_only);
    }
    aof = aof_rewrite_only_.get();
  }
  if (children_->kind() == ChildKind::kAofRewrite) {
    return "ERR Background append only file rewriting already in progress";
  }
  if (children_->busy() || service_->in_exec()) {
    // Starts from cron once the other child (BGSAVE, replication snapshot) is done, or once the
    // transaction that asked for it has ended.
    service_->aof.rewrite_scheduled = true;
    service_->aof.rewrites_consecutive_failures = 0;
    return "";
  }
  return aof->StartRewrite(now_ms());
}

Status Server::ApplyConfig(const std::string& name) {
  if (name == "appendonly") return SwitchAof(config_->appendonly);
  if (name == "port" || name.rfind("tls-", 0) == 0) return ApplyTlsConfig(name);
  if (name == "bind") return ApplyBind();
  if (name == "oom-score-adj" && !ApplyOomScore()) {
    return Status::Error("Failed to set current oom_score_adj. Check server logs.");
  }
  if (name == "oom-score-adj-values" && !ApplyOomScore()) {
    return Status::Error("Failed to apply oom-score-adj-values configuration. Check server logs.");
  }
  return Status::Ok();
}

// Redis's startAppendOnly / stopAppendOnly. Turning on keeps nothing from an earlier period's
// files: the rewrite writes a base of the whole dataset and the old files become history.
Status Server::SwitchAof(bool on) {
  if (on == (aof_ != nullptr)) return Status::Ok();
  if (aof_loading_) return Status::Error("Unable to switch AOF while loading the AOF.");
  if (!on) {
    aof_->Stop();
    aof_.reset();
    log_->info("AOF turned off (CONFIG SET appendonly no)");
    return Status::Ok();
  }
  if (aof_rewrite_only_) {
    // Its rewrite misses what is written from now on: start over with one that keeps it.
    if (aof_rewrite_only_->child_running()) {
      log_->info(
          "AOF was enabled but there is already an AOF rewriting in background. Stopping "
          "background AOF and starting a rewrite now.");
    }
    aof_rewrite_only_->Stop();
    aof_rewrite_only_.reset();
  }
  if (children_->kind() == ChildKind::kAofRewrite) {
    return Status::Error("Unable to turn on AOF. Check server logs.");
  }
  auto aof = std::make_unique<AofManager>(config_, service_.get(), children_.get(), log_.get());
  Status st = aof->EnableAtRuntime(now_ms());
  if (!st.ok()) {
    log_->warn(
        "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation: {}",
        st.message());
    aof->Stop();
    return Status::Error("Unable to turn on AOF. Check server logs.");
  }
  aof_ = std::move(aof);
  return Status::Ok();
}

void Server::PrepareForFullSyncLoad() {
  if (snapshot_ != nullptr && snapshot_->child_running()) {
    log_->warn(
        "Replica is about to load the RDB file received from the master, but there is a pending "
        "RDB child running. Killing process {} and removing its temp file to avoid any race",
        children_->pid());
    snapshot_->AbortChild();
  }
  if (aof_ && !aof_loading_) {
    aof_->Stop();
    aof_.reset();
  }
}

void Server::FinishFullSyncLoad() {
  if (!config_->appendonly || aof_ || aof_loading_) return;
  Status st = SwitchAof(true);
  if (!st.ok()) {
    log_->warn(
        "Failed enabling the AOF after successful master synchronization! Trying it again "
        "in one second.");
    aof_retry_after_sync_ = true;
  }
}

void Server::ShutdownAof() {
  if (aof_rewrite_only_) aof_rewrite_only_->Shutdown();
  if (!aof_ || aof_loading_) return;
  aof_->Shutdown();
}

}  // namespace vigil::datanode
