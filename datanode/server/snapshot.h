#pragma once
// Snapshotter: RDB snapshots for the server shell, as Redis does them.
//   startup  - LoadAtStartup() reads `dir/dbfilename` into a scratch keyspace and swaps it in
//              only when the whole file loaded; a missing file is an empty dataset; a corrupt
//              or unreadable one is an error (the file is left untouched).
//   SAVE     - Save() writes `temp-<pid>.rdb` in the working directory (= dir), fsyncs it,
//              renames it over dbfilename and fsyncs the directory.
//   BGSAVE   - BgSave() forks; the child writes the same way and exits 0/1; Cron() reaps it with
//              waitpid and records status, duration and fork latency. A failed BGSAVE sets
//              Service::persistence_error (-MISCONF under stop-writes-on-bgsave-error).
//   cron     - save points ("save 900 1 300 10": seconds and changes) start a BGSAVE; a
//              scheduled BGSAVE starts once no other child (AOF rewrite, replication
//              snapshot) runs. Every fork goes through the server's ChildProcessSlot.
//   shutdown - Shutdown() stops a running child and saves when asked or when save points are
//              set; on failure the server keeps running.
// Loop thread only.
#include <spdlog/logger.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "datanode/config/datanode_config.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

class ChildProcessSlot;

class Snapshotter {
 public:
  Snapshotter(DatanodeConfig* config, Service* service, ChildProcessSlot* children,
              spdlog::logger* log);
  ~Snapshotter();
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  // `pump` runs every few MB of input so the shell can answer clients (-LOADING) meanwhile.
  Status LoadAtStartup(int64_t now_ms, std::function<void()> pump = nullptr);
  // SAVE: "" or the error reply text.
  std::string Save(int64_t now_ms);
  // DEBUG RELOAD: the save ("" or the error reply text), then the load of `dbfilename` into the
  // dataset: replacing it (`flush`), or added to it (loaded keys replace existing ones only
  // with `merge`; otherwise a key in both fails the reload and changes nothing).
  std::string SaveForReload(int64_t now_ms);
  Status Reload(int64_t now_ms, bool flush, bool merge);
  // BGSAVE [SCHEDULE]: the status reply text, or the error reply text.
  Result<std::string> BgSave(bool schedule, int64_t now_ms);
  void Cron(int64_t now_ms);
  // SHUTDOWN [SAVE|NOSAVE] and SIGTERM: "" when the server may exit, else the error reply.
  std::string Shutdown(bool save, bool nosave, bool force, int64_t now_ms);
  bool child_running() const { return child_ > 0; }
  // Kills a running BGSAVE child and removes its temp file (a replica about to load a sync).
  void AbortChild() { KillChild(); }

  // Writes the dataset to `path` through a temp file, atomically (also used by the child).
  // With `repl_info` the AUX fields include repl-stream-db / repl-id / repl-offset. `progress`
  // (in a child) is called every `progress_every` keys.
  Status WriteSnapshot(const std::string& path, int64_t now_ms, bool repl_info = false,
                       std::function<void(size_t)> progress = nullptr,
                       size_t progress_every = 1024);
  bool ShouldSaveReplInfo() const;

 private:
  // Loads `dbfilename` into `fresh`; `*missing` when the file does not exist.
  Status LoadInto(Keyspace* fresh, int64_t now_ms, std::function<void()> pump,
                  RdbLoadResult* result, bool* missing);
  // Logs why the start-up load failed, the check report of the whole file and Redis's
  // "Terminating server" line.
  void LogRdbCheck(const Status& failure, int64_t now_ms);
  Status StartChild(int64_t now_ms);
  void Reap(int64_t now_ms);
  void ChildDone(bool ok, int64_t now_ms);
  void KillChild();
  bool OtherChildRunning() const;

  DatanodeConfig* config_;
  Service* service_;
  ChildProcessSlot* children_;
  spdlog::logger* log_;
  pid_t child_ = -1;
  int child_err_fd_ = -1;  // read end of the child's error pipe
  int64_t dirty_at_fork_ = 0;
  int64_t last_bgsave_try_ms_ = 0;
};

// `vigil-datanode --check-rdb <file>`: prints redis-check-rdb's report; 0 when the file is OK.
int RunCheckRdb(const std::vector<std::string>& args);

}  // namespace vigil::datanode
