#include "sentinel/shell/command_server.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/glob.h"
#include "common/base/host_port.h"
#include "common/net/tcp_listener.h"
#include "common/resp/reply_writer.h"

namespace vigil::sentinel {

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxQueryBuffer = 1024 * 1024 * 1024;

}  // namespace

CommandServer::CommandServer(event_base* base, SentinelHost* host, spdlog::logger* log)
    : base_(base),
      host_(host),
      log_(log),
      acceptor_(base, [this](const net::Acceptor::Accepted& a) { Accept(a); }) {}

CommandServer::~CommandServer() {
  for (auto& [id, c] : clients_) {
    if (c->read_ev) event_free(c->read_ev);
    if (c->write_ev) event_free(c->write_ev);
    if (c->fd >= 0) ::close(c->fd);
  }
}

Status CommandServer::ListenAll(const std::vector<std::string>& bind, int port, bool tls) {
  // No bind line: every IPv4 address, and IPv6 where the host has it.
  const std::vector<std::string> addrs =
      bind.empty() ? std::vector<std::string>{"*", "-::*"} : bind;
  return acceptor_.ListenPort(addrs, port,
                              tls ? net::Acceptor::Kind::kTls : net::Acceptor::Kind::kTcp);
}

Status CommandServer::Listen(const std::vector<std::string>& bind, int port) {
  return ListenAll(bind, port, false);
}

Status CommandServer::ListenTls(const std::vector<std::string>& bind, int port,
                                std::shared_ptr<net::TlsContext> ctx, net::TlsAuthClients auth) {
  tls_ctx_ = std::move(ctx);
  tls_auth_ = auth;
  return ListenAll(bind, port, true);
}

void CommandServer::Accept(const net::Acceptor::Accepted& a) {
  const SentinelSettings& s = host_->settings();
  const int fd = a.fd;
  if (int64_t(clients_.size()) >= s.maxclients) {
    const char* err = "-ERR max number of clients reached\r\n";
    (void)!::write(fd, err, std::strlen(err));
    ::close(fd);
    ++rejected_;
    return;
  }
  if (s.protected_mode && s.requirepass.empty() && !net::IsLoopbackPeer(a.peer)) {
    (void)!::write(fd, net::kProtectedModeError, std::strlen(net::kProtectedModeError));
    ::close(fd);
    ++rejected_;
    return;
  }
  auto c = std::make_unique<ClientConn>();
  c->server = this;
  c->id = next_id_++;
  c->fd = fd;
  c->addr = net::SockAddrText(a.peer);
  c->laddr = net::SockAddrText(a.local);
  c->created_ms = c->last_ms = host_->UnixMillis();
  c->authenticated = s.requirepass.empty();
  for (const SentinelUser& u : s.users) {
    if (u.name == "default") c->authenticated = u.enabled && u.nopass && s.requirepass.empty();
  }
  if (a.kind == net::Acceptor::Kind::kTls && tls_ctx_ != nullptr) {
    c->tls = net::TlsStream::Accept(*tls_ctx_, fd, tls_auth_);
    if (c->tls == nullptr) {
      log_->warn("Error accepting a TLS client connection from {}: {}", c->addr,
                 net::TakeOpenSslError());
      ::close(fd);
      return;
    }
  }
  c->read_ev = event_new(base_, fd, EV_READ | EV_PERSIST, &CommandServer::OnReadable, c.get());
  c->write_ev = event_new(base_, fd, EV_WRITE | EV_PERSIST, &CommandServer::OnWritable, c.get());
  event_add(c->read_ev, nullptr);
  ++total_connections_;
  clients_[c->id] = std::move(c);
}

void CommandServer::OnReadable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<ClientConn*>(arg);
  CommandServer* self = c->server;
  if (c->tls != nullptr && !c->tls->handshake_done()) return self->ContinueHandshake(c);
  // A TLS write that needed the peer's bytes first goes on now.
  if (c->tls != nullptr && c->tls->write_wants_read() && !self->Flush(c)) {
    return self->MarkClosing(c, "write error");
  }
  self->ReadSome(c);
}

