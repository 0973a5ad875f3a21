#pragma once
// Acceptor: a server's listening sockets, and the one place in the project where connections are
// accepted. The data node and the sentinel both use it; what happens to an accepted socket
// (client limits, protected mode, TLS, the connection object) is theirs, in the handler.
//
// Listeners carry a kind so a server can reopen one port (CONFIG SET port / tls-port / bind)
// without touching the others. Accepted sockets are non-blocking, close-on-exec and TCP_NODELAY;
// up to 1000 are taken per wake-up, as Redis's MAX_ACCEPTS_PER_CALL.
#include <event2/event.h>
#include <sys/socket.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vigil::net {

class Acceptor {
 public:
  enum class Kind { kTcp, kTls, kUnix };
  struct Accepted {
    int fd = -1;  // the handler owns it
    Kind kind = Kind::kTcp;
    sockaddr_storage peer{};
    sockaddr_storage local{};
  };
  using Handler = std::function<void(const Accepted&)>;

  Acceptor(event_base* base, Handler handler);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Replaces the listeners of `kind` with one per address of `bind` on `port`, in redis.conf's
  // syntax ("*", "::*", a leading '-' for an address that may be unavailable). An error leaves
  // none of `kind` open. An empty `bind` opens nothing; otherwise at least one must open.
  Status ListenPort(const std::vector<std::string>& bind, int port, Kind kind);
  // The unixsocket listener (see ListenUnix).
  Status ListenUnix(const std::string& path, int perm);
  void Close(Kind kind);
  void CloseAll();
  bool empty() const { return listeners_.empty(); }
  // In a forked child: closes the listening fds without touching the parent's event loop.
  void CloseFdsInChild() const;
  // Accepts whatever is pending on every listener now (used while a busy script blocks the
  // event loop).
  void AcceptPending();

 private:
  struct Listener {
    Acceptor* self = nullptr;
    int fd = -1;
    event* ev = nullptr;
    Kind kind = Kind::kTcp;
  };
  static void OnReadable(evutil_socket_t fd, short what, void* arg);
  Status Add(int fd, Kind kind, std::vector<std::unique_ptr<Listener>>* out);
  void Accept(const Listener& l);
  static void Free(Listener& l);

  event_base* base_;
  Handler handler_;
  std::vector<std::unique_ptr<Listener>> listeners_;
};

}  // namespace vigil::net
