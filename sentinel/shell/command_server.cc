#include "sentinel/shell/command_server.h"

#include "common/net/tcp_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/glob.h"
#include "common/base/host_port.h"
#include "common/resp/reply_writer.h"

namespace vigil::sentinel {

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxQueryBuffer = 1024 * 1024 * 1024;

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
  auto listened = net::ListenTcp(spec, port, optional);
  if (!listened.ok()) return listened.status();
  const int fd = listened.value();
  if (fd < 0) return Status::Ok();  // optional address not available here
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
    if (s.protected_mode && s.requirepass.empty() && !net::IsLoopbackPeer(peer)) {
      (void)!::write(fd, net::kProtectedModeError, std::strlen(net::kProtectedModeError));
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
    c->addr = net::SockAddrText(peer);
    c->laddr = net::SockAddrText(local);
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
