#include "datanode/server/aof_loading.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "datanode/server/aof_base_file.h"
#include "datanode/server/aof_fs.h"

namespace vigil::datanode {
namespace {

constexpr size_t kMinRead = 64 * 1024;
constexpr size_t kCommandsPerSlice = 1024;  // as Redis's `loops % 1024`

}  // namespace

AofLoading::AofLoading(const DatanodeConfig* config, Service* service, spdlog::logger* log,
                       std::vector<AofLoadItem> items)
    : config_(config), service_(service), log_(log), items_(std::move(items)) {}

AofLoading::~AofLoading() {
  CloseFile();
}

void AofLoading::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  current_ = nullptr;
  replayer_.reset();
  buf_.clear();
  pos_ = 0;
  eof_ = false;
}

Status AofLoading::Prime(int64_t now_ms, std::function<void()> pump) {
  if (current_ != nullptr || next_ == items_.size()) return Status::Ok();
  return OpenNext(now_ms, std::move(pump));
}

Status AofLoading::OpenNext(int64_t now_ms, std::function<void()> pump) {
  current_ = &items_[next_++];
  fd_ = ::open(current_->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    return Status::Error("Fatal error: can't open the append log file " + current_->name +
                         " for reading: " + std::strerror(errno));
  }
  int64_t start = 0;
  char magic[5] = {};
  if (current_->is_base && ::pread(fd_, magic, 5, 0) == 5 && std::memcmp(magic, "REDIS", 5) == 0) {
    log_->info("Reading RDB base file on AOF loading...");
    auto size = LoadAofRdbPreamble(fd_, *service_, now_ms, std::move(pump));
    if (!size.ok()) {
      return Status::Error("Bad file format reading the append only file " + current_->name +
                           " (RDB preamble): " + size.error());
    }
    start = size.value();
    log_->info("Reading the remaining AOF tail...");
  }
  if (::lseek(fd_, off_t(start), SEEK_SET) < 0) {
    return Status::Error("lseek " + current_->name + ": " + std::strerror(errno));
  }
  replayer_ = std::make_unique<AofReplayer>(service_, current_->name, start);
  if (config_->key_load_delay > 0) {
    const int64_t delay = config_->key_load_delay;
    replayer_->set_after_command([delay] { ::usleep(useconds_t(delay)); });
  }
  read_size_ = std::max<size_t>(kMinRead, size_t(config_->loading_process_events_interval_bytes));
  return Status::Ok();
}

Status AofLoading::FinishFile() {
  AofFileEnd end = replayer_->Finish(buf_.size() - pos_);
  commands_ += replayer_->commands();
  if (replayer_->last_mark()) {
    mark_ = replayer_->last_mark();
    data_after_mark_ = replayer_->commands_after_mark() > 0;
  } else if (replayer_->commands() > 0) {
    data_after_mark_ = true;
  }
  if (end.truncated) data_after_mark_ = true;
  const std::string name = current_->name;
  if (end.truncated) {
    if (end.open_multi) log_->warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
    if (!current_->is_last) {
      return Status::Error("Fatal error: the truncated file " + name + " is not the last file");
    }
    if (!config_->aof_load_truncated) {
      return Status::Error(
          "Unexpected end of file reading the append only file " + name +
          ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
          "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
          "configuration option to yes and restart the server.");
    }
    log_->warn("!!! Warning: short read while loading the AOF file {}!!!", name);
    log_->warn("!!! Truncating the AOF {} at offset {} !!!", name, end.valid_up_to);
    Status st = aof_fs::Truncate(current_->path, end.valid_up_to);
    if (!st.ok())
      return Status::Error("Error truncating the AOF file " + name + ": " + st.message());
    log_->warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
  }
  log_->info("DB loaded from {} file {}: {} commands", current_->is_base ? "base" : "incr", name,
             replayer_->commands());
  CloseFile();
  return Status::Ok();
}

AofLoading::Progress AofLoading::Step(int64_t now_ms) {
  if (current_ == nullptr) {
    if (next_ == items_.size()) return Progress::kDone;
    Status st = OpenNext(now_ms);
    if (!st.ok()) {
      error_ = st.message();
      return Progress::kFailed;
    }
  }
  size_t max_commands = kCommandsPerSlice;
  if (config_->key_load_delay > 0) {
    max_commands =
        std::clamp<size_t>(size_t(50000 / config_->key_load_delay), 1, kCommandsPerSlice);
  }
  if (!eof_ && buf_.size() - pos_ < read_size_) {
    size_t old = buf_.size();
    buf_.resize(old + read_size_);
    ssize_t n = ::read(fd_, buf_.data() + old, read_size_);
    if (n < 0 && errno != EINTR) {
      error_ = "Unrecoverable error reading the append only file " + current_->name + ": " +
               std::strerror(errno);
      return Progress::kFailed;
    }
    buf_.resize(old + size_t(std::max<ssize_t>(n, 0)));
    if (n == 0) eof_ = true;
  }
  size_t used = 0;
  std::string_view pending(buf_.data() + pos_, buf_.size() - pos_);
  Status st = replayer_->Feed(pending, max_commands, &used);
  if (!st.ok()) {
    error_ = st.message();
    return Progress::kFailed;
  }
  pos_ += used;
  if (pos_ > (1u << 20) || pos_ == buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  if (used == 0 && !eof_ && buf_.size() >= read_size_) read_size_ *= 2;  // one huge record
  if (used == 0 && eof_) {
    st = FinishFile();
    if (!st.ok()) {
      error_ = st.message();
      return Progress::kFailed;
    }
  }
  return Progress::kMore;
}

}  // namespace vigil::datanode
