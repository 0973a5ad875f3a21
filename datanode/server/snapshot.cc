#include "datanode/server/snapshot.h"

#include "datanode/replication/replication_control.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "common/random/prng.h"
#include "datanode/persistence/rdb_check.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/server/child_process_slot.h"
#include "datanode/server/fd_stream.h"
#include "datanode/server/key_load_delay.h"

namespace vigil::datanode {
namespace {

constexpr int64_t kBgsaveRetryDelayMs = 5000;  // Redis's CONFIG_BGSAVE_RETRY_DELAY

std::string Cwd() {
  char buf[4096];
  return ::getcwd(buf, sizeof(buf)) != nullptr ? std::string(buf) : std::string("?");
}

Status FsyncDir(const std::string& file_path) {
  size_t slash = file_path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : file_path.substr(0, slash + 1);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Error("Failed to open directory " + dir + ": " + std::strerror(errno));
  int r = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (r != 0) return Status::Error("Failed to fsync directory " + dir + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

Snapshotter::Snapshotter(DatanodeConfig* config, Service* service, ChildProcessSlot* children,
                         spdlog::logger* log)
    : config_(config), service_(service), children_(children), log_(log) {}

bool Snapshotter::OtherChildRunning() const {
  return children_->busy() && !child_running();
}

Snapshotter::~Snapshotter() {
  KillChild();
}

Status Snapshotter::LoadAtStartup(int64_t now_ms, std::function<void()> pump) {
  const std::string& path = config_->dbfilename;
  const auto start = std::chrono::steady_clock::now();
  Keyspace fresh(service_->keyspace().database_count(), OsRandomSeed());
  RdbLoadResult result;
  bool missing = false;
  Status st = LoadInto(&fresh, now_ms, std::move(pump), &result, &missing);
  if (missing) return Status::Ok();
  if (st.ok()) st = service_->LoadSnapshotFunctions(result.functions);
  if (!st.ok()) {
    if (st.message().rfind("open: ", 0) == 0) {
      return Status::Error("Fatal error loading the DB: " + st.message().substr(6) + " (" + path +
                           " in " + Cwd() + "). Exiting.");
    }
    LogRdbCheck(st, now_ms);
    return Status::Error("Fatal error loading the DB (" + path + " in " + Cwd() +
                         "): " + st.message() + ". The file was left untouched. Exiting.");
  }
  service_->keyspace().SwapDatabases(fresh);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log_->info("DB loaded from disk: {:.3f} seconds", secs);
  return Status::Ok();
}

void Snapshotter::LogRdbCheck(const Status& failure, int64_t now_ms) {
  // As Redis does for a file it cannot load at start-up: the reason, then what
  // redis-check-rdb says about the whole file, then the verdict.
  const std::string& path = config_->dbfilename;
  log_->warn("Internal error in RDB reading: {}", failure.message());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    FdSource source(fd);
    RdbCheckReport report = CheckRdb(&source, path, now_ms);
    ::close(fd);
    size_t from = 0;
    while (from < report.text.size()) {
      size_t eol = report.text.find('\n', from);
      if (eol == std::string::npos) eol = report.text.size();
      log_->warn("{}", report.text.substr(from, eol - from));
      from = eol + 1;
    }
  }
  log_->warn("Terminating server after rdb file reading failure.");
}

Status Snapshotter::LoadInto(Keyspace* fresh, int64_t now_ms, std::function<void()> pump,
                             RdbLoadResult* result, bool* missing) {
  const std::string& path = config_->dbfilename;
  *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *missing = errno == ENOENT;
    return Status::Error(std::string("open: ") + std::strerror(errno));
  }
  fresh->set_policy(service_->keyspace().policy());
  fresh->set_lfu_params(config_->lfu_log_factor, config_->lfu_decay_time);
  FdSource source(fd);
  RdbLoadOptions options;
  options.now_ms = now_ms;
  options.drop_expired = config_->replicaof_host.empty();
  options.verify_checksum = !service_->debug.skip_checksum_validation;
  options.limits = LimitsFromConfig(*config_);
  options.progress_every_bytes =
      uint64_t(std::max<int64_t>(64 * 1024, config_->loading_process_events_interval_bytes));
  if (pump) options.progress = [&pump](uint64_t) { pump(); };
  KeyLoadDelay delay(config_->key_load_delay);
  if (delay.enabled()) {
    options.after_key = [&delay, &pump] {
      if (delay.AfterKey() && pump) pump();
    };
  }
  Status st = LoadRdb(&source, options, fresh, result);
  ::close(fd);
  if (!st.ok()) return st;
  for (const auto& w : result->warnings) log_->warn("{}", w);
  service_->rdb.last_load_keys_loaded = result->keys_loaded;
  service_->rdb.last_load_keys_expired = result->keys_expired;
  service_->rdb.loaded_repl_id = result->repl_id;
  service_->rdb.loaded_repl_offset = result->repl_offset;
  if (result->empty_keys_skipped > 0) {
    log_->warn("Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
               result->keys_loaded, result->keys_expired, result->empty_keys_skipped);
  } else {
    log_->info("Done loading RDB, keys loaded: {}, keys expired: {}.", result->keys_loaded,
               result->keys_expired);
  }
  return Status::Ok();
}

std::string Snapshotter::SaveForReload(int64_t now_ms) {
  // Unlike SAVE, Redis's DEBUG RELOAD saves even while a BGSAVE child runs.
  Status st = WriteSnapshot(config_->dbfilename, now_ms, ShouldSaveReplInfo());
  if (!st.ok()) {
    log_->warn("{}", st.message());
    return "ERR";
  }
  service_->reset_dirty();
  service_->last_save_unix_s = now_ms / 1000;
  service_->rdb.last_bgsave_ok = true;
  return "";
}

Status Snapshotter::Reload(int64_t now_ms, bool flush, bool merge) {
  Keyspace fresh(service_->keyspace().database_count(), OsRandomSeed());
  RdbLoadResult result;
  bool missing = false;
  Status st = LoadInto(&fresh, now_ms, nullptr, &result, &missing);
  // The libraries first, as Redis loads them before the keys: without FLUSH one that exists
  // already fails the reload, MERGE replaces it.
  if (st.ok()) {
    st = service_->LoadSnapshotFunctions(result.functions,
                                         flush   ? FunctionStore::RestorePolicy::kFlush
                                         : merge ? FunctionStore::RestorePolicy::kReplace
                                                 : FunctionStore::RestorePolicy::kAppend);
  }
  if (!st.ok()) return st;
  Keyspace& live = service_->keyspace();
  if (flush) {
    live.SwapDatabases(fresh);
    return Status::Ok();
  }
  // Without MERGE a key in both is an error (Redis stops the server there); checking first
  // leaves the dataset untouched instead.
  if (!merge) {
    for (int i = 0; i < live.database_count(); ++i) {
      std::string dup;
      fresh.db(i).keys().ForEach([&](Entry* e) {
        if (dup.empty() && live.db(i).Find(e->key()) != nullptr) dup = e->key();
      });
      if (!dup.empty()) {
        log_->warn("RDB has duplicated key '{}' in DB {}", dup, i);
        return Status::Error("Duplicated key found in RDB file");
      }
    }
  }
  for (int i = 0; i < live.database_count(); ++i) {
    std::vector<std::string> keys;
    fresh.db(i).keys().ForEach([&](Entry* e) { keys.emplace_back(e->key()); });
    for (const std::string& k : keys) {
      int64_t when = -1;
      Entry* e = fresh.db(i).Unlink(k, &when);
      live.db(i).Delete(k);
      live.db(i).Add(e);
      if (when != -1) live.db(i).SetExpire(e, when);
    }
  }
  return Status::Ok();
}

// Redis 7.0's rdbPopulateSaveInfo: a replica (its offset only grows with its master's stream)
// and a master with a backlog record their replication position, so a restart can PSYNC; a
// standalone master does not, since a new replica gets a full sync anyway.
bool Snapshotter::ShouldSaveReplInfo() const {
  const ReplicationControl* repl = service_->replication();
  if (repl == nullptr) return false;
  const ReplicationInfo info = repl->Info();
  return info.master.has_value() || info.backlog_active;
}

Status Snapshotter::WriteSnapshot(const std::string& path, int64_t now_ms, bool repl_info,
                                  std::function<void(size_t)> progress, size_t progress_every) {
  const std::string tmp = "temp-" + std::to_string(::getpid()) + ".rdb";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Error("Failed opening the temp RDB file " + tmp + " (in server root dir " +
                         Cwd() + ") for saving: " + std::strerror(errno));
  }
  RdbAuxInfo aux;
  aux.ctime_s = now_ms / 1000;
  aux.used_mem = service_->used_memory();
  aux.functions = service_->functions().Codes();
  if (repl_info) {
    aux.repl_id = service_->history().ids().replid;
    aux.repl_offset = service_->history().offset();
  }
  RdbWriteOptions options;
  options.compression = config_->rdbcompression;
  options.checksum = config_->rdbchecksum;
  options.now_ms = now_ms;
  options.list_max_listpack_size = config_->list_max_listpack_size;
  options.progress = std::move(progress);
  options.progress_every_keys = progress_every;
  FdSink sink(fd, "Write error saving DB on disk: ");
  Status st = WriteRdb(service_->keyspace(), aux, options, &sink);
  if (st.ok() && ::fsync(fd) != 0)
    st = Status::Error(std::string("fsync: ") + std::strerror(errno));
  if (::close(fd) != 0 && st.ok())
    st = Status::Error(std::string("close: ") + std::strerror(errno));
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::Error("Error moving temp DB file " + tmp + " on the final destination " + path +
                       " (in server root dir " + Cwd() + "): " + std::strerror(errno));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncDir(path);
}

std::string Snapshotter::Save(int64_t now_ms) {
  // A replication snapshot child counts too: Redis refuses SAVE while any RDB child runs.
  if (children_->rdb_child()) return "ERR Background save already in progress";
  Status st = WriteSnapshot(config_->dbfilename, now_ms, ShouldSaveReplInfo());
  if (!st.ok()) {
    log_->warn("{}", st.message());
    return "ERR";
  }
  log_->info("DB saved on disk");
  service_->reset_dirty();
  service_->last_save_unix_s = now_ms / 1000;
  service_->rdb.last_bgsave_ok = true;
  service_->persistence_error = false;
  ++service_->rdb.saves;
  return "";
}

Result<std::string> Snapshotter::BgSave(bool schedule, int64_t now_ms) {
  if (children_->rdb_child()) return Status::Error("ERR Background save already in progress");
  if (OtherChildRunning()) {
    if (!schedule) {
      return Status::Error(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
          "SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    service_->rdb.bgsave_scheduled = true;
    return std::string("Background saving scheduled");
  }
  Status st = StartChild(now_ms);
  if (!st.ok()) return Status::Error("ERR " + st.message());
  return std::string("Background saving started");
}

Status Snapshotter::StartChild(int64_t now_ms) {
  last_bgsave_try_ms_ = now_ms;
  dirty_at_fork_ = service_->dirty();
  // The child reports its error through a pipe: logging from a forked child could deadlock on
  // a lock another thread held at fork time.
  int err_pipe[2] = {-1, -1};
  if (::pipe2(err_pipe, O_CLOEXEC | O_NONBLOCK) != 0) err_pipe[0] = err_pipe[1] = -1;
  pid_t pid = children_->Fork(ChildKind::kRdb);
  if (pid == 0) {
    // Child: a frozen copy of the dataset. Signals go back to their defaults so a SIGTERM
    // meant for the parent's loop never reaches it through inherited libevent state.
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGUSR1, SIG_DFL);
    Status st = WriteSnapshot(config_->dbfilename, now_ms, ShouldSaveReplInfo(),
                              children_->ChildProgressFn(), children_->ChildProgressEveryKeys());
    if (!st.ok() && err_pipe[1] >= 0) {
      (void)!::write(err_pipe[1], st.message().data(), std::min<size_t>(st.message().size(), 4000));
    }
    if (st.ok()) children_->ChildFinished();
    ::_exit(st.ok() ? 0 : 1);
  }
  if (err_pipe[1] >= 0) ::close(err_pipe[1]);
  if (pid < 0) {
    if (err_pipe[0] >= 0) ::close(err_pipe[0]);
    service_->rdb.last_bgsave_ok = false;
    std::string err = std::string("Can't save in background: fork: ") + std::strerror(errno);
    log_->warn("{}", err);
    return Status::Error(err);
  }
  child_ = pid;
  child_err_fd_ = err_pipe[0];
  service_->rdb.bgsave_in_progress = true;
  service_->rdb.bgsave_scheduled = false;
  service_->rdb.bgsave_start_unix_ms = now_ms;
  log_->info("Background saving started by pid {}", pid);
  return Status::Ok();
}

void Snapshotter::Reap(int64_t now_ms) {
  if (!child_running()) return;
  int wstatus = 0;
  pid_t r = ::waitpid(child_, &wstatus, WNOHANG);
  if (r == 0) return;
  bool ok = r == child_ && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
  if (child_err_fd_ >= 0) {
    char buf[4096];
    ssize_t n = ::read(child_err_fd_, buf, sizeof(buf));
    if (n > 0) log_->warn("{}", std::string_view(buf, size_t(n)));
    ::close(child_err_fd_);
    child_err_fd_ = -1;
  }
  if (r == child_ && WIFSIGNALED(wstatus)) {
    log_->warn("Background saving terminated by signal {}", WTERMSIG(wstatus));
    ::unlink(("temp-" + std::to_string(child_) + ".rdb").c_str());
  }
  children_->Release();
  ChildDone(ok, now_ms);
}

void Snapshotter::ChildDone(bool ok, int64_t now_ms) {
  RdbStatus& rdb = service_->rdb;
  rdb.bgsave_in_progress = false;
  rdb.last_bgsave_time_sec = (now_ms - rdb.bgsave_start_unix_ms) / 1000;
  rdb.last_bgsave_ok = ok;
  child_ = -1;
  if (ok) {
    log_->info("Background saving terminated with success");
    service_->subtract_dirty(dirty_at_fork_);
    service_->last_save_unix_s = rdb.bgsave_start_unix_ms / 1000;
    service_->persistence_error = false;
    ++rdb.saves;
  } else {
    log_->warn("Background saving error");
    service_->persistence_error = true;
  }
}

void Snapshotter::Cron(int64_t now_ms) {
  Reap(now_ms);
  if (child_running() || OtherChildRunning()) return;
  if (service_->rdb.bgsave_scheduled) {
    (void)StartChild(now_ms);
    return;
  }
  const int64_t since_save_s = now_ms / 1000 - service_->last_save_unix_s;
  for (const SavePoint& sp : config_->save) {
    if (service_->dirty() >= sp.changes && since_save_s > sp.seconds &&
        (now_ms - last_bgsave_try_ms_ > kBgsaveRetryDelayMs || service_->rdb.last_bgsave_ok)) {
      log_->info("{} changes in {} seconds. Saving...", sp.changes, sp.seconds);
      (void)StartChild(now_ms);
      return;
    }
  }
}

void Snapshotter::KillChild() {
  if (!child_running()) return;
  ::kill(child_, SIGUSR1);
  ::waitpid(child_, nullptr, 0);
  ::unlink(("temp-" + std::to_string(child_) + ".rdb").c_str());
  if (child_err_fd_ >= 0) ::close(child_err_fd_);
  child_err_fd_ = -1;
  child_ = -1;
  children_->Release();
  service_->rdb.bgsave_in_progress = false;
}

std::string Snapshotter::Shutdown(bool save, bool nosave, bool force, int64_t now_ms) {
  if (child_running()) {
    log_->warn("There is a child saving an .rdb. Killing it!");
    KillChild();
  }
  if (nosave || (!save && config_->save.empty())) return "";
  log_->info("Saving the final RDB snapshot before exiting.");
  // The shutdown snapshot carries the replication ID and offset, so a restart can PSYNC.
  Status st = WriteSnapshot(config_->dbfilename, now_ms, /*repl_info=*/true);
  if (st.ok()) {
    log_->info("DB saved on disk");
    service_->reset_dirty();
    service_->last_save_unix_s = now_ms / 1000;
    return "";
  }
  log_->warn("{}", st.message());
  if (force) {
    log_->warn("Error trying to save the DB. Exit anyway.");
    return "";
  }
  log_->warn("Error trying to save the DB, can't exit.");
  return "ERR Errors trying to SHUTDOWN. Check logs.";
}

int RunCheckRdb(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "Usage: vigil-datanode --check-rdb <rdb-file-name>\n");
    return 1;
  }
  const std::string& path = args[0];
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::printf("[offset 0] Checking RDB file %s\n", path.c_str());
    std::printf("--- RDB ERROR DETECTED ---\n");
    std::printf("[offset 0] Cannot open file %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  FdSource source(fd);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  RdbCheckReport report = CheckRdb(&source, path, now_ms);
  ::close(fd);
  std::fwrite(report.text.data(), 1, report.text.size(), stdout);
  return report.ok ? 0 : 1;
}

}  // namespace vigil::datanode
