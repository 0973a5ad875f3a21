#include "datanode/server/aof_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "datanode/server/aof_fs.h"

namespace vigil::datanode {

AofWriter::AofWriter(AofStatus* status, spdlog::logger* log)
    : status_(status), log_(log), bio_(std::make_unique<BackgroundFsync>()) {}

AofWriter::~AofWriter() {
  bio_.reset();  // finishes queued fsyncs and closes
  if (fd_ >= 0) ::close(fd_);
}

void AofWriter::Open(int fd, int64_t size) {
  fd_ = fd;
  file_size_ = size;
  fsynced_size_ = size;
  encoder_.Reset();
}

void AofWriter::Propagate(int db, const std::vector<std::string>& argv) {
  if (fd_ < 0) return;
  if (timestamp_source_) {
    const int64_t now_s = timestamp_source_();
    if (now_s > last_timestamp_) {
      buf_ += "#TS:" + std::to_string(now_s) + "\r\n";
      last_timestamp_ = now_s;
    }
  }
  encoder_.Append(db, argv, &buf_);
  data_since_mark_ = true;
  status_->buffer_length = int64_t(buf_.size());
}

bool AofWriter::WriteBuffer() {
  AppendMark();
  size_t written = 0;
  Status st = aof_fs::WriteAll(fd_, buf_.data(), buf_.size(), &written);
  file_size_ += int64_t(written);
  status_->current_size += int64_t(written);
  if (!st.ok()) {
    // Keep what was not written; a partial record stays in the file and the next write
    // continues it, so the file is still a valid stream once the disk recovers.
    buf_.erase(0, written);
    status_->buffer_length = int64_t(buf_.size());
    if (status_->last_write_ok) log_->warn("Error writing to the AOF file: {}", st.message());
    status_->last_write_ok = false;
    status_->last_write_errno = errno;
    return false;
  }
  buf_.clear();
  status_->buffer_length = 0;
  if (!status_->last_write_ok) {
    log_->warn("AOF write error looks solved, Redis can write again.");
    status_->last_write_ok = true;
  }
  return true;
}

bool AofWriter::Flush(AppendFsync policy, int64_t now_ms, bool force) {
  if (fd_ < 0) return true;
  status_->pending_bio_fsync = bio_->pending_fsyncs();
  if (int err = bio_->TakeLastError(); err != 0) {
    log_->warn("Background AOF fsync failed: {}", std::strerror(err));
  }
  if (buf_.empty()) {
    // Data written earlier may still need its once-a-second fsync.
    if (policy == AppendFsync::kEverysec && fsynced_size_ != file_size_) Fsync(policy, now_ms);
    return true;
  }
  if (policy == AppendFsync::kEverysec && !force && bio_->pending_fsyncs() > 0) {
    if (postponed_since_ms_ == 0) {
      postponed_since_ms_ = now_ms;
      return true;
    }
    if (now_ms - postponed_since_ms_ < 2000) return true;
    ++status_->delayed_fsync;
    log_->info(
        "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
        "without waiting for fsync to complete, this may slow down Redis.");
  }
  postponed_since_ms_ = 0;
  if (!WriteBuffer()) {
    if (policy == AppendFsync::kAlways) {
      log_->warn(
          "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      std::_Exit(1);
    }
    return false;
  }
  Fsync(policy, now_ms);
  return true;
}

void AofWriter::Fsync(AppendFsync policy, int64_t now_ms) {
  if (policy == AppendFsync::kAlways) {
    if (::fdatasync(fd_) != 0) {
      log_->warn(
          "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
          std::strerror(errno));
      std::_Exit(1);
    }
    fsynced_size_ = file_size_;
    last_fsync_sec_ = now_ms / 1000;
  } else if (policy == AppendFsync::kEverysec) {
    if (now_ms / 1000 > last_fsync_sec_ && bio_->pending_fsyncs() == 0) {
      bio_->SubmitFsync(fd_);
      fsynced_size_ = file_size_;
      last_fsync_sec_ = now_ms / 1000;
    }
  }
  status_->pending_bio_fsync = bio_->pending_fsyncs();
}

void AofWriter::AppendMark() {
  if (!data_since_mark_ || !mark_source_) return;
  std::string mark = mark_source_();
  if (mark.empty()) return;  // not replicating (yet): a later write or Cron adds it
  buf_ += mark;
  data_since_mark_ = false;
}

void AofWriter::Cron(AppendFsync policy, int64_t now_ms) {
  if (fd_ < 0) return;
  // Data written before marks were possible (a replica's first writes) gets its mark here,
  // so a quiet node's files end at one.
  if (buf_.empty() && data_since_mark_) AppendMark();
  Flush(policy, now_ms, false);
}

void AofWriter::SwitchFile(int fd, int64_t size) {
  if (fd_ >= 0) {
    if (!buf_.empty()) WriteBuffer();
    bio_->SubmitClose(fd_);
  }
  fd_ = fd;
  file_size_ = size;
  fsynced_size_ = size;
  encoder_.Reset();
}

void AofWriter::CloseDurably() {
  if (fd_ < 0) return;
  if (!buf_.empty()) WriteBuffer();
  if (::fsync(fd_) != 0) log_->warn("Fail to fsync the AOF file: {}", std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
}

}  // namespace vigil::datanode
