#pragma once
// AofManager: the AOF directory's lifecycle for the server shell (Redis 7.0 multi-part AOF).
//   startup  - Open() reads `dir/appenddirname/<appendfilename>.manifest`, or upgrades a pre-7.0
//              single `appendfilename` in `dir`, or starts empty; it lists the files to load.
//              After loading, StartWriting() writes a base if there is none, opens the last incr
//              (a new one if needed), persists the manifest and attaches the AofWriter.
//   rewrite  - StartRewrite() flushes, opens a new incr so later writes land there (no rewrite
//              buffer), then forks; the child writes the new base (RDB preamble when
//              aof-use-rdb-preamble yes). Cron() reaps the child, installs the base, turns the
//              old files into history and deletes them.
// Loop thread only.
#include <spdlog/logger.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "datanode/config/datanode_config.h"
#include "datanode/persistence/aof_manifest.h"
#include "datanode/server/aof_writer.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

struct AofLoadItem {
  std::string path;  // relative to the working directory (dir)
  std::string name;  // as in the manifest, for messages
  bool is_base = false;
  bool is_last = false;
};

class AofManager {
 public:
  AofManager(DatanodeConfig* config, Service* service, spdlog::logger* log);
  ~AofManager();

  Status Open(std::vector<AofLoadItem>* to_load);
  Status StartWriting(int64_t now_ms);

  // BGREWRITEAOF. Returns "" when the rewrite started, else the error reply text.
  std::string StartRewrite(int64_t now_ms);
  // Reaps a finished rewrite child, retries postponed writes, starts a scheduled or automatic
  // rewrite unless `other_child` (a BGSAVE) runs.
  void Cron(int64_t now_ms, bool other_child);
  // Before replies leave: write (and fsync, per policy) the AOF buffer.
  void BeforeReplies(int64_t now_ms);
  bool always_pending() const;
  // Shutdown: stops a rewrite child, flushes and fsyncs.
  void Shutdown();

  AofWriter& writer() { return *writer_; }
  const std::string& dir() const { return dir_; }
  const AofManifest& manifest() const { return manifest_; }

 private:
  Status PersistManifest();
  Status OpenNewIncr(int64_t now_ms);
  Status WriteBaseFile(const std::string& path, int64_t now_ms);
  void RewriteDone(bool ok, int64_t now_ms);
  void DeleteHistory();
  int64_t TotalSize() const;
  AppendFsync policy() const { return static_cast<AppendFsync>(config_->appendfsync); }

  DatanodeConfig* config_;
  Service* service_;
  spdlog::logger* log_;
  std::unique_ptr<AofWriter> writer_;
  std::string dir_;     // appenddirname (relative to dir)
  std::string prefix_;  // appendfilename
  AofManifest manifest_;
  pid_t child_ = -1;
  std::string child_tmp_;
};

}  // namespace vigil::datanode
