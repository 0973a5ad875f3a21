#include "sentinel/shell/command_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/resp/reply_writer.h"
#include "sentinel/core/host_port.h"

namespace vigil::sentinel {

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxQueryBuffer = 1024 * 1024 * 1024;

std::string SockAddrText(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    return std::string(ip) + ":" + std::to_string(ntohs(a->sin_port));
  }
  auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
  return std::string(ip) + ":" + std::to_string(ntohs(a->sin6_port));
}

bool IsLoopbackPeer(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

constexpr const char* kProtectedModeError =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Redis configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order "
    "for the server to start accepting connections from the outside.\r\n";

}  // namespace

CommandServer::CommandServer(event_base* base, SentinelHost* host, spdlog::logger* log)
    : base_(base), host_(host), log_(log) {}

CommandServer::~CommandServer() {
  for (auto& [id, c] : clients_) {
    if (c->read_ev) event_free(c->read_ev);
    if (c->write_ev) event_free(c->write_ev);
    if (c->fd >= 0) ::close(c->fd);
  }
  for (auto& [fd, ev] : listeners_) {
    event_free(ev);
    ::close(fd);
  }
}

Status CommandServer::ListenOne(const std::string& spec, int port, bool optional) {
  std::string addr = spec == "*" ? "0.0.0.0" : spec == "::*" ? "::" : spec;
  bool v6 = addr.find(':') != std::string::npos;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(uint16_t(port));
    if (inet_pton(AF_INET6, addr.c_str(), &a->sin6_addr) != 1) {
      return Status::Error("invalid bind address '" + spec + "'");
    }
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, addr.c_str(), &a->sin_addr) != 1) {
      return Status::Error("invalid bind address '" + spec + "'");
    }
    len = sizeof(sockaddr_in);
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (optional) return Status::Ok();
    return Status::Error("cannot create socket for " + spec + ": " + std::strerror(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 511) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    if (optional) return Status::Ok();
    return Status::Error("Could not create server TCP listening socket " + spec + ":" +
                         std::to_string(port) + ": " + err);
  }
  event* ev = event_new(base_, fd, EV_READ | EV_PERSIST, &CommandServer::OnAccept, this);
  event_add(ev, nullptr);
  listeners_.emplace_back(fd, ev);
  return Status::Ok();
}

Status CommandServer::Listen(const std::vector<std::string>& bind, int port) {
  std::vector<std::string> addrs = bind.empty() ? std::vector<std::string>{"*", "-::*"} : bind;
  for (const auto& b : addrs) {
    bool optional = !b.empty() && b[0] == '-';
    Status st = ListenOne(optional ? b.substr(1) : b, port, optional);
    if (!st.ok()) return st;
  }
  if (listeners_.empty()) return Status::Error("no listening socket could be created");
  return Status::Ok();
}

void CommandServer::OnAccept(evutil_socket_t fd, short, void* arg) {
  static_cast<CommandServer*>(arg)->Accept(fd);
}

void CommandServer::Accept(int listen_fd) {
  const SentinelSettings& s = host_->settings();
  for (int i = 0; i < 1000; ++i) {
    sockaddr_storage peer{};
    socklen_t plen = sizeof(peer);
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &plen,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (int64_t(clients_.size()) >= s.maxclients) {
      const char* err = "-ERR max number of clients reached\r\n";
      (void)!::write(fd, err, std::strlen(err));
      ::close(fd);
      ++rejected_;
      continue;
    }
    if (s.protected_mode && s.requirepass.empty() && !IsLoopbackPeer(peer)) {
      (void)!::write(fd, kProtectedModeError, std::strlen(kProtectedModeError));
      ::close(fd);
      ++rejected_;
      continue;
    }
    sockaddr_storage local{};
    socklen_t llen = sizeof(local);
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
    auto c = std::make_unique<ClientConn>();
    c->server = this;
    c->id = next_id_++;
    c->fd = fd;
    c->addr = SockAddrText(peer);
    c->laddr = SockAddrText(local);
    c->created_ms = c->last_ms = host_->UnixMillis();
    c->authenticated = s.requirepass.empty();
    for (const SentinelUser& u : s.users) {
      if (u.name == "default") c->authenticated = u.enabled && u.nopass && s.requirepass.empty();
    }
    c->read_ev = event_new(base_, fd, EV_READ | EV_PERSIST, &CommandServer::OnReadable, c.get());
    c->write_ev = event_new(base_, fd, EV_WRITE | EV_PERSIST, &CommandServer::OnWritable, c.get());
    event_add(c->read_ev, nullptr);
    ++total_connections_;
    clients_[c->id] = std::move(c);
  }
}

void CommandServer::OnReadable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<ClientConn*>(arg);
  c->server->ReadSome(c);
}

void CommandServer::OnWritable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<ClientConn*>(arg);
  if (!c->server->Flush(c)) c->server->MarkClosing(c, "write error");
}

