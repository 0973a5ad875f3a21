// The full-sync payload on the replica side: framing (`$<size>` / `$EOF:<mark>`), where the
// bytes go (a temp file in dir, or memory; see repl-diskless-load in replica_link.h) and the
// load itself, which answers clients with -LOADING and keeps the master link alive meanwhile.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "common/random/prng.h"
#include "datanode/server/fd_stream.h"
#include "datanode/server/master_links.h"
#include "datanode/server/replica_link.h"
#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

constexpr size_t kEofMarkLen = 40;

// A dataset leaving service (the one a full sync replaces, or a discarded half-load) goes to the
// free thread whole when replica-lazy-flush says so (Redis's emptyData with EMPTYDB_ASYNC);
// otherwise its keyspace's destructor frees it in place.
void DiscardDataset(Keyspace& leaving, const Keyspace& live, bool lazy) {
  if (!lazy) return;
  leaving.lazy_free().freer = live.lazy_free().freer;
  leaving.FlushAll(true);
}

}  // namespace

// Redis's useDisklessLoad: swapdb always loads from the socket, on-empty-db only when there is
// nothing to lose, disabled never.
bool ReplicaLink::UseDiskLoad() const {
  switch (static_cast<ReplDisklessLoad>(config_->repl_diskless_load)) {
    case ReplDisklessLoad::kSwapdb:
      return false;
    case ReplDisklessLoad::kOnEmptyDb:
      return server_->service().keyspace().TotalKeys() > 0;
    case ReplDisklessLoad::kDisabled:
      break;
  }
  return true;
}

Status ReplicaLink::OpenTransferFile() {
  DiscardTransferFile();
  // As Redis: a few names are tried in case one is left over from a crashed run.
  for (int attempt = 0; attempt < 5; ++attempt) {
    transfer_path_ = "temp-" + std::to_string(std::time(nullptr) + attempt) + "." +
                     std::to_string(::getpid()) + ".rdb";
    transfer_fd_ = ::open(transfer_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (transfer_fd_ >= 0) return Status::Ok();
    if (errno != EEXIST) break;
  }
  const std::string err = std::strerror(errno);
  transfer_path_.clear();
  return Status::Error("Opening the temp file needed for MASTER <-> REPLICA synchronization: " +
                       err);
}

Status ReplicaLink::AppendTransferFile(std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(transfer_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Error(std::string("Write error or short write writing to the DB dump file "
                                       "needed for MASTER <-> REPLICA synchronization: ") +
                           std::strerror(errno));
    }
    done += size_t(n);
  }
  if (payload_ == Payload::kEof) {
    transfer_tail_.append(bytes);
    if (transfer_tail_.size() > kEofMarkLen) {
      transfer_tail_.erase(0, transfer_tail_.size() - kEofMarkLen);
    }
  }
  return Status::Ok();
}

void ReplicaLink::DiscardTransferFile() {
  if (transfer_fd_ >= 0) ::close(transfer_fd_);
  transfer_fd_ = -1;
  if (!transfer_path_.empty()) ::unlink(transfer_path_.c_str());
  transfer_path_.clear();
  transfer_tail_.clear();
}