void CommandServer::OnWritable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<ClientConn*>(arg);
  CommandServer* self = c->server;
  if (c->tls != nullptr && !c->tls->handshake_done()) return self->ContinueHandshake(c);
  if (c->tls != nullptr && c->tls->read_wants_write()) self->ReadSome(c);
  if (!c->closing && !self->Flush(c)) self->MarkClosing(c, "write error");
}

void CommandServer::ArmWrite(ClientConn* c, bool on) {
  if (on == c->write_armed) return;
  if (on) {
    event_add(c->write_ev, nullptr);
  } else {
    event_del(c->write_ev);
  }
  c->write_armed = on;
}

void CommandServer::ContinueHandshake(ClientConn* c) {
  switch (c->tls->Handshake()) {
    case net::TlsIo::kDone:
      ArmWrite(c, false);
      if (c->tls->pending()) ReadSome(c);
      return;
    case net::TlsIo::kWantRead:
      ArmWrite(c, false);
      return;
    case net::TlsIo::kWantWrite:
      ArmWrite(c, true);
      return;
    case net::TlsIo::kClosed:
      MarkClosing(c, "client closed connection during the TLS handshake");
      return;
    case net::TlsIo::kError:
      // Plain text on the TLS port, a certificate that does not verify, or one missing when
      // tls-auth-clients requires it: say who and why, once.
      log_->warn("TLS handshake with client {} failed: {}", c->addr, c->tls->error());
      MarkClosing(c, nullptr);
      return;
  }
}

void CommandServer::ReadSome(ClientConn* c) {
  // OpenSSL may hold decrypted bytes the socket no longer signals: read until it holds none.
  do {
    if (c->closing) return;
    if (c->qpos > 0 && c->qpos == c->qbuf.size()) {
      c->qbuf.clear();
      c->qpos = 0;
    }
    size_t old = c->qbuf.size();
    c->qbuf.resize(old + kReadChunk);
    size_t got = 0;
    std::string err;
    const net::SocketIo io =
        net::ReadSocket(c->fd, c->tls.get(), c->qbuf.data() + old, kReadChunk, &got, &err);
    c->qbuf.resize(old + got);
    if (io == net::SocketIo::kAgain) {
      if (c->tls != nullptr && c->tls->read_wants_write()) ArmWrite(c, true);
      return;
    }
    if (io != net::SocketIo::kData) {
      MarkClosing(c, io == net::SocketIo::kClosed ? "client closed connection" : err.c_str());
      return;
    }
    ProcessInput(c);
    if (!c->closing && c->qbuf.size() - c->qpos > kMaxQueryBuffer) {
      MarkClosing(c, "query buffer limit");
    }
  } while (c->tls != nullptr && c->tls->pending());
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

void CommandServer::Reply(ClientToken token, const resp::Value& value) {
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
  if (c->tls != nullptr && !c->tls->handshake_done()) return true;  // sent after the handshake
  while (c->out_pos < c->out.size()) {
    size_t put = 0;
    std::string err;
    const net::SocketIo io = net::WriteSocket(c->fd, c->tls.get(), c->out.data() + c->out_pos,
                                              c->out.size() - c->out_pos, &put, &err);
    if (io == net::SocketIo::kAgain) break;
    if (io != net::SocketIo::kData) return false;
    c->out_pos += put;
  }
  if (c->out_pos == c->out.size()) {
    c->out.clear();
    c->out_pos = 0;
    if (!(c->tls != nullptr && c->tls->read_wants_write())) ArmWrite(c, false);
    if (c->close_after_reply) MarkClosing(c, nullptr);
    return true;
  }
  if (c->out.size() - c->out_pos > 64 * 1024 * 1024) return false;  // a stuck subscriber
  // A TLS write waiting for the peer's bytes is retried by the read event, not this one.
  ArmWrite(c, !(c->tls != nullptr && c->tls->write_wants_read()));
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
    c->tls.reset();  // before the descriptor it uses
    ::close(c->fd);
    if (c->waiting != 0) waiting_.erase(c->waiting);
    clients_.erase(it);
  }
}

}  // namespace vigil::sentinel