void CommandServer::ReadSome(ClientConn* c) {
  if (c->closing) return;
  if (c->qpos > 0 && c->qpos == c->qbuf.size()) {
    c->qbuf.clear();
    c->qpos = 0;
  }
  size_t old = c->qbuf.size();
  c->qbuf.resize(old + kReadChunk);
  ssize_t n = ::read(c->fd, c->qbuf.data() + old, kReadChunk);
  if (n <= 0) {
    c->qbuf.resize(old);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    MarkClosing(c, n == 0 ? "client closed connection" : std::strerror(errno));
    return;
  }
  c->qbuf.resize(old + size_t(n));
  ProcessInput(c);
  if (!c->closing && c->qbuf.size() - c->qpos > kMaxQueryBuffer) {
    MarkClosing(c, "query buffer limit");
  }
}

void CommandServer::ProcessInput(ClientConn* c) {
  resp::ParserLimits limits;
  while (!c->closing && !c->close_after_reply && c->waiting == 0 && c->qpos < c->qbuf.size()) {
    limits.authenticated = c->authenticated;
    size_t used = 0;
    std::string_view data(c->qbuf.data() + c->qpos, c->qbuf.size() - c->qpos);
    resp::ParseStatus st = c->parser.Parse(data, limits, &used, &c->argv);
    c->qpos += used;
    if (st == resp::ParseStatus::kNeedMore) break;
    if (st == resp::ParseStatus::kError) {
      resp::ReplyWriter w(&c->out, c->proto);
      w.Error("ERR " + c->parser.error());
      c->close_after_reply = true;
      break;
    }
    c->argv.resize(c->parser.argc());
    Execute(c);
  }
  if (c->qpos == c->qbuf.size()) {
    c->qbuf.clear();
    c->qpos = 0;
  }
  if (!Flush(c)) MarkClosing(c, "write error");
}

void CommandServer::Execute(ClientConn* c) {
  ++total_commands_;
  c->last_ms = host_->UnixMillis();
  ClientToken token = next_token_++;
  ExecuteClientCommand(*this, c, token);
  if (c->waiting != 0) waiting_[c->waiting] = c->id;
}

void CommandServer::Reply(ClientToken token, const WireValue& value) {
  auto it = waiting_.find(token);
  if (it == waiting_.end()) return;
  uint64_t id = it->second;
  waiting_.erase(it);
  auto cit = clients_.find(id);
  if (cit == clients_.end()) return;
  ClientConn* c = cit->second.get();
  if (c->closing || c->waiting != token) return;
  resp::ReplyWriter w(&c->out, c->proto);
  WriteWire(w, value, c->waiting_shape);
  c->waiting = 0;
  ProcessInput(c);  // continue with what was held back (flushes)
}

void CommandServer::Publish(const std::string& channel, const std::string& message) {
  for (auto& [id, cp] : clients_) {
    ClientConn* c = cp.get();
    if (c->closing || c->subscriptions() == 0) continue;
    resp::ReplyWriter w(&c->out, c->proto);
    if (c->channels.count(channel) > 0) {
      w.Push(3);
      w.Bulk("message");
      w.Bulk(channel);
      w.Bulk(message);
    }
    for (const std::string& p : c->patterns) {
      if (!GlobMatch(p, channel, false)) continue;
      w.Push(4);
      w.Bulk("pmessage");
      w.Bulk(p);
      w.Bulk(channel);
      w.Bulk(message);
    }
    if (c->waiting == 0 && !Flush(c)) MarkClosing(c, "write error");
  }
}

size_t CommandServer::pubsub_channels() const {
  std::set<std::string> all;
  for (const auto& [id, c] : clients_) all.insert(c->channels.begin(), c->channels.end());
  return all.size();
}

size_t CommandServer::pubsub_patterns() const {
  size_t n = 0;
  for (const auto& [id, c] : clients_) n += c->patterns.size();
  return n;
}

bool CommandServer::Flush(ClientConn* c) {
  if (c->closing) return true;
  while (c->out_pos < c->out.size()) {
    ssize_t n = ::write(c->fd, c->out.data() + c->out_pos, c->out.size() - c->out_pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return false;
    }
    c->out_pos += size_t(n);
  }
  if (c->out_pos == c->out.size()) {
    c->out.clear();
    c->out_pos = 0;
    if (c->write_armed) {
      event_del(c->write_ev);
      c->write_armed = false;
    }
    if (c->close_after_reply) MarkClosing(c, nullptr);
    return true;
  }
  if (c->out.size() - c->out_pos > 64 * 1024 * 1024) return false;  // a stuck subscriber
  if (!c->write_armed) {
    event_add(c->write_ev, nullptr);
    c->write_armed = true;
  }
  return true;
}

void CommandServer::MarkClosing(ClientConn* c, const char* why) {
  if (c->closing) return;
  c->closing = true;
  if (why != nullptr) log_->debug("closing client id={} addr={}: {}", c->id, c->addr, why);
  event_del(c->read_ev);
  event_del(c->write_ev);
  closed_.push_back(c->id);
}

void CommandServer::Maintain() {
  for (uint64_t id : std::exchange(closed_, {})) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    ClientConn* c = it->second.get();
    event_free(c->read_ev);
    event_free(c->write_ev);
    ::close(c->fd);
    if (c->waiting != 0) waiting_.erase(c->waiting);
    clients_.erase(it);
  }
}

}  // namespace vigil::sentinel
