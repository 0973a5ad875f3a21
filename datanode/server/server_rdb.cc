// The Server's RDB glue: startup load, SAVE / BGSAVE, save points in cron, saving on shutdown.
// The snapshot logic lives in Snapshotter; this file only connects it to the loop.
#include "datanode/server/server.h"
#include "datanode/server/snapshot.h"

namespace vigil::datanode {

Status Server::StartRdb() {
  snapshot_ = std::make_unique<Snapshotter>(config_, service_.get(), log_.get());
  if (config_->appendonly) return Status::Ok();  // the AOF is the source of truth then
  return snapshot_->LoadAtStartup(now_ms());
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

Result<std::string> Server::BgSave(bool schedule) {
  if (!snapshot_) return Status::Error("ERR Background saving is not available");
  return snapshot_->BgSave(schedule, now_ms());
}

}  // namespace vigil::datanode
