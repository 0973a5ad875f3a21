#pragma once
// InstanceLinks: the core's connections (ConnectAction/CloseAction/SendAction) carried out with
// hiredis 0.14 async contexts on libevent. Every reply, pub/sub message, connect result and
// disconnect becomes a core Input handed to `sink`. The sink must not call back into this class
// synchronously (the runtime queues inputs and runs the core after the hiredis callback returns),
// because hiredis must not see its context freed from inside its own callbacks.
#include <event2/event.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/time/mono_time.h"
#include "sentinel/core/actions.h"
#include "sentinel/core/inputs.h"

struct redisAsyncContext;

namespace spdlog {
class logger;
}

namespace vigil::sentinel {

// TCP_USER_TIMEOUT on every link: data a peer's kernel has not acknowledged for this long
// (a partition; a paused process still acknowledges) aborts the connection.
inline constexpr Millis kLinkUserTimeout{1000};

class InstanceLinks {
 public:
  using InputSink = std::function<void(Input)>;
  using NowFn = std::function<MonoTime()>;

  InstanceLinks(event_base* base, InputSink sink, NowFn now, spdlog::logger* log,
                Millis connect_timeout = Millis(1000));
  ~InstanceLinks();
  InstanceLinks(const InstanceLinks&) = delete;
  InstanceLinks& operator=(const InstanceLinks&) = delete;

  // Runs after each socket's replies were handed to the sink, outside hiredis callbacks: the
  // runtime steps the core there, so a burst of replies (1,000 INFO answers at start-up) is not
  // held in the input queue all at once.
  void SetAfterRead(std::function<void()> fn) { after_read_ = std::move(fn); }

  void Connect(const ConnectAction& action);
  void Close(ConnId conn);
  void Send(SendAction&& action);
  // Times out connects older than the connect timeout and frees closed contexts. Call every tick.
  void Maintain();

  size_t open_connections() const { return conns_.size(); }

 private:
  struct Pending {
    RequestId request = 0;  // 0: AUTH / CLIENT SETNAME, reply ignored
    Command command;
    size_t expected = 1;
    std::vector<WireValue> replies;
  };
  struct Conn {
    InstanceLinks* owner = nullptr;
    ConnId id = 0;
    Channel channel = Channel::kCommand;
    std::string where;  // "host:port" for logs
    redisAsyncContext* ac = nullptr;
    bool connected = false;
    bool closed = false;
    bool flush_queued = false;
    MonoTime started{0};
    std::deque<Pending> fifo;
    RequestId subscribe_request = 0;
  };

  // Commands queued in one loop pass are written at its end, in the same pass, instead of on
  // the next writability wakeup: with libevent's epoll changelist the write-interest add and
  // delete then cancel out, saving two epoll_ctl calls and a wakeup per command.
  static void OnFlush(evutil_socket_t, short, void* arg);
  void QueueFlush(Conn* c);

  static void OnAfterRead(void* arg);
  static void OnConnect(const redisAsyncContext* ac, int status);
  static void OnDisconnect(const redisAsyncContext* ac, int status);
  static void OnReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void OnPubSub(redisAsyncContext* ac, void* reply, void* privdata);

  // Marks `c` closed and reports LinkDown (unless the core closed it).
  void Fail(Conn* c, const char* why, bool report);
  void Bury(ConnId id);
  bool SendArgv(Conn* c, const std::vector<std::string>& argv, bool subscribe);

  event_base* base_;
  InputSink sink_;
  std::function<void()> after_read_;
  NowFn now_;
  spdlog::logger* log_;
  Millis connect_timeout_;
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  std::set<ConnId> connecting_;  // what Maintain checks: not every open connection, each tick
  event* flush_ev_ = nullptr;
  std::vector<ConnId> flush_queue_;
  std::vector<std::unique_ptr<Conn>> graveyard_;  // freed on the next Maintain()
};

}  // namespace vigil::sentinel
