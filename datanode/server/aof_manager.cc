#include "datanode/server/aof_manager.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "datanode/persistence/aof_repl_mark.h"
#include "datanode/replication/replication_control.h"
#include "datanode/server/aof_base_file.h"
#include "datanode/server/aof_fs.h"
#include "datanode/server/child_process_slot.h"

namespace vigil::datanode {

AofManager::AofManager(DatanodeConfig* config, Service* service, ChildProcessSlot* children,
                       spdlog::logger* log)
    : config_(config),
      service_(service),
      children_(children),
      log_(log),
      writer_(std::make_unique<AofWriter>(&service->aof, log)),
      dir_(config->appenddirname),
      prefix_(config->appendfilename) {
  writer_->set_timestamp_source([this]() -> int64_t {
    return config_->aof_timestamp_enabled ? service_->now_ms() / 1000 : -1;
  });
  writer_->set_mark_source([this]() -> std::string {
    const ReplicationHistory& history = service_->history();
    if (!marks_enabled_ || history.ids().replid.size() != 40) return "";
    return FormatAofReplMark(ReplPosition{history.ids().replid, history.offset()});
  });
}

AofManager::~AofManager() {
  KillChild();
  if (propagating_) service_->remove_propagator(writer_.get());
}

void AofManager::KillChild() {
  if (child_ <= 0) return;
  ::kill(child_, SIGUSR1);
  ::waitpid(child_, nullptr, 0);
  ::unlink(child_tmp_.c_str());
  child_ = -1;
  children_->Release();
  service_->aof.rewrite_in_progress = false;
}

std::string AofManager::TempIncrPath() const {
  return aof_fs::Join(dir_, "temp-" + prefix_ + ".incr");
}

Status AofManager::ReadManifestIfAny() {
  Status st = aof_fs::MakeDir(dir_);
  if (!st.ok()) return st;
  const std::string manifest_path = aof_fs::Join(dir_, AofManifestFileName(prefix_));
  if (!aof_fs::Exists(manifest_path)) return Status::Ok();
  auto text = aof_fs::ReadFile(manifest_path);
  if (!text.ok()) return text.status();
  auto parsed = AofManifest::Parse(text.value());
  if (!parsed.ok()) return Status::Error(parsed.error() + " in " + manifest_path);
  manifest_ = std::move(parsed).value();
  return Status::Ok();
}

Status AofManager::OpenForRewriteOnly() {
  rewrite_only_ = true;
  return ReadManifestIfAny();
}

Status AofManager::EnableAtRuntime(int64_t now_ms) {
  // The files of an earlier `appendonly yes` period become history once the new base is in.
  Status st = ReadManifestIfAny();
  if (!st.ok()) return st;
  wait_rewrite_ = true;
  if (!propagating_) {
    service_->add_propagator(writer_.get());
    propagating_ = true;
  }
  if (children_->busy()) {
    service_->aof.rewrite_scheduled = true;
    log_->warn(
        "AOF was enabled but there is already another background operation. An AOF background "
        "was scheduled to start when possible.");
    return Status::Ok();
  }
  if (service_->in_exec()) {
    service_->aof.rewrite_scheduled = true;
    log_->warn(
        "AOF was enabled during a transaction. An AOF background was scheduled to start when "
        "possible.");
    return Status::Ok();
  }
  std::string err = StartRewrite(now_ms);
  if (!err.empty()) return Status::Error(err);
  return Status::Ok();
}

void AofManager::Stop() {
  writer_->CloseDurably();
  if (propagating_) service_->remove_propagator(writer_.get());
  propagating_ = false;
  if (child_ > 0) log_->warn("Killing running AOF rewrite child: {}", child_);
  KillChild();
  if (wait_rewrite_) ::unlink(TempIncrPath().c_str());
  wait_rewrite_ = false;
  service_->aof.rewrite_scheduled = false;
  service_->aof.buffer_length = 0;
}

Status AofManager::PersistManifest() {
  return aof_fs::ReplaceFile(aof_fs::Join(dir_, AofManifestFileName(prefix_)), manifest_.Render());
}

Status AofManager::Open(std::vector<AofLoadItem>* to_load) {
  Status st = aof_fs::MakeDir(dir_);
  if (!st.ok()) return st;
  const std::string manifest_path = aof_fs::Join(dir_, AofManifestFileName(prefix_));
  if (aof_fs::Exists(manifest_path)) {
    auto text = aof_fs::ReadFile(manifest_path);
    if (!text.ok()) return text.status();
    auto parsed = AofManifest::Parse(text.value());
    if (!parsed.ok()) return Status::Error(parsed.error() + " in " + manifest_path);
    manifest_ = std::move(parsed).value();
  } else if (aof_fs::Exists(prefix_) && !aof_fs::IsDir(prefix_)) {
    // A pre-7.0 single AOF in dir becomes the base of a new manifest (aofUpgradePrepare).
    manifest_ = AofManifest{};
    manifest_.base = AofFileInfo{prefix_, 1, AofFileType::kBase};
    manifest_.cur_base_seq = 1;
    if (::rename(prefix_.c_str(), aof_fs::Join(dir_, prefix_).c_str()) != 0) {
      return Status::Error("Error moving the AOF file " + prefix_ + " into " + dir_ + ": " +
                           std::strerror(errno));
    }
    st = PersistManifest();
    if (!st.ok()) return st;
    log_->info("Successfully migrated an old-style AOF into the AOF directory {}", dir_);
  }
  DeleteHistory();
  std::vector<const AofFileInfo*> files;
  if (manifest_.base) files.push_back(&*manifest_.base);
  for (const auto& f : manifest_.incrs) files.push_back(&f);
  for (size_t i = 0; i < files.size(); ++i) {
    AofLoadItem item;
    item.name = files[i]->name;
    item.path = aof_fs::Join(dir_, item.name);
    item.is_base = files[i]->type == AofFileType::kBase;
    item.is_last = i + 1 == files.size();
    if (!aof_fs::Exists(item.path)) {
      return Status::Error("The AOF file " + item.name + " doesn't exist");
    }
    to_load->push_back(std::move(item));
  }
  return Status::Ok();
}

int64_t AofManager::TotalSize() const {
  int64_t total = 0;
  if (manifest_.base)
    total += std::max<int64_t>(0, aof_fs::FileSize(aof_fs::Join(dir_, manifest_.base->name)));
  for (const auto& f : manifest_.incrs) {
    total += std::max<int64_t>(0, aof_fs::FileSize(aof_fs::Join(dir_, f.name)));
  }
  return total;
}

Status AofManager::WriteBaseFile(const std::string& path, int64_t now_ms, bool in_child) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error("cannot create " + path + ": " + std::strerror(errno));
  Status st = in_child
                  ? WriteAofBase(fd, *service_, config_->aof_use_rdb_preamble, now_ms,
                                 children_->ChildProgressFn(), children_->ChildProgressEveryKeys())
                  : WriteAofBase(fd, *service_, config_->aof_use_rdb_preamble, now_ms);
  if (st.ok() && ::fsync(fd) != 0)
    st = Status::Error("cannot fsync " + path + ": " + std::strerror(errno));
  ::close(fd);
  return st;
}

