#include "client-sdk/src/node_connection.h"

#include <hiredis/hiredis.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace vigil::client {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Reply Convert(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> items;
      items.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) items.push_back(Convert(r->element[i]));
      return Reply::Array(std::move(items));
    }
    default:
      return Reply::Nil();
  }
}

// OpenSSL writes with write(2): on a connection the peer has reset, that raises SIGPIPE, whose
// default action ends the application. A library must not change the process's signal
// dispositions, so SIGPIPE is blocked in this thread around each OpenSSL call, and one it
// raised is taken off the thread's pending set before the mask is restored.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec now{0, 0};
        sigtimedwait(&pipe_, nullptr, &now);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

std::string Encode(const std::vector<std::vector<std::string>>& commands) {
  std::string out;
  for (const auto& argv : commands) {
    out += '*' + std::to_string(argv.size()) + "\r\n";
    for (const auto& a : argv) out += '$' + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  return out;
}

void Append(redisContext* ctx, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

}  // namespace

Result<std::unique_ptr<NodeConnection>> NodeConnection::Open(const Address& address,
                                                             const ConnectSettings& settings) {
  redisContext* ctx = redisConnectWithTimeout(address.host.c_str(), address.port,
                                              ToTimeval(settings.connect_timeout));
  if (ctx == nullptr) return Error{ErrorCode::kConnection, "out of memory"};
  if (ctx->err) {
    const bool timed_out = errno == EINPROGRESS || std::strstr(ctx->errstr, "timed out");
    Error e{timed_out ? ErrorCode::kTimeout : ErrorCode::kConnection,
            "connect " + address.ToString() + ": " + ctx->errstr};
    redisFree(ctx);
    return e;
  }
  redisSetTimeout(ctx, ToTimeval(settings.command_timeout));
  std::unique_ptr<NodeConnection> conn(new NodeConnection(address, ctx));
  if (settings.tls != nullptr) {
    if (auto e = conn->StartTls(*settings.tls)) return *e;
  }
  if (!settings.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!settings.username.empty()) auth.push_back(settings.username);
    auth.push_back(settings.password);
    auto r = conn->Run(auth);
    if (!r.ok()) return r.error();
    if (r->is_error()) {
      return Error{ErrorCode::kConnection, "AUTH at " + address.ToString() + ": " + r->str()};
    }
  }
  if (settings.db != 0) {
    auto r = conn->Run({"SELECT", std::to_string(settings.db)});
    if (!r.ok()) return r.error();
    if (r->is_error()) {
      return Error{ErrorCode::kConnection, "SELECT at " + address.ToString() + ": " + r->str()};
    }
  }
  return conn;
}

NodeConnection::~NodeConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // no close_notify: the close tells the server
  redisFree(ctx_);
}

std::optional<Error> NodeConnection::StartTls(const TlsClientContext& tls) {
  ssl_ = SSL_new(tls.ctx());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, ctx_->fd) != 1) {
    return Error{ErrorCode::kConnection,
                 "TLS setup for " + address_.ToString() + ": " + TakeTlsError()};
  }
  if (!tls.sni().empty()) SSL_set_tlsext_host_name(ssl_, tls.sni().c_str());
  errno = 0;
  int ret = 0;
  {
    SigpipeGuard guard;
    ret = SSL_connect(ssl_);
  }
  if (ret == 1) return std::nullopt;
  broken_ = true;
  const long verify = SSL_get_verify_result(ssl_);
  std::string why = TakeTlsError();
  if (verify != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  const int err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return Error{ErrorCode::kTimeout, "TLS handshake with " + address_.ToString() + " timed out"};
  }
  return Error{ErrorCode::kConnection,
               "TLS handshake with " + address_.ToString() + " failed: " + why};
}

Error NodeConnection::TlsIoError(int ret) {
  broken_ = true;
  const int err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ||
      (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))) {
    return Error{ErrorCode::kTimeout, "no reply from " + address_.ToString() + " in time"};
  }
  if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) {
    return Error{ErrorCode::kConnection, address_.ToString() + ": connection lost"};
  }
  return Error{ErrorCode::kConnection, address_.ToString() + ": " + TakeTlsError()};
}

bool NodeConnection::Send(const std::vector<std::vector<std::string>>& commands) {
  if (ssl_ == nullptr) {
    for (const auto& argv : commands) Append(ctx_, argv);
    return true;  // hiredis writes them when the first reply is read
  }
  const std::string bytes = Encode(commands);
  size_t done = 0;
  while (done < bytes.size()) {
    errno = 0;
    int n = 0;
    {
      SigpipeGuard guard;
      n = SSL_write(ssl_, bytes.data() + done, static_cast<int>(bytes.size() - done));
    }
    if (n <= 0) {
      send_error_ = TlsIoError(n);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

int NodeConnection::fd() const {
  return ctx_->fd;
}

Error NodeConnection::IoError() {
  broken_ = true;
  // A blocking hiredis context reports an expired SO_RCVTIMEO as an I/O error with EAGAIN.
  const bool timed_out = ctx_->err == REDIS_ERR_IO &&
                         (errno == EAGAIN || errno == EWOULDBLOCK ||
                          std::strstr(ctx_->errstr, "temporarily unavailable") != nullptr);
  if (timed_out) {
    return Error{ErrorCode::kTimeout, "no reply from " + address_.ToString() + " in time"};
  }
  return Error{ErrorCode::kConnection,
               address_.ToString() + ": " + (ctx_->errstr[0] ? ctx_->errstr : "connection lost")};
}

Result<Reply> NodeConnection::ReadReply() {
  void* raw = nullptr;
  errno = 0;
  if (ssl_ == nullptr) {
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return IoError();
  } else {
    // Decrypted bytes go into hiredis's reader until it holds a whole reply.
    while (true) {
      if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return IoError();
      if (raw != nullptr) break;
      char buf[16 * 1024];
      errno = 0;
      int n = 0;
      {
        SigpipeGuard guard;  // a read may write too (a TLS 1.3 key update)
        n = SSL_read(ssl_, buf, sizeof(buf));
      }
      if (n <= 0) return TlsIoError(n);
      if (redisReaderFeed(ctx_->reader, buf, static_cast<size_t>(n)) != REDIS_OK) {
        return IoError();
      }
    }
  }
  Reply reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

Result<Reply> NodeConnection::Run(const std::vector<std::string>& argv) {
  if (broken_) return Error{ErrorCode::kConnection, "connection already broken"};
  if (!Send({argv})) return *send_error_;
  return ReadReply();
}

Result<std::vector<Reply>> NodeConnection::RunPipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (broken_) return Error{ErrorCode::kConnection, "connection already broken"};
  if (!Send(commands)) return *send_error_;
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto r = ReadReply();
    if (!r.ok()) return r.error();
    replies.push_back(std::move(r).value());
  }
  return replies;
}

Result<Reply> NodeConnection::ReadPushed(std::chrono::milliseconds timeout) {
  if (broken_) return Error{ErrorCode::kConnection, "connection already broken"};
  void* raw = nullptr;
  // Drain what hiredis already buffered before waiting on the socket.
  if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return IoError();
  if (raw == nullptr) {
    // OpenSSL may hold a decrypted message the socket no longer signals.
    if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return ReadReply();
    pollfd p{ctx_->fd, POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(timeout.count()));
    if (n == 0) return Error{ErrorCode::kTimeout, "nothing pushed"};
    if (n < 0 && errno == EINTR) return Error{ErrorCode::kTimeout, "interrupted"};
    // Readable: a blocking read of the rest of the message (bounded by the reply timeout).
    return ReadReply();
  }
  Reply reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

}  // namespace vigil::client
