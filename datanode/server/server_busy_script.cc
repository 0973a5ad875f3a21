// The shell's side of a busy script (Redis's processEventsWhileBlocked). The script runs inside
// a libevent callback and libevent cannot be re-entered, so the server polls its sockets itself:
// new connections are accepted, every client but the script's caller is read and written, and
// the fence keeps its heartbeat. The commands that arrive meet the service's -BUSY check; only
// the allow_busy ones (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, ...) run.
#include <poll.h>

#include <vector>

#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

// The fence's heartbeat period in the loop (server.cc); kept while the loop is not running.
constexpr Millis kFenceTickPeriod{100};

}  // namespace

void Server::ProcessEventsWhileBusy(const Session& caller) {
  if (serving_while_busy_) return;
  serving_while_busy_ = true;
  service_->set_now(now_ms());
  service_->set_mono_now(mono_now());

  // The caller's connection is left alone (Redis's protectClient): its pipelined requests
  // wait for the script's reply, and a hang-up is noticed after it.
  Connection* caller_conn = nullptr;
  std::vector<pollfd> fds;
  // Sessions, not connections: a command run below may close and free other connections (a
  // failed SHUTDOWN answers its waiters through AfterCommands), so each is looked up again.
  std::vector<Session*> polled;
  acceptor_.AcceptPending();
  for (auto& [session, conn] : connections_) {
    if (session == &caller) {
      caller_conn = conn.get();
      continue;
    }
    if (conn->closing()) continue;
    const short events = short(POLLIN | (conn->wants_write() ? POLLOUT : 0));
    fds.push_back(pollfd{conn->fd(), events, 0});
    polled.push_back(session);
  }
  if (::poll(fds.data(), fds.size(), 0) >= 0) {
    for (size_t i = 0; i < polled.size(); ++i) {
      auto it = connections_.find(polled[i]);
      if (it == connections_.end() || it->second->closing()) continue;
      Connection* c = it->second.get();
      const short revents = fds[i].revents;
      if (revents != 0 || c->has_buffered_tls_input()) c->OnPolledWhileBusy(revents);
    }
  }
  // Replies held for the AOF would otherwise wait for the script: a -BUSY must arrive now.
  if (!deferred_.empty()) FlushDeferredReplies();
  // The caller's connection cannot have been freed: nothing reads it while the script runs.
  AfterCommands(caller_conn);
  if (mono_now() - busy_fence_tick_ >= kFenceTickPeriod) {
    busy_fence_tick_ = mono_now();
    FenceTick();
  }
  serving_while_busy_ = false;
}

}  // namespace vigil::datanode
