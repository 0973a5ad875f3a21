#include "sentinel/shell/instance_links.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/net/tcp_user_timeout.h"
#include "sentinel/core/wire.h"

namespace vigil::sentinel {

namespace {

constexpr size_t kReadChunk = 16 * 1024;
// A drained read buffer that grew past this is given back: with 1,000 monitored masters, idle
// links should not each hold the largest INFO they ever read (~5 KiB each, 8 MiB of RSS).
constexpr size_t kKeptBuffer = 1024;

// The sentinel speaks RESP2 to the nodes: RESP3 types do not occur, and a null of any kind reads
// as a null bulk, as hiredis reported it. Reduced in place, the value is then moved to the core.
void ReduceToResp2(resp::Value& v) {
  using T = resp::Value::Type;
  switch (v.type) {
    case T::kSimple:
    case T::kError:
    case T::kInteger:
    case T::kBulk:
      return;
    case T::kBlobError:
      v.type = T::kError;
      return;
    case T::kBool:
      v.type = T::kInteger;
      return;
    case T::kVerbatim:
    case T::kDouble:
    case T::kBigNumber:
      v.type = T::kBulk;
      return;
    case T::kArray:
    case T::kSet:
    case T::kPush:
    case T::kMap:
      v.type = T::kArray;
      for (resp::Value& e : v.elements) ReduceToResp2(e);
      return;
    case T::kNull:
      v = resp::Value::NullBulk();
      return;
  }
}

bool IsPubSubMessage(const resp::Value& v) {
  if (v.type != resp::Value::Type::kArray && v.type != resp::Value::Type::kPush) return false;
  if (v.elements.size() < 3 || v.elements[0].type != resp::Value::Type::kBulk) return false;
  const std::string& kind = v.elements[0].str;
  return kind == "message" || kind == "subscribe" || kind == "pmessage" || kind == "psubscribe" ||
         kind == "unsubscribe" || kind == "punsubscribe";
}

std::string SocketIp(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return "";
  char ip[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, ip, sizeof(ip));
  } else if (ss.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, ip, sizeof(ip));
  }
  return ip;
}

// A non-blocking socket connecting to `host:port` (name resolution blocks, as hiredis's did).
// Returns the fd, or -1 with *why set.
int StartConnect(const std::string& host, int port, std::string* why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    *why = ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) break;
    *why = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0 && why->empty()) *why = "no usable address";
  return fd;
}

}  // namespace

InstanceLinks::Conn::~Conn() {
  if (read_ev != nullptr) event_free(read_ev);
  if (write_ev != nullptr) event_free(write_ev);
  tls.reset();  // before the descriptor it uses
  if (fd >= 0) ::close(fd);
}

InstanceLinks::Redial::~Redial() {
  if (ev != nullptr) event_free(ev);
  if (fd >= 0) ::close(fd);
}

InstanceLinks::InstanceLinks(event_base* base, InputSink sink, NowFn now, spdlog::logger* log,
                             Millis connect_timeout)
    : base_(base),
      sink_(std::move(sink)),
      now_(std::move(now)),
      log_(log),
      connect_timeout_(connect_timeout),
      flush_ev_(event_new(base, -1, 0, &InstanceLinks::OnFlush, this)) {}

InstanceLinks::~InstanceLinks() {
  if (flush_ev_ != nullptr) event_free(flush_ev_);
}

void InstanceLinks::Connect(const ConnectAction& a) {
  auto c = std::make_unique<Conn>();
  c->owner = this;
  c->id = a.conn;
  c->channel = a.channel;
  c->where = FormatHostPort(a.addr);
  c->started = now_();
  c->last_dial = c->started;
  c->host = a.addr.host;
  c->port = a.addr.port;
  Conn* raw = c.get();
  conns_[a.conn] = std::move(c);
  connecting_.insert(a.conn);
  log_->debug("link {} to {}: dialing", raw->id, raw->where);
  std::string why;
  raw->fd = StartConnect(a.addr.host, a.addr.port, &why);
  if (raw->fd < 0) {
    Fail(raw, "connect failed at once: " + why, true);
    return;
  }
  raw->read_ev = event_new(base_, raw->fd, EV_READ | EV_PERSIST, &InstanceLinks::OnReadable, raw);
  raw->write_ev = event_new(base_, raw->fd, EV_WRITE | EV_PERSIST, &InstanceLinks::OnWritable, raw);
  if (raw->read_ev == nullptr || raw->write_ev == nullptr) {
    Fail(raw, "event setup failed", true);
    return;
  }
  event_add(raw->read_ev, nullptr);
  ArmWrite(raw, true);  // writable = the connect finished, one way or the other
  if (!a.auth_pass.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!a.auth_user.empty()) auth.push_back(a.auth_user);
    auth.push_back(a.auth_pass);
    Enqueue(raw, auth);
    raw->fifo.push_back(Pending{0, PingCommand{}, 1, {}});
  }
  if (!a.client_name.empty()) {
    Enqueue(raw, {"CLIENT", "SETNAME", a.client_name});
    raw->fifo.push_back(Pending{0, PingCommand{}, 1, {}});
  }
}