Status AofManager::OpenNewIncr(int64_t now_ms) {
  (void)now_ms;
  const AofFileInfo& incr = manifest_.AddIncr(prefix_);
  auto fd = aof_fs::OpenAppend(aof_fs::Join(dir_, incr.name));
  if (!fd.ok()) return fd.status();
  Status st = PersistManifest();
  if (!st.ok()) {
    ::close(fd.value());
    return st;
  }
  if (writer_->is_open()) {
    writer_->SwitchFile(fd.value(), 0);
  } else {
    writer_->Open(fd.value(), 0);
  }
  log_->info("Creating AOF incr file {} on background rewrite", incr.name);
  return Status::Ok();
}

Status AofManager::StartWriting(int64_t now_ms) {
  if (!manifest_.base && manifest_.incrs.empty()) {
    const AofFileInfo& base = manifest_.CommitRewrite(prefix_, config_->aof_use_rdb_preamble);
    Status st = WriteBaseFile(aof_fs::Join(dir_, base.name), now_ms);
    if (!st.ok()) return st;
    log_->info("Creating AOF base file {} on server start", base.name);
  }
  if (manifest_.incrs.empty()) {
    manifest_.AddIncr(prefix_);
    log_->info("Creating AOF incr file {} on server start", manifest_.incrs.back().name);
  }
  const std::string path = aof_fs::Join(dir_, manifest_.incrs.back().name);
  auto fd = aof_fs::OpenAppend(path);
  if (!fd.ok()) return fd.status();
  Status st = PersistManifest();
  if (!st.ok()) {
    ::close(fd.value());
    return st;
  }
  writer_->Open(fd.value(), std::max<int64_t>(0, aof_fs::FileSize(path)));
  service_->aof.current_size = TotalSize();
  service_->aof.base_size = service_->aof.current_size;
  // Add, never replace: after an AOF load the replicas' feed is already registered, and
  // replacing it left a restarted node that later became a master feeding nobody.
  service_->remove_propagator(writer_.get());
  service_->add_propagator(writer_.get());
  propagating_ = true;
  return Status::Ok();
}

