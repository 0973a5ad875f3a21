// The shell's side of the Lua debugger (SCRIPT DEBUG, Redis's ldbStartSession/ldbEndSession).
// The debugger reads and writes the client's socket itself, in blocking mode, from inside the
// EVAL's command:
// - SYNC: in this process, which serves nobody else until the script ends, and keeps its
//   writes;
// - YES: in a forked child that owns the client from then on and exits after the EVAL's
//   reply, its writes gone with it. The parent drops the client at once and reaps the child
//   from cron; a shutdown kills the sessions still running.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "datanode/server/connection.h"
#include "datanode/server/server.h"
#include "datanode/store/chained_table.h"

namespace vigil::datanode {
namespace {

class ConnectionDebugChannel final : public DebugChannel {
 public:
  explicit ConnectionDebugChannel(Connection* conn) : conn_(conn) {}
  bool Write(std::string_view bytes) override { return conn_->BlockingWrite(bytes); }
  long Read(char* buf, size_t cap) override { return conn_->BlockingRead(buf, cap); }

 private:
  Connection* conn_;
};

}  // namespace

ServerHooks::LuaDebugStart Server::StartLuaDebug(Session& s, bool forked, DebugChannel** channel,
                                                 std::string* error) {
  auto it = connections_.find(&s);
  if (it == connections_.end()) {
    *error = "ERR the Lua debugger needs a client connection";
    return LuaDebugStart::kFailed;
  }
  Connection* conn = it->second.get();
  // Replies queued before the EVAL go out now: from here on the debugger writes directly.
  if (!conn->BeginBlockingIo()) {
    conn->MarkClosing("write error before a Lua debugging session");
    return LuaDebugStart::kHandedOff;
  }
  if (forked) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      conn->EndBlockingIo();
      *error =
          std::string("ERR Fork() failed: can't run EVAL in debugging mode: ") + std::strerror(err);
      return LuaDebugStart::kFailed;
    }
    if (pid > 0) {
      lua_debug_children_.push_back(pid);
      ++service_->stats().total_forks;
      conn->MarkClosing(nullptr);  // close(2) only: the child's copy of the socket lives on
      return LuaDebugStart::kHandedOff;
    }
    // The child: an operator's signals are for the parent, and a parent that dies must free
    // its port.
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    CloseListenersInChild();
    DetachLazyFreeInChild();
    SetTableResizePolicy(TableResizePolicy::kForbid);  // as in every Redis fork child
    log_->warn("Redis forked for debugging eval {}", Where());
  } else {
    log_->warn("Redis synchronous debugging eval session started {}", Where());
  }
  lua_debug_channel_ = std::make_unique<ConnectionDebugChannel>(conn);
  *channel = lua_debug_channel_.get();
  return LuaDebugStart::kRun;
}

void Server::EndLuaDebug(Session& s, bool forked) {
  auto it = connections_.find(&s);
  Connection* conn = it == connections_.end() ? nullptr : it->second.get();
  if (forked) {
    if (conn != nullptr) conn->WriteQueuedBlocking();
    log_->warn("Lua debugging session child exiting {}", Where());
    log_->flush();
    ::_exit(0);
  }
  log_->warn("Redis synchronous debugging eval session ended {}", Where());
  if (conn != nullptr) conn->EndBlockingIo();
  lua_debug_channel_.reset();
}

void Server::ReapLuaDebugChildren() {
  auto done = [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; };
  lua_debug_children_.erase(
      std::remove_if(lua_debug_children_.begin(), lua_debug_children_.end(), done),
      lua_debug_children_.end());
}

void Server::KillLuaDebugChildren() {
  for (pid_t pid : lua_debug_children_) {
    log_->warn("Killing debugging session {} {}", long(pid), Where());
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  lua_debug_children_.clear();
}

}  // namespace vigil::datanode
