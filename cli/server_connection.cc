#include "cli/server_connection.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::cli {
namespace {

constexpr int kConnectTimeoutSeconds = 5;

}  // namespace

Result<std::unique_ptr<ServerConnection>> ServerConnection::Open(const std::string& host,
                                                                 int port) {
  timeval tv{kConnectTimeoutSeconds, 0};
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, tv);
  if (c == nullptr) return Status::Error("Cannot allocate redis context");
  if (c->err != 0) {
    std::string err = c->errstr;
    redisFree(c);
    return Status::Error(err);
  }
  // The connect timeout must not become a read timeout: BLPOP and SUBSCRIBE wait for as long
  // as the server takes.
  timeval none{0, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
  return std::unique_ptr<ServerConnection>(new ServerConnection(c));
}

ServerConnection::~ServerConnection() {
  redisFree(context_);
}

Status ServerConnection::Send(const std::vector<std::string>& argv) {
  std::string out = resp::EncodeCommand(argv);
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::send(context_->fd, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Error(std::strerror(errno));
    done += size_t(n);
  }
  return Status::Ok();
}

Result<resp::Value> ServerConnection::Read() {
  char buf[64 * 1024];
  while (true) {
    if (!in_.empty()) {
      size_t consumed = 0;
      resp::Value v;
      auto st = parser_.Parse(in_, &consumed, &v);
      if (st == resp::ReplyParser::Status::kValue) {
        in_.erase(0, consumed);
        return v;
      }
      if (st == resp::ReplyParser::Status::kError) return Status::Error(parser_.error());
    }
    ssize_t n = ::read(context_->fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Status::Error("Server closed the connection");
    if (n < 0) return Status::Error(std::strerror(errno));
    in_.append(buf, size_t(n));
  }
}

Result<resp::Value> ServerConnection::Call(const std::vector<std::string>& argv) {
  Status st = Send(argv);
  if (!st.ok()) return st;
  return Read();
}

}  // namespace vigil::cli
