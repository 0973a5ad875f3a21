#include "sentinel/shell/instance_links.h"

#include <arpa/inet.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <type_traits>

#include "common/net/tcp_user_timeout.h"
#include "sentinel/core/wire.h"
#include "sentinel/shell/hiredis_event_binding.h"

namespace vigil::sentinel {

namespace {

WireValue FromHiredis(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      return WireValue::Status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return WireValue::Error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return WireValue::Integer(r->integer);
    case REDIS_REPLY_STRING:
      return WireValue::Bulk(std::string(r->str, r->len));
    case REDIS_REPLY_ARRAY: {
      std::vector<WireValue> el;
      el.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) el.push_back(FromHiredis(r->element[i]));
      return WireValue::Array(std::move(el));
    }
    default:
      return WireValue::NullBulk();
  }
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

}  // namespace

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
  for (auto& [id, c] : conns_) {
    c->closed = true;
    if (c->ac != nullptr) {
      redisAsyncContext* ac = c->ac;
      c->ac = nullptr;
      redisAsyncFree(ac);
    }
  }
}

void InstanceLinks::Connect(const ConnectAction& a) {
  auto c = std::make_unique<Conn>();
  c->owner = this;
  c->id = a.conn;
  c->channel = a.channel;
  c->where = FormatHostPort(a.addr);
  c->started = now_();
  Conn* raw = c.get();
  conns_[a.conn] = std::move(c);
  connecting_.insert(a.conn);
  redisAsyncContext* ac = redisAsyncConnect(a.addr.host.c_str(), a.addr.port);
  if (ac == nullptr || ac->err) {
    log_->debug("connect to {} failed at once: {}", raw->where, ac ? ac->errstr : "out of memory");
    if (ac != nullptr) redisAsyncFree(ac);
    Fail(raw, "connect failed", true);
    return;
  }
  if (AttachHiredisToLibevent(ac, base_, &InstanceLinks::OnAfterRead, this) != REDIS_OK) {
    redisAsyncFree(ac);
    Fail(raw, "event setup failed", true);
    return;
  }
  raw->ac = ac;
  ac->data = raw;
  redisAsyncSetConnectCallback(ac, &InstanceLinks::OnConnect);
  redisAsyncSetDisconnectCallback(ac, &InstanceLinks::OnDisconnect);
  if (!a.auth_pass.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!a.auth_user.empty()) auth.push_back(a.auth_user);
    auth.push_back(a.auth_pass);
    SendArgv(raw, auth, false);
    raw->fifo.push_back(Pending{0, PingCommand{}, 1, {}});
  }
  if (!a.client_name.empty()) {
    SendArgv(raw, {"CLIENT", "SETNAME", a.client_name}, false);
    raw->fifo.push_back(Pending{0, PingCommand{}, 1, {}});
  }
}

bool InstanceLinks::SendArgv(Conn* c, const std::vector<std::string>& argv, bool subscribe) {
  // The core's commands have a handful of arguments: the pointer arrays live on the stack.
  constexpr size_t kInline = 16;
  const char* inline_ptrs[kInline];
  size_t inline_lens[kInline];
  std::vector<const char*> heap_ptrs;
  std::vector<size_t> heap_lens;
  const char** ptrs = inline_ptrs;
  size_t* lens = inline_lens;
  if (argv.size() > kInline) {
    heap_ptrs.resize(argv.size());
    heap_lens.resize(argv.size());
    ptrs = heap_ptrs.data();
    lens = heap_lens.data();
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    ptrs[i] = argv[i].data();
    lens[i] = argv[i].size();
  }
  if (redisAsyncCommandArgv(c->ac, subscribe ? &InstanceLinks::OnPubSub : &InstanceLinks::OnReply,
                            c, int(argv.size()), ptrs, lens) != REDIS_OK) {
    return false;
  }
  QueueFlush(c);
  return true;
}

void InstanceLinks::OnAfterRead(void* arg) {
  auto* self = static_cast<InstanceLinks*>(arg);
  if (self->after_read_) self->after_read_();
}

void InstanceLinks::QueueFlush(Conn* c) {
  // Before the connect completes hiredis would mistake the probe for a finished connect.
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
    // A write error disconnects through OnDisconnect, as a write on the wakeup would.
    if (!c->closed && c->ac != nullptr && c->connected) redisAsyncHandleWrite(c->ac);
  }
}

void InstanceLinks::Send(SendAction&& a) {
  auto it = conns_.find(a.conn);
  if (it == conns_.end() || it->second->closed || it->second->ac == nullptr) return;
  Conn* c = it->second.get();
  std::vector<Argv> argvs = RenderCommand(a.command, a.renames);
  bool subscribe = std::holds_alternative<SubscribeHelloCommand>(a.command);
  if (subscribe) {
    c->subscribe_request = a.request;
    if (!SendArgv(c, argvs[0], true)) Fail(c, "subscribe failed", true);
    return;
  }
  c->fifo.push_back(Pending{a.request, std::move(a.command), argvs.size(), {}});
  for (const Argv& argv : argvs) {
    if (!SendArgv(c, argv, false)) {
      Fail(c, "send failed", true);
      return;
    }
  }
}

