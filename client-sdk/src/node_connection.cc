#include "client-sdk/src/node_connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>

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
  redisFree(ctx_);
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
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return IoError();
  Reply reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

Result<Reply> NodeConnection::Run(const std::vector<std::string>& argv) {
  if (broken_) return Error{ErrorCode::kConnection, "connection already broken"};
  Append(ctx_, argv);
  return ReadReply();
}

Result<std::vector<Reply>> NodeConnection::RunPipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (broken_) return Error{ErrorCode::kConnection, "connection already broken"};
  for (const auto& argv : commands) Append(ctx_, argv);
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