void AofManager::BeforeReplies(int64_t now_ms) {
  // DEBUG AOF-FLUSH-SLEEP widens the window between a command and its write, for tests.
  const int64_t sleep_us = service_->debug.aof_flush_sleep_us;
  if (sleep_us > 0 && writer_->has_pending()) ::usleep(useconds_t(sleep_us));
  writer_->Flush(policy(), now_ms, false);
}

void AofManager::ForceWrite(int64_t now_ms) {
  writer_->Flush(policy(), now_ms, true);
}

bool AofManager::always_pending() const {
  return policy() == AppendFsync::kAlways && writer_->has_pending();
}

std::string AofManager::StartRewrite(int64_t now_ms) {
  if (child_ > 0) return "ERR Background append only file rewriting already in progress";
  if (children_->busy()) {
    return "ERR Can't execute an AOF background rewriting. Another child process is active.";
  }
  if (rewrite_only_) {
    // Redis creates the directory again here: it may have been removed since the last one.
    Status st = aof_fs::MakeDir(dir_);
    if (!st.ok()) return "ERR Can't create the AOF directory: " + st.message();
  } else if (wait_rewrite_) {
    // Nothing is appended until the base exists; from the fork on, writes are kept here.
    // A failed attempt's temporary incr is superseded by this fork's snapshot.
    writer_->CloseDurably();
    ::unlink(TempIncrPath().c_str());
    auto fd = aof_fs::OpenAppend(TempIncrPath());
    if (!fd.ok()) {
      log_->warn("Can't open the temporary incr AOF for rewrite: {}", fd.status().message());
      return "ERR Can't open the temporary incr AOF: " + fd.status().message();
    }
    writer_->Open(fd.value(), 0);
  } else {
    writer_->Flush(policy(), now_ms, true);
    Status st = OpenNewIncr(now_ms);
    if (!st.ok()) {
      log_->warn("Can't open new incr AOF for rewrite: {}", st.message());
      return "ERR Can't open new incr AOF for rewrite: " + st.message();
    }
  }
  const std::string tmp = "temp-rewriteaof-bg-" + std::to_string(::getpid()) + ".aof";
  pid_t pid = children_->Fork(ChildKind::kAofRewrite);
  if (pid < 0) {
    log_->warn("Can't rewrite append only file in background: fork: {}", std::strerror(errno));
    return std::string("ERR Can't rewrite append only file in background: fork: ") +
           std::strerror(errno);
  }
  if (pid == 0) {
    // Child: the keyspace is a frozen copy; write the base and leave without running any
    // of the parent's destructors or atexit handlers.
    std::signal(SIGUSR1, SIG_DFL);
    Status ws = WriteBaseFile(tmp, now_ms, /*in_child=*/true);
    if (ws.ok()) children_->ChildFinished();
    std::_Exit(ws.ok() ? 0 : 1);
  }
  child_ = pid;
  child_tmp_ = tmp;
  service_->aof.rewrite_in_progress = true;
  service_->aof.rewrite_scheduled = false;
  service_->aof.rewrite_start_unix_ms = now_ms;
  log_->info("Background append only file rewriting started by pid {}", pid);
  return "";
}

// The first base after CONFIG SET appendonly yes: the temporary incr becomes the next incr
// file and everything an earlier period left (base, incrs) becomes history.
Status AofManager::InstallFirstRewrite(AofManifest* next, const std::string& base_path) {
  const AofFileInfo& incr = next->AddIncr(prefix_);
  const std::string incr_path = aof_fs::Join(dir_, incr.name);
  // The writer keeps appending through its descriptor, which follows the rename.
  writer_->Flush(policy(), 0, true);
  if (::rename(TempIncrPath().c_str(), incr_path.c_str()) != 0) {
    return Status::Error(std::string("rename of the temporary incr AOF: ") + std::strerror(errno));
  }
  const AofFileInfo& base = next->CommitRewrite(prefix_, config_->aof_use_rdb_preamble);
  if (aof_fs::Join(dir_, base.name) != base_path) {
    return Status::Error("unexpected base file name " + base.name);
  }
  return Status::Ok();
}