void InstanceLinks::Close(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn* c = it->second.get();
  c->closed = true;  // before the free: hiredis runs our callbacks with NULL replies
  if (c->ac != nullptr) {
    redisAsyncContext* ac = c->ac;
    c->ac = nullptr;
    ac->data = nullptr;
    redisAsyncFree(ac);
  }
  Bury(id);
}

void InstanceLinks::Bury(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  connecting_.erase(id);
  graveyard_.push_back(std::move(it->second));
  conns_.erase(it);
}

void InstanceLinks::Fail(Conn* c, const char* why, bool report) {
  if (c->closed) return;
  c->closed = true;
  log_->debug("link {} to {} down: {}", c->id, c->where, why);
  ConnId id = c->id;
  if (c->ac != nullptr) {
    // Only from Maintain() (outside hiredis callbacks): free now.
    redisAsyncContext* ac = c->ac;
    c->ac = nullptr;
    ac->data = nullptr;
    redisAsyncFree(ac);
  }
  Bury(id);
  if (report) sink_(LinkDown{id});
}

void InstanceLinks::Maintain() {
  graveyard_.clear();
  MonoTime now = now_();
  std::vector<Conn*> expired;
  for (ConnId id : connecting_) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn* c = it->second.get();
    if (!c->connected && !c->closed && now - c->started > connect_timeout_) expired.push_back(c);
  }
  for (Conn* c : expired) Fail(c, "connect timeout", true);
}

void InstanceLinks::OnConnect(const redisAsyncContext* ac, int status) {
  auto* c = static_cast<Conn*>(ac->data);
  if (c == nullptr || c->closed) return;
  if (status != REDIS_OK) {
    c->ac = nullptr;  // hiredis frees the context after this callback
    c->owner->log_->debug("connect to {} failed: {}", c->where, ac->errstr);
    c->owner->Fail(c, "connect failed", true);
    return;
  }
  c->connected = true;
  // A link cut silently by the network (packets dropped, no reset) fails within a second
  // instead of sitting in TCP's backed-off retransmissions: after a heal the next retry can be
  // seconds away, and meanwhile the instance stays SDOWN here and is skipped by a failover.
  // The reconnect dials a fresh socket every connect timeout.
  net::SetTcpUserTimeout(ac->c.fd, kLinkUserTimeout.count());
  c->owner->connecting_.erase(c->id);
  c->owner->sink_(LinkUp{c->id, SocketIp(ac->c.fd, false), SocketIp(ac->c.fd, true)});
}

void InstanceLinks::OnDisconnect(const redisAsyncContext* ac, int status) {
  auto* c = static_cast<Conn*>(ac->data);
  if (c == nullptr) return;
  c->ac = nullptr;  // hiredis frees the context after this callback
  if (c->closed) return;
  c->owner->Fail(c, status == REDIS_OK ? "closed" : ac->errstr, true);
}

void InstanceLinks::OnReply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* c = static_cast<Conn*>(privdata);
  if (c == nullptr || c->closed || reply == nullptr || ac->data == nullptr) return;
  if (c->fifo.empty()) return;
  Pending& p = c->fifo.front();
  p.replies.push_back(FromHiredis(static_cast<redisReply*>(reply)));
  if (p.replies.size() < p.expected) return;
  Pending done = std::move(p);
  c->fifo.pop_front();
  if (done.request == 0) return;
  c->owner->sink_(CommandReply{done.request, DecodeReply(done.command, done.replies)});
}

void InstanceLinks::OnPubSub(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* c = static_cast<Conn*>(privdata);
  if (c == nullptr || c->closed || reply == nullptr || ac->data == nullptr) return;
  auto* r = static_cast<redisReply*>(reply);
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
      r->element[0]->type == REDIS_REPLY_STRING) {
    std::string kind(r->element[0]->str, r->element[0]->len);
    if (kind == "message" && r->element[2]->type == REDIS_REPLY_STRING) {
      c->owner->sink_(HelloReceived{c->id, std::string(r->element[2]->str, r->element[2]->len)});
      return;
    }
    if (kind == "subscribe" && c->subscribe_request != 0) {
      RequestId req = std::exchange(c->subscribe_request, 0);
      c->owner->sink_(CommandReply{req, DecodeReply(SubscribeHelloCommand{}, {FromHiredis(r)})});
      return;
    }
  }
  if (r->type == REDIS_REPLY_ERROR && c->subscribe_request != 0) {
    RequestId req = std::exchange(c->subscribe_request, 0);
    c->owner->sink_(CommandReply{req, DecodeReply(SubscribeHelloCommand{}, {FromHiredis(r)})});
    return;
  }
  c->owner->sink_(PubSubActivity{c->id});
}

}  // namespace vigil::sentinel