void InstanceLinks::Enqueue(Conn* c, const std::vector<std::string>& argv) {
  c->out += resp::EncodeCommand(argv);
  QueueFlush(c);
}

void InstanceLinks::ArmWrite(Conn* c, bool on) {
  if (on == c->write_armed || c->write_ev == nullptr) return;
  if (on) {
    event_add(c->write_ev, nullptr);
  } else {
    event_del(c->write_ev);
  }
  c->write_armed = on;
}

void InstanceLinks::QueueFlush(Conn* c) {
  if (!c->connected || c->flush_queued || flush_ev_ == nullptr) return;
  c->flush_queued = true;
  if (flush_queue_.empty()) event_active(flush_ev_, 0, 0);
  flush_queue_.push_back(c->id);
}

void InstanceLinks::OnFlush(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<InstanceLinks*>(arg);
  std::vector<ConnId> ids;
  ids.swap(self->flush_queue_);
  for (ConnId id : ids) {
    auto it = self->conns_.find(id);
    if (it == self->conns_.end()) continue;
    Conn* c = it->second.get();
    c->flush_queued = false;
    if (!c->closed && c->connected) self->Write(c);
  }
}

void InstanceLinks::OnWritable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  InstanceLinks* self = c->owner;
  if (c->closed) return;
  if (!c->tcp_connected) return self->FinishTcpConnect(c);
  if (!c->connected) return self->ContinueHandshake(c);
  // A TLS read that needed to write first (a renegotiation) goes on now.
  if (c->tls != nullptr && c->tls->read_wants_write()) {
    self->ReadReplies(c);
    if (c->closed) return;
  }
  self->Write(c);
}

void InstanceLinks::OnReadable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  InstanceLinks* self = c->owner;
  if (c->closed) return;
  if (!c->tcp_connected) return self->FinishTcpConnect(c);
  if (!c->connected) return self->ContinueHandshake(c);
  if (c->tls != nullptr && c->tls->write_wants_read() && !self->Write(c)) return;
  self->ReadReplies(c);
  if (self->after_read_) self->after_read_();
}

void InstanceLinks::StartRedial(Conn* c, MonoTime now) {
  c->last_dial = now;
  std::string why;
  auto r = std::make_unique<Redial>();
  r->conn = c;
  r->fd = StartConnect(c->host, c->port, &why);
  if (r->fd < 0) return;  // the first attempt reports failures
  r->ev = event_new(base_, r->fd, EV_WRITE, &InstanceLinks::OnRedialWritable, r.get());
  if (r->ev == nullptr) return;
  event_add(r->ev, nullptr);
  ++redials_started_;
  c->redials.push_back(std::move(r));
}

void InstanceLinks::OnRedialWritable(evutil_socket_t, short, void* arg) {
  auto* r = static_cast<Redial*>(arg);
  Conn* c = r->conn;
  InstanceLinks* self = c->owner;
  if (c->closed || c->tcp_connected) return;
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == EINPROGRESS) {
    event_add(r->ev, nullptr);
    return;
  }
  if (err != 0) {
    // Refused or unreachable: the first attempt meets the same answer and reports it.
    auto it = std::find_if(c->redials.begin(), c->redials.end(),
                           [r](const auto& p) { return p.get() == r; });
    if (it != c->redials.end()) {
      self->dead_redials_.push_back(std::move(*it));
      c->redials.erase(it);
    }
    return;
  }
  self->AdoptRedial(c, r);
}

void InstanceLinks::AdoptRedial(Conn* c, Redial* r) {
  log_->debug("link {} to {}: a redial connected first", c->id, c->where);
  if (c->read_ev != nullptr) event_free(c->read_ev);
  if (c->write_ev != nullptr) event_free(c->write_ev);
  c->read_ev = nullptr;
  c->write_ev = nullptr;
  c->write_armed = false;
  if (c->fd >= 0) ::close(c->fd);
  c->fd = std::exchange(r->fd, -1);
  DropRedials(c);
  c->read_ev = event_new(base_, c->fd, EV_READ | EV_PERSIST, &InstanceLinks::OnReadable, c);
  c->write_ev = event_new(base_, c->fd, EV_WRITE | EV_PERSIST, &InstanceLinks::OnWritable, c);
  if (c->read_ev == nullptr || c->write_ev == nullptr) return Fail(c, "event setup failed", true);
  event_add(c->read_ev, nullptr);
  FinishTcpConnect(c);
}

