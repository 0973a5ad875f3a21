// Snapshot transfer to replicas with flow control. Redis streams a disk snapshot from the file
// per replica and paces the diskless pipe to the slowest replica; doing the same keeps the
// master's memory bounded and keeps large transfers under the replica output-buffer limit.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "datanode/server/master_links.h"
#include "datanode/server/server.h"

namespace vigil::datanode {

// Half of the replica class's output-buffer limits (whichever is set and smaller), at most
// kMaxQueuedSnapshotBytes: a transfer never trips the limit it is paced against.
size_t MasterLinks::QueuedSnapshotLimit() const {
  size_t limit = kMaxQueuedSnapshotBytes;
  for (int64_t l : {config_->obuf_replica.soft_bytes, config_->obuf_replica.hard_bytes}) {
    if (l > 0) limit = std::min(limit, size_t(l) / 2);
  }
  return std::max<size_t>(limit, 64 * 1024);
}

bool MasterLinks::TargetsBacklogged() {
  const size_t limit = QueuedSnapshotLimit();
  for (uint64_t id : child_targets_) {
    Session* s = SessionOf(id);
    if (s != nullptr && s->out.size() >= limit) return true;
  }
  return false;
}

void MasterLinks::StartDiskFeeds(MonoTime now) {
  for (uint64_t id : std::exchange(child_targets_, {})) {
    Session* s = SessionOf(id);
    if (s == nullptr || fsm_.Find(id) == nullptr) continue;
    int fd = ::open(child_path_.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      log_->warn("Can't open the RDB for replica {}: {}", s->addr, std::strerror(errno));
      if (fd >= 0) ::close(fd);
      s->close_asap = true;
      server_->service().NoteWoken(s);
      continue;
    }
    Reply(*s, "$" + std::to_string(st.st_size) + "\r\n");
    disk_feeds_[id] = DiskFeed{fd, int64_t(st.st_size)};
    log_->info("Streaming RDB ({} bytes) to replica {}", st.st_size, s->addr);
  }
  TopUpDiskFeeds(now);
}

void MasterLinks::TopUpDiskFeeds(MonoTime now) {
  char buf[256 * 1024];
  for (auto it = disk_feeds_.begin(); it != disk_feeds_.end();) {
    const uint64_t id = it->first;
    DiskFeed& feed = it->second;
    Session* s = SessionOf(id);
    bool failed = s == nullptr || fsm_.Find(id) == nullptr;
    const size_t limit = QueuedSnapshotLimit();
    while (!failed && feed.remaining > 0 && s->out.size() < limit) {
      ssize_t n = ::read(feed.fd, buf, size_t(std::min<int64_t>(feed.remaining, sizeof(buf))));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        log_->warn("Short read of the RDB for replica {}", s->addr);
        s->close_asap = true;
        server_->service().NoteWoken(s);
        failed = true;
        break;
      }
      Reply(*s, std::string_view(buf, size_t(n)));
      feed.remaining -= n;
    }
    if (!failed && feed.remaining > 0) {
      ++it;
      continue;
    }
    ::close(feed.fd);
    it = disk_feeds_.erase(it);
    if (!failed) {
      log_->info("Synchronization with replica {} succeeded", s->addr);
      GoOnline(id, now, /*hold_until_ack=*/false);
    }
  }
  if (!disk_feeds_.empty()) ArmFeedTimer();
}

void MasterLinks::ArmFeedTimer() {
  if (feed_timer_ == nullptr) {
    feed_timer_ = event_new(server_->base(), -1, 0, &MasterLinks::OnFeedTimer, this);
  }
  if (evtimer_pending(feed_timer_, nullptr)) return;
  // Drained buffers are noticed within a few ms; the socket writes happen in the meantime.
  timeval tv{0, 5 * 1000};
  evtimer_add(feed_timer_, &tv);
}

void MasterLinks::OnFeedTimer(evutil_socket_t, short, void* arg) {
  static_cast<MasterLinks*>(arg)->FeedTick();
}

void MasterLinks::FeedTick() {
  const MonoTime now = server_->mono_now();
  TopUpDiskFeeds(now);
  if (pipe_paused_ && pipe_ev_ != nullptr) {
    if (TargetsBacklogged()) {
      ArmFeedTimer();
    } else {
      pipe_paused_ = false;
      event_add(pipe_ev_, nullptr);
      ReadPipe();
      return;  // ReadPipe flushes
    }
  }
  server_->AfterCommands(nullptr);
}

}  // namespace vigil::datanode
