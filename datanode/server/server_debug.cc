// The DEBUG subcommands that need the process shell: RELOAD and LOADAOF replace the dataset from
// the files on disk, CHANGE-REPL-ID and REPLICATE act on the replication stream, LOG writes to
// the server log. The command side (parsing, replies) is datanode/commands/debug_commands.cc.
#include <cstdio>
#include <cstdlib>
#include <random>

#include "datanode/server/aof_loading.h"
#include "datanode/server/aof_manager.h"
#include "datanode/server/replication.h"
#include "datanode/server/server.h"
#include "datanode/server/snapshot.h"

namespace vigil::datanode {

std::string Server::DebugReload(bool save, bool flush, bool merge) {
  if (!snapshot_) return "ERR";
  if (save) {
    std::string err = snapshot_->SaveForReload(now_ms());
    if (!err.empty()) return err;
  }
  Status st = snapshot_->Reload(now_ms(), flush, merge);
  if (!st.ok()) {
    log_->warn("DEBUG RELOAD could not load {}: {}", config_->dbfilename, st.message());
    return "ERR Error trying to load the RDB dump";
  }
  log_->warn("DB reloaded by DEBUG RELOAD");
  return "";
}

std::string Server::DebugLoadAof() {
  if (aof_loading_) return "LOADING Redis is loading the dataset in memory";
  if (aof_) aof_->ForceWrite(now_ms());
  // The files as the manifest on disk lists them, read by a manager that appends nothing.
  AofManager lister(config_, service_.get(), children_.get(), log_.get());
  std::vector<AofLoadItem> items;
  Status st = lister.Open(&items);
  if (!st.ok()) {
    log_->warn("DEBUG LOADAOF: {}", st.message());
    std::exit(1);  // Redis exits too: the dataset is gone and the files cannot replace it
  }
  service_->keyspace().FlushAll();
  service_->functions().Flush();  // emptyData: the AOF loads the libraries back too
  // Replayed commands go through Execute; they must not be appended to the AOF again nor sent
  // to replicas.
  service_->set_propagation_paused(true);
  service_->set_loading(true);
  AofLoading loading(config_, service_.get(), log_.get(), std::move(items));
  AofLoading::Progress p = AofLoading::Progress::kFailed;
  st = loading.Prime(now_ms(), nullptr);
  if (st.ok()) {
    do {
      p = loading.Step(now_ms());
    } while (p == AofLoading::Progress::kMore);
  }
  service_->set_loading(false);
  service_->set_propagation_paused(false);
  if (!st.ok() || p == AofLoading::Progress::kFailed) {
    log_->warn("DEBUG LOADAOF: {}", st.ok() ? loading.error() : st.message());
    std::exit(1);
  }
  service_->reset_dirty();
  log_->warn("Append Only File loaded by DEBUG LOADAOF");
  return "";
}

void Server::ChangeReplicationId() {
  log_->warn("Changing replication IDs after receiving DEBUG change-repl-id");
  if (replication_) replication_->ChangeReplid();
}

void Server::ReplicateToReplicas(const std::vector<std::string>& argv) {
  if (replication_) replication_->FeedCommand(argv);
}

void Server::LogWarning(const std::string& line) {
  log_->warn("{}", line);
}

void Server::PrintToStdout(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

uint32_t Server::SecureRandom32() {
  return std::random_device()();
}

void Server::LogAtLevel(int level, const std::string& line) {
  // Redis's debug, verbose, notice, warning.
  if (level <= 1) {
    log_->debug("{}", line);
  } else if (level == 2) {
    log_->info("{}", line);
  } else {
    log_->warn("{}", line);
  }
}

}  // namespace vigil::datanode