bool ReplicaLink::ProcessPayload() {
  if (payload_ == Payload::kHeader) {
    std::string line;
    if (!TakeLine(&line)) return false;
    if (line.empty()) return true;  // keepalive
    if (line[0] == '-') {
      LinkFailed(("MASTER aborted replication with an error: " + line).c_str());
      return false;
    }
    const bool disk = UseDiskLoad();
    const char* target = disk ? "disk" : "memory (diskless load)";
    if (line.rfind("$EOF:", 0) == 0 && line.size() >= 5 + kEofMarkLen) {
      eof_mark_ = line.substr(5, kEofMarkLen);
      payload_ = Payload::kEof;
      log_->info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to {}",
                 target);
    } else if (line[0] == '$') {
      payload_size_ = std::strtoll(line.c_str() + 1, nullptr, 10);
      payload_ = Payload::kSized;
      log_->info("MASTER <-> REPLICA sync: receiving {} bytes from master to {}", payload_size_,
                 target);
    } else {
      LinkFailed("Bad protocol from MASTER, the first byte is not '$'");
      return false;
    }
    rdb_.clear();
    transfer_read_ = 0;
    if (disk) {
      Status st = OpenTransferFile();
      if (!st.ok()) {
        log_->warn("{}", st.message());
        LinkFailed("cannot open the temp file for the payload");
        return false;
      }
    }
    return true;
  }
  const size_t avail = in_.size() - in_pos_;
  size_t take = avail;
  if (payload_ == Payload::kSized) take = std::min(avail, size_t(payload_size_ - transfer_read_));
  const std::string_view chunk(in_.data() + in_pos_, take);
  in_pos_ = applied_pos_ = in_pos_ + take;
  transfer_read_ += int64_t(take);
  if (transfer_fd_ >= 0) {
    Status st = AppendTransferFile(chunk);
    if (!st.ok()) {
      log_->warn("{}", st.message());
      LinkFailed("cannot write the payload to disk");
      return false;
    }
  } else {
    rdb_.append(chunk);
  }
  if (payload_ == Payload::kSized) {
    if (transfer_read_ < payload_size_) return false;
  } else {
    // The master sends nothing after the mark until our first ACK, so the mark ends the data.
    const std::string_view tail = transfer_fd_ >= 0 ? std::string_view(transfer_tail_)
                                  : rdb_.size() >= kEofMarkLen
                                      ? std::string_view(rdb_).substr(rdb_.size() - kEofMarkLen)
                                      : std::string_view();
    if (tail.size() < kEofMarkLen || tail != eof_mark_) return false;
    if (transfer_fd_ >= 0) {
      if (::ftruncate(transfer_fd_, transfer_read_ - int64_t(kEofMarkLen)) != 0) {
        log_->warn("Error truncating the RDB file received from the master: {}",
                   std::strerror(errno));
        LinkFailed("cannot truncate the payload file");
        return false;
      }
    } else {
      rdb_.resize(rdb_.size() - kEofMarkLen);
    }
  }
  LoadSnapshot();
  // The load continues from the loop; it resumes the stream when it is done.
  return !loading_snapshot_ && fsm_.state() == ReplicaLinkState::kConnected;
}

