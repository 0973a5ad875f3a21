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
//   runtime  - EnableAtRuntime() (CONFIG SET appendonly yes) is Redis's AOF_WAIT_REWRITE: no
//              file is appended to until a rewrite produces a base. The rewrite starts now, or
//              once another fork child exits (aof_rewrite_scheduled); from its fork on, writes
//              go to `temp-<appendfilename>.incr`, which becomes the next incr file when the
//              base is installed. A failed rewrite is retried from cron. Stop() (appendonly no)
//              flushes, fsyncs and closes the files and kills a rewrite child.
//   AOF off  - OpenForRewriteOnly() (BGREWRITEAOF with appendonly no, as Redis 7.0 allows): the
//              rewrite writes a new base and the manifest; no incr file is opened and every
//              earlier file becomes history, so the directory is ready for appendonly yes.
// Every fork goes through the server's ChildProcessSlot. Loop thread only.
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

class ChildProcessSlot;

class AofManager {
 public:
  AofManager(DatanodeConfig* config, Service* service, ChildProcessSlot* children,
             spdlog::logger* log);
  ~AofManager();

  Status Open(std::vector<AofLoadItem>* to_load);
  Status StartWriting(int64_t now_ms);

  // CONFIG SET appendonly yes: reads the manifest left by an earlier run, if any, and starts
  // (or schedules) the rewrite that produces the base.
  Status EnableAtRuntime(int64_t now_ms);
  // BGREWRITEAOF while appendonly no: reads the manifest, if any; nothing is appended.
  Status OpenForRewriteOnly();
  // CONFIG SET appendonly no: flush, fsync and close; a rewrite child is killed.
  void Stop();
  // Waiting for the first rewrite after EnableAtRuntime (Redis's AOF_WAIT_REWRITE).
  bool waiting_for_rewrite() const { return wait_rewrite_; }
  bool child_running() const { return child_ > 0; }
  // Collects a rewrite child that has exited and finishes its rewrite (the cron's first step).
  // True while the child still runs.
  bool ReapChild(int64_t now_ms);

  // BGREWRITEAOF. Returns "" when the rewrite started, else the error reply text.
  std::string StartRewrite(int64_t now_ms);
  // Reaps a finished rewrite child, retries postponed writes, starts a scheduled or automatic
  // rewrite when no fork child runs.
  void Cron(int64_t now_ms);
  // Before replies leave: write (and fsync, per policy) the AOF buffer.
  void BeforeReplies(int64_t now_ms);
  // DEBUG LOADAOF: writes the buffer now, even while everysec would postpone it (Redis's
  // flushAppendOnlyFile(1)).
  void ForceWrite(int64_t now_ms);
  bool always_pending() const;
  // Shutdown: stops a rewrite child, flushes and fsyncs.
  void Shutdown();

  AofWriter& writer() { return *writer_; }
  const std::string& dir() const { return dir_; }
  const AofManifest& manifest() const { return manifest_; }

 private:
  bool marks_enabled_ = false;  // see Cron
  Status PersistManifest();
  Status ReadManifestIfAny();
  Status OpenNewIncr(int64_t now_ms);
  Status WriteBaseFile(const std::string& path, int64_t now_ms, bool in_child = false);
  void RewriteDone(bool ok, int64_t now_ms);
  Status InstallFirstRewrite(AofManifest* next, const std::string& base_path);
  void KillChild();
  std::string TempIncrPath() const;
  void DeleteHistory();
  int64_t TotalSize() const;
  AppendFsync policy() const { return static_cast<AppendFsync>(config_->appendfsync); }

  DatanodeConfig* config_;
  Service* service_;
  ChildProcessSlot* children_;
  spdlog::logger* log_;
  std::unique_ptr<AofWriter> writer_;
  std::string dir_;     // appenddirname (relative to dir)
  std::string prefix_;  // appendfilename
  AofManifest manifest_;
  pid_t child_ = -1;
  std::string child_tmp_;
  bool wait_rewrite_ = false;
  bool rewrite_only_ = false;  // appendonly no: rewrites, never appends
  bool propagating_ = false;   // writer_ is registered with the Service
};

}  // namespace vigil::datanode
