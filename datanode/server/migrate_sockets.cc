#include "datanode/server/migrate_sockets.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace vigil::datanode {
namespace {

constexpr size_t kMaxLinks = 64;
constexpr int64_t kIdleSeconds = 10;

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits until fd is ready for `events` or the deadline passes. False on timeout or error.
bool WaitFor(int fd, short events, int64_t deadline_ms, bool* timed_out) {
  for (;;) {
    const int64_t left = deadline_ms - MonoMs();
    if (left <= 0) {
      *timed_out = true;
      return false;
    }
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, int(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      *timed_out = true;
      return false;
    }
    return r > 0;
  }
}

// A non-blocking connect, waited on for at most the timeout. As Redis's connBlockingConnect, only
// a failure to start connecting counts here: a refused or slow connection shows up as an error
// of the first write, so MIGRATE answers "IOERR error or timeout writing to target instance"
// for a target that is down, as Redis does.
int ConnectWithin(const std::string& host, const std::string& port, int64_t timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  const int64_t deadline = MonoMs() + timeout_ms;
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        ::close(fd);
        fd = -1;
        continue;
      }
      bool timed_out = false;
      (void)WaitFor(fd, POLLOUT, deadline, &timed_out);
    }
  }
  ::freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

}  // namespace

class MigrateSockets::Link final : public MigrateLink {
 public:
  explicit Link(int fd) : fd_(fd) {}
  ~Link() override { ::close(fd_); }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  bool Write(std::string_view bytes, int64_t timeout_ms, bool* timed_out) override {
    const int64_t deadline = MonoMs() + timeout_ms;
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitFor(fd_, POLLOUT, deadline, timed_out)) return false;
        continue;
      }
      return false;
    }
    return true;
  }

  bool ReadLine(std::string* line, int64_t timeout_ms, bool* timed_out) override {
    const int64_t deadline = MonoMs() + timeout_ms;
    for (;;) {
      const size_t nl = in_.find('\n');
      if (nl != std::string::npos) {
        size_t end = nl;
        if (end > 0 && in_[end - 1] == '\r') --end;
        line->assign(in_, 0, end);
        in_.erase(0, nl + 1);
        return true;
      }
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) {
        in_.append(buf, size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitFor(fd_, POLLIN, deadline, timed_out)) return false;
        continue;
      }
      return false;  // closed by the target, or an error
    }
  }

  int64_t last_use_s = 0;

 private:
  int fd_;
  std::string in_;
};

MigrateSockets::MigrateSockets() = default;
MigrateSockets::~MigrateSockets() = default;

MigrateLink* MigrateSockets::Get(const std::string& host, const std::string& port,
                                 int64_t timeout_ms, int64_t now_s) {
  const std::string name = host + ":" + port;
  auto it = links_.find(name);
  if (it != links_.end()) {
    it->second->last_use_s = now_s;
    return it->second.get();
  }
  if (links_.size() >= kMaxLinks) links_.erase(links_.begin());  // Redis drops one at random
  const int fd = ConnectWithin(host, port, timeout_ms);
  if (fd < 0) return nullptr;
  auto link = std::make_unique<Link>(fd);
  link->last_use_s = now_s;
  Link* raw = link.get();
  links_[name] = std::move(link);
  return raw;
}

void MigrateSockets::Close(const std::string& host, const std::string& port) {
  links_.erase(host + ":" + port);
}

void MigrateSockets::CloseIdle(int64_t now_s) {
  std::erase_if(links_,
                [now_s](const auto& kv) { return now_s - kv.second->last_use_s > kIdleSeconds; });
}

}  // namespace vigil::datanode