void ReplicaLink::LoadSnapshot() {
  Service& svc = server_->service();
  const bool from_disk = transfer_fd_ >= 0;
  // A BGSAVE child would overwrite the synced file with old data, and an AOF would no longer
  // describe the dataset: Redis stops both before loading and restarts the AOF afterwards.
  server_->PrepareForFullSyncLoad();
  if (!from_disk) {
    log_->info("MASTER <-> REPLICA sync: Loading DB in memory ({} bytes)", rdb_.size());
    return BeginLoad(std::make_unique<StringSource>(rdb_), false);
  }
  if (::fsync(transfer_fd_) != 0) {
    log_->warn(
        "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA "
        "synchronization: {}",
        std::strerror(errno));
  }
  ::close(transfer_fd_);
  transfer_fd_ = -1;
  // The received file becomes the node's RDB, as in Redis.
  if (::rename(transfer_path_.c_str(), config_->dbfilename.c_str()) != 0) {
    Status st = Status::Error("Failed trying to rename the temp DB into " + config_->dbfilename +
                              " in MASTER <-> REPLICA synchronization: " + std::strerror(errno));
    DiscardTransferFile();
    return FinishLoad(st);
  }
  transfer_path_.clear();
  log_->info("MASTER <-> REPLICA sync: Flushing old data");
  {
    Keyspace old(svc.keyspace().database_count(), OsRandomSeed());
    svc.keyspace().SwapDatabases(old);
    svc.waiters().TouchAll();
    svc.TrackingInvalidateAll();
    DiscardDataset(old, svc.keyspace(), config_->replica_lazy_flush);
  }
  log_->info("MASTER <-> REPLICA sync: Loading DB in memory");
  int fd = ::open(config_->dbfilename.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FinishLoad(Status::Error(std::string("open: ") + std::strerror(errno)));
  BeginLoad(std::make_unique<FdSource>(fd), true);
  load_->fd = fd;
}

void ReplicaLink::BeginLoad(std::unique_ptr<Source> source, bool from_disk) {
  Service& svc = server_->service();
  load_ = std::make_unique<SnapshotLoad>();
  load_->source = std::move(source);
  load_->from_disk = from_disk;
  load_->fresh = std::make_unique<Keyspace>(svc.keyspace().database_count(), OsRandomSeed());
  load_->fresh->set_policy(svc.keyspace().policy());
  load_->fresh->set_lfu_params(config_->lfu_log_factor, config_->lfu_decay_time);
  load_->last_newline = server_->mono_now();
  RdbLoadOptions options;
  options.now_ms = server_->now_ms();
  options.drop_expired = false;  // the master expires keys and tells us with DEL
  options.skip_unsupported = true;
  options.limits = LimitsFromConfig(*config_);
  load_->delay = KeyLoadDelay(config_->key_load_delay);
  if (load_->delay.enabled()) {
    // The slices below are cut by key count already; the delay's own pump hint is not needed.
    options.after_key = [this] { (void)load_->delay.AfterKey(); };
  }
  load_->steps = std::make_unique<RdbLoadInSteps>(load_->source.get(), std::move(options),
                                                  load_->fresh.get(), &load_->result);
  // The link's own events stay off meanwhile: its bytes wait in the socket until we are done.
  if (read_ev_ != nullptr) event_del(read_ev_);
  if (write_armed_) event_del(write_ev_);
  loading_snapshot_ = true;
  svc.set_loading(true);
  if (load_ev_ == nullptr) {
    load_ev_ = event_new(server_->base(), -1, 0, &ReplicaLink::OnLoadStep, this);
  }
  event_active(load_ev_, EV_TIMEOUT, 0);
}

void ReplicaLink::OnLoadStep(evutil_socket_t, short, void* arg) {
  static_cast<ReplicaLink*>(arg)->LoadStep();
}

void ReplicaLink::LoadStep() {
  server_->service().set_now(server_->now_ms());
  const uint64_t slice =
      uint64_t(std::max<int64_t>(64 * 1024, config_->loading_process_events_interval_bytes));
  // With key-load-delay a slice is also cut after ~50 ms of delays, so clients keep getting
  // answers however slow the load is made (as the AOF loader does).
  const int64_t d = config_->key_load_delay;
  const int64_t max_keys = d > 0   ? std::max<int64_t>(1, 50000 / d)
                           : d < 0 ? std::max<int64_t>(1, 50000 * -d / 60)
                                   : INT64_MAX;
  const bool over = load_->steps->Advance(slice, max_keys);
  const MonoTime now = server_->mono_now();
  if (now - load_->last_newline >= Millis(1000) && out_.empty() && fd_ >= 0) {
    // A bare newline refreshes the master's view of us (Redis's
    // replicationSendNewlineToMaster); nothing else is sent until the load ends.
    size_t put = 0;
    std::string err;
    (void)net::WriteSocket(fd_, tls_.get(), "\n", 1, &put, &err);
    load_->last_newline = now;
  }
  if (!over) {
    // Runs again after the events that are ready now (clients get -LOADING meanwhile).
    timeval zero{0, 0};
    event_add(load_ev_, &zero);
    return;
  }
  Status st = load_->steps->status();
  if (st.ok()) st = server_->service().LoadSnapshotFunctions(load_->result.functions);
  FinishLoad(st);
  server_->AfterCommands(nullptr);
}

void ReplicaLink::FinishLoad(Status st) {
  Service& svc = server_->service();
  const bool from_disk = load_ ? load_->from_disk : true;
  if (load_ && st.ok()) {
    const RdbLoadResult& result = load_->result;
    if (result.skipped > 0) {
      log_->warn(
          "MASTER <-> REPLICA sync: {} values of unsupported types (streams, modules) were skipped",
          result.skipped);
    }
    svc.keyspace().SwapDatabases(*load_->fresh);
    svc.waiters().TouchAll();
    svc.TrackingInvalidateAll();
    master_session_.db = result.repl_stream_db >= 0 ? result.repl_stream_db : 0;
    log_->info("Done loading RDB, keys loaded: {}.", result.keys_loaded);
  } else {
    log_->warn("Failed trying to load the MASTER synchronization DB from {}: {}",
               from_disk ? "disk" : "socket", st.message());
    if (!from_disk) log_->warn("MASTER <-> REPLICA sync: Discarding the half-loaded data");
  }
  if (load_) {
    if (load_->fd >= 0) ::close(load_->fd);
    // After a successful swap this is the old dataset; after a failure, the half-loaded one.
    if (load_->fresh) DiscardDataset(*load_->fresh, svc.keyspace(), config_->replica_lazy_flush);
    load_.reset();
  }
  rdb_.clear();
  rdb_.shrink_to_fit();
  if (loading_snapshot_) {
    loading_snapshot_ = false;
    svc.set_loading(false);
    if (read_ev_ != nullptr) event_add(read_ev_, nullptr);
    if (write_armed_) event_add(write_ev_, nullptr);
  }
  server_->FinishFullSyncLoad();
  fsm_.SnapshotLoaded(server_->mono_now(), st.ok());
  Run();
  // Stream bytes that arrived with the payload's end are applied now.
  if (fd_ >= 0 && fsm_.state() == ReplicaLinkState::kConnected) ProcessInput();
}

}  // namespace vigil::datanode