void InstanceLinks::DropRedials(Conn* c) {
  for (auto& r : c->redials) {
    if (r->ev != nullptr) event_del(r->ev);
    if (r->fd >= 0) ::close(std::exchange(r->fd, -1));
    dead_redials_.push_back(std::move(r));
  }
  c->redials.clear();
}

void InstanceLinks::FinishTcpConnect(Conn* c) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == EINPROGRESS) return;
  if (err != 0) return Fail(c, std::string("connect failed: ") + std::strerror(err), true);
  c->tcp_connected = true;
  log_->debug("link {} to {}: connected after {} ms", c->id, c->where,
              std::chrono::duration_cast<Millis>(now_() - c->started).count());
  DropRedials(c);
  if (tls_ == nullptr) return OnConnected(c);
  c->tls = net::TlsStream::Connect(*tls_, c->fd, "");
  if (c->tls == nullptr) {
    log_->warn("TLS link to {}: {}", c->where, net::TakeOpenSslError());
    return Fail(c, "TLS setup failed", true);
  }
  ContinueHandshake(c);
}

void InstanceLinks::ContinueHandshake(Conn* c) {
  switch (c->tls->Handshake()) {
    case net::TlsIo::kDone:
      return OnConnected(c);
    case net::TlsIo::kWantRead:
      return ArmWrite(c, false);
    case net::TlsIo::kWantWrite:
      return ArmWrite(c, true);
    case net::TlsIo::kClosed:
      log_->warn("TLS handshake with {} failed: the peer closed the connection", c->where);
      return Fail(c, "TLS handshake failed", true);
    case net::TlsIo::kError:
      // A plain-text peer, a certificate our CA does not sign, or our client certificate
      // refused: name the peer and the reason, once per attempt.
      log_->warn("TLS handshake with {} failed: {}", c->where, c->tls->error());
      return Fail(c, "TLS handshake failed", true);
  }
}

void InstanceLinks::OnConnected(Conn* c) {
  c->connected = true;
  ArmWrite(c, false);
  // A link cut silently by the network (packets dropped, no reset) fails within a second
  // instead of sitting in TCP's backed-off retransmissions: after a heal the next retry can be
  // seconds away, and meanwhile the instance stays SDOWN here and is skipped by a failover.
  // The reconnect dials a fresh socket every connect timeout.
  net::SetTcpUserTimeout(c->fd, kLinkUserTimeout.count());
  connecting_.erase(c->id);
  sink_(LinkUp{c->id, SocketIp(c->fd, false), SocketIp(c->fd, true)});
  if (c->out_pos < c->out.size()) QueueFlush(c);
}

bool InstanceLinks::Write(Conn* c) {
  while (c->out_pos < c->out.size()) {
    size_t put = 0;
    std::string err;
    const net::SocketIo io = net::WriteSocket(c->fd, c->tls.get(), c->out.data() + c->out_pos,
                                              c->out.size() - c->out_pos, &put, &err);
    if (io == net::SocketIo::kAgain) {
      // A TLS write waiting for the peer's bytes is retried by the read event.
      ArmWrite(c, !(c->tls != nullptr && c->tls->write_wants_read()));
      return true;
    }
    if (io != net::SocketIo::kData) {
      Fail(c, io == net::SocketIo::kClosed ? "closed" : "write failed: " + err, true);
      return false;
    }
    c->out_pos += put;
  }
  c->out.clear();
  c->out_pos = 0;
  ArmWrite(c, c->tls != nullptr && c->tls->read_wants_write());
  return true;
}

void InstanceLinks::ReadReplies(Conn* c) {
  static char buf[kReadChunk];
  do {
    size_t got = 0;
    std::string err;
    const net::SocketIo io = net::ReadSocket(c->fd, c->tls.get(), buf, sizeof(buf), &got, &err);
    if (io == net::SocketIo::kAgain) {
      if (c->tls != nullptr && c->tls->read_wants_write()) ArmWrite(c, true);
      break;
    }
    if (io != net::SocketIo::kData) {
      Fail(c, io == net::SocketIo::kClosed ? "closed" : "read failed: " + err, true);
      return;
    }
    c->in.append(buf, got);
    while (!c->closed && c->in_pos < c->in.size()) {
      resp::Value v;
      size_t used = 0;
      const auto st = c->parser.Parse(std::string_view(c->in).substr(c->in_pos), &used, &v);
      if (st == resp::ReplyParser::Status::kNeedMore) break;
      if (st == resp::ReplyParser::Status::kError) {
        Fail(c, "protocol error: " + c->parser.error(), true);
        return;
      }
      c->in_pos += used;
      Dispatch(c, std::move(v));
    }
    if (c->closed) return;
    if (c->in_pos == c->in.size()) {
      c->in_pos = 0;
      if (c->in.capacity() > kKeptBuffer) {
        std::string().swap(c->in);
      } else {
        c->in.clear();
      }
    }
  } while (c->tls != nullptr && c->tls->pending());
}