void AofManager::RewriteDone(bool ok, int64_t now_ms) {
  AofStatus& s = service_->aof;
  s.rewrite_in_progress = false;
  s.last_rewrite_time_sec = (now_ms - s.rewrite_start_unix_ms) / 1000;
  Status st = ok ? Status::Ok() : Status::Error("child failed");
  if (ok) {
    AofManifest next = manifest_;
    std::string base_path;
    if (wait_rewrite_) {
      // The new base's name is the one CommitRewrite will pick: seq cur_base_seq + 1.
      base_path = aof_fs::Join(
          dir_, AofBaseFileName(prefix_, next.cur_base_seq + 1, config_->aof_use_rdb_preamble));
      st = InstallFirstRewrite(&next, base_path);
    } else {
      base_path =
          aof_fs::Join(dir_, next.CommitRewrite(prefix_, config_->aof_use_rdb_preamble).name);
      if (rewrite_only_) next.RetireIncrs();
    }
    if (st.ok() && ::rename(child_tmp_.c_str(), base_path.c_str()) != 0) {
      st = Status::Error(std::string("rename: ") + std::strerror(errno));
    }
    if (st.ok()) {
      AofManifest previous = std::move(manifest_);
      manifest_ = std::move(next);
      st = PersistManifest();
      if (!st.ok()) {
        ::unlink(base_path.c_str());
        manifest_ = std::move(previous);
      }
    }
  }
  if (!st.ok()) {
    ::unlink(child_tmp_.c_str());
    s.last_bgrewrite_ok = false;
    ++s.rewrites_consecutive_failures;
    log_->warn("Background AOF rewrite failed: {}", st.message());
    if (wait_rewrite_) {
      // AOF is still to be switched on: start over with a fresh temporary incr (Redis retries).
      s.rewrite_scheduled = true;
    }
    return;
  }
  if (wait_rewrite_) {
    wait_rewrite_ = false;
    log_->info("Background AOF rewrite terminated with success; AOF is on");
  }
  DeleteHistory();
  s.last_bgrewrite_ok = true;
  s.rewrites_consecutive_failures = 0;
  ++s.rewrites;
  s.current_size = TotalSize();
  s.base_size = s.current_size;
  log_->info("Background AOF rewrite finished successfully");
}

void AofManager::DeleteHistory() {
  if (manifest_.history.empty() || config_->passive["aof-disable-auto-gc"] == "yes") return;
  for (const auto& f : manifest_.history) ::unlink(aof_fs::Join(dir_, f.name).c_str());
  manifest_.history.clear();
  Status st = PersistManifest();
  if (!st.ok())
    log_->warn("Failed to persist the AOF manifest after removing history: {}", st.message());
}

bool AofManager::ReapChild(int64_t now_ms) {
  if (child_ <= 0) return false;
  int wstatus = 0;
  pid_t r = ::waitpid(child_, &wstatus, WNOHANG);
  if (r != child_) return true;
  child_ = -1;
  children_->Release();
  RewriteDone(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, now_ms);
  return false;
}

void AofManager::Cron(int64_t now_ms) {
  // Replication marks, when a restart could continue the stream: on a replica, or on a master
  // with a backlog (the RDB's repl-id/repl-offset rule). Checked here, not per written batch:
  // the replication summary walks every replica.
  const ReplicationControl* repl = service_->replication();
  if (repl == nullptr) {
    marks_enabled_ = false;
  } else {
    const ReplicationInfo info = repl->Info();
    marks_enabled_ = info.master.has_value() || info.backlog_active;
  }
  writer_->Cron(policy(), now_ms);
  if (child_ > 0) {
    (void)ReapChild(now_ms);
    return;
  }
  if (children_->busy()) return;
  AofStatus& s = service_->aof;
  if (s.rewrite_scheduled) {
    StartRewrite(now_ms);
    return;
  }
  if (wait_rewrite_ || rewrite_only_) return;
  const int64_t pct = config_->auto_aof_rewrite_percentage;
  if (pct <= 0 || s.current_size <= config_->auto_aof_rewrite_min_size) return;
  if (s.rewrites_consecutive_failures >= 3) return;  // back off until a manual rewrite works
  const int64_t base = s.base_size > 0 ? s.base_size : 1;
  if (s.current_size * 100 / base - 100 >= pct) {
    log_->info("Starting automatic rewriting of AOF on {}% growth",
               s.current_size * 100 / base - 100);
    StartRewrite(now_ms);
  }
}

void AofManager::Shutdown() {
  if (child_ > 0) log_->warn("There is a child rewriting the AOF. Killing it!");
  KillChild();
  if (rewrite_only_) return;
  log_->info("Calling fsync() on the AOF file.");
  writer_->CloseDurably();
  // Until the first rewrite finished the temporary incr holds no usable history.
  if (wait_rewrite_) ::unlink(TempIncrPath().c_str());
}
}  // namespace vigil::datanode
