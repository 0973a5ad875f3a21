#include "common/net/acceptor.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "common/net/tcp_listener.h"
#include "common/net/unix_listener.h"

namespace vigil::net {

Acceptor::Acceptor(event_base* base, Handler handler) : base_(base), handler_(std::move(handler)) {}

Acceptor::~Acceptor() {
  CloseAll();
}

void Acceptor::Free(Listener& l) {
  if (l.ev != nullptr) event_free(l.ev);
  if (l.fd >= 0) ::close(l.fd);
  l.ev = nullptr;
  l.fd = -1;
}

Status Acceptor::Add(int fd, Kind kind, std::vector<std::unique_ptr<Listener>>* out) {
  auto l = std::make_unique<Listener>();
  l->self = this;
  l->fd = fd;
  l->kind = kind;
  l->ev = event_new(base_, fd, EV_READ | EV_PERSIST, &Acceptor::OnReadable, l.get());
  if (l->ev == nullptr || event_add(l->ev, nullptr) != 0) {
    Free(*l);
    return Status::Error("cannot watch a listening socket");
  }
  out->push_back(std::move(l));
  return Status::Ok();
}

Status Acceptor::ListenPort(const std::vector<std::string>& bind, int port, Kind kind) {
  Close(kind);
  std::vector<std::unique_ptr<Listener>> opened;
  auto fail = [&](Status st) {
    for (auto& l : opened) Free(*l);
    return st;
  };
  for (const std::string& b : bind) {
    const bool optional = !b.empty() && b[0] == '-';
    Result<int> fd = ListenTcp(optional ? b.substr(1) : b, port, optional);
    if (!fd.ok()) return fail(fd.status());
    if (fd.value() < 0) continue;  // an optional address not available here
    if (Status st = Add(fd.value(), kind, &opened); !st.ok()) return fail(st);
  }
  if (opened.empty() && !bind.empty()) {
    return Status::Error("no listening socket could be created");
  }
  for (auto& l : opened) listeners_.push_back(std::move(l));
  return Status::Ok();
}

Status Acceptor::ListenUnix(const std::string& path, int perm) {
  Close(Kind::kUnix);
  Result<int> fd = net::ListenUnix(path, perm);
  if (!fd.ok()) return fd.status();
  return Add(fd.value(), Kind::kUnix, &listeners_);
}

void Acceptor::Close(Kind kind) {
  std::erase_if(listeners_, [kind](const std::unique_ptr<Listener>& l) {
    if (l->kind != kind) return false;
    Free(*l);
    return true;
  });
}

void Acceptor::CloseAll() {
  for (auto& l : listeners_) Free(*l);
  listeners_.clear();
}

void Acceptor::CloseFdsInChild() const {
  for (const auto& l : listeners_) {
    if (l->fd >= 0) ::close(l->fd);
  }
}

void Acceptor::AcceptPending() {
  for (const auto& l : listeners_) Accept(*l);
}

void Acceptor::OnReadable(evutil_socket_t, short, void* arg) {
  const auto* l = static_cast<const Listener*>(arg);
  l->self->Accept(*l);
}

void Acceptor::Accept(const Listener& l) {
  for (int i = 0; i < 1000; ++i) {
    Accepted a;
    a.kind = l.kind;
    socklen_t plen = sizeof(a.peer);
    a.fd =
        ::accept4(l.fd, reinterpret_cast<sockaddr*>(&a.peer), &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (a.fd < 0) return;
    if (l.kind != Kind::kUnix) {
      int one = 1;
      setsockopt(a.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    socklen_t llen = sizeof(a.local);
    getsockname(a.fd, reinterpret_cast<sockaddr*>(&a.local), &llen);
    handler_(a);
  }
}

}  // namespace vigil::net
