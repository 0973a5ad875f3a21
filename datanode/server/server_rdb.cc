// The Server's RDB glue: startup load, SAVE / BGSAVE, save points in cron, saving on shutdown.
// The snapshot logic lives in Snapshotter; this file only connects it to the loop.
#include <event2/event.h>

#include "datanode/server/server.h"
#include "datanode/server/snapshot.h"

namespace vigil::datanode {

Status Server::StartRdb() {
  snapshot_ = std::make_unique<Snapshotter>(config_, service_.get(), children_.get(), log_.get());
  if (config_->appendonly) return Status::Ok();  // the AOF is the source of truth then
  // The listeners are already up: while the file loads, clients are answered between chunks
  // (-LOADING for data commands, INFO and PING as Redis does), as the AOF load does too.
  service_->set_loading(true);
  Status st = snapshot_->LoadAtStartup(now_ms(), [this] {
    service_->set_now(now_ms());
    event_base_loop(loop_.base(), EVLOOP_NONBLOCK);
  });
  service_->set_loading(false);
  return st;
}

void Server::RdbCron() {
  if (snapshot_ && !service_->loading()) snapshot_->Cron(now_ms());
}

std::string Server::ShutdownRdb(bool save, bool nosave, bool force) {
  return snapshot_ ? snapshot_->Shutdown(save, nosave, force, now_ms()) : std::string();
}

std::string Server::Save() {
  if (!snapshot_) return "ERR";
  return snapshot_->Save(now_ms());
}

bool Server::FlushAllResetRdb() {
  if (!snapshot_) return false;
  if (snapshot_->child_running()) {
    log().warn("FLUSHALL: killing the BGSAVE child, its snapshot holds the flushed data");
    snapshot_->AbortChild();
  }
  return !config_->save.empty() && snapshot_->Save(now_ms()).empty();
}

Result<std::string> Server::BgSave(bool schedule) {
  if (!snapshot_) return Status::Error("ERR Background saving is not available");
  return snapshot_->BgSave(schedule, now_ms());
}

}  // namespace vigil::datanode