void InstanceLinks::Dispatch(Conn* c, resp::Value&& reply) {
  const bool subscribed = c->channel == Channel::kPubSub;
  if (subscribed && IsPubSubMessage(reply)) return DispatchPubSub(c, reply);
  if (c->fifo.empty()) {
    // An error nobody asked for (SUBSCRIBE refused with NOAUTH, "max number of clients") ends
    // the link, as hiredis ends its context: the instance then shows as disconnected.
    if (reply.is_error()) return Fail(c, "error reply: " + reply.str, true);
    if (subscribed) DispatchPubSub(c, reply);
    return;
  }
  Pending& p = c->fifo.front();
  ReduceToResp2(reply);
  p.replies.push_back(std::move(reply));
  if (p.replies.size() < p.expected) return;
  Pending done = std::move(p);
  c->fifo.pop_front();
  if (done.request == 0) return;
  sink_(CommandReply{done.request, DecodeReply(done.command, done.replies)});
}

void InstanceLinks::DispatchPubSub(Conn* c, const resp::Value& r) {
  if (IsPubSubMessage(r)) {
    const std::string& kind = r.elements[0].str;
    if (kind == "message" && r.elements[2].type == resp::Value::Type::kBulk) {
      sink_(HelloReceived{c->id, r.elements[2].str});
      return;
    }
    if (kind == "subscribe" && c->subscribe_request != 0) {
      RequestId req = std::exchange(c->subscribe_request, 0);
      resp::Value reply = r;
      ReduceToResp2(reply);
      sink_(CommandReply{req, DecodeReply(SubscribeHelloCommand{}, {std::move(reply)})});
      return;
    }
  }
  sink_(PubSubActivity{c->id});
}

void InstanceLinks::Send(SendAction&& a) {
  auto it = conns_.find(a.conn);
  if (it == conns_.end() || it->second->closed) return;
  Conn* c = it->second.get();
  std::vector<Argv> argvs = RenderCommand(a.command, a.renames);
  if (std::holds_alternative<SubscribeHelloCommand>(a.command)) {
    c->subscribe_request = a.request;
    Enqueue(c, argvs[0]);
    return;
  }
  c->fifo.push_back(Pending{a.request, std::move(a.command), argvs.size(), {}});
  for (const Argv& argv : argvs) Enqueue(c, argv);
}

void InstanceLinks::Close(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Fail(it->second.get(), "closed by the core", false);
}

void InstanceLinks::Bury(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  connecting_.erase(id);
  graveyard_.push_back(std::move(it->second));
  conns_.erase(it);
}

void InstanceLinks::Fail(Conn* c, const std::string& why, bool report) {
  if (c->closed) return;
  c->closed = true;
  log_->debug("link {} to {} down: {}", c->id, c->where, why);
  // The socket goes now; the events are freed with the link in Maintain, since this may run
  // inside one of their callbacks.
  if (c->read_ev != nullptr) event_del(c->read_ev);
  if (c->write_ev != nullptr) event_del(c->write_ev);
  c->write_armed = false;
  DropRedials(c);
  c->tls.reset();
  if (c->fd >= 0) ::close(c->fd);
  c->fd = -1;
  const ConnId id = c->id;
  Bury(id);
  if (report) sink_(LinkDown{id});
}

void InstanceLinks::Maintain() {
  graveyard_.clear();
  dead_redials_.clear();
  MonoTime now = now_();
  std::vector<Conn*> expired;
  for (ConnId id : connecting_) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn* c = it->second.get();
    if (c->connected || c->closed) continue;
    if (now - c->started > connect_timeout_) {
      expired.push_back(c);
    } else if (!c->tcp_connected && now - c->last_dial >= kRedialPeriod &&
               c->redials.size() < size_t(kMaxRedials)) {
      StartRedial(c, now);
    }
  }
  for (Conn* c : expired) Fail(c, "connect timeout", true);
}

}  // namespace vigil::sentinel
