#pragma once
// ShutdownHandoffLink: the sockets and the timer of the shutdown handoff. It drives the pure
// ShutdownHandoff: one hiredis connection to the sentinel being asked, a 10 ms timer that
// notices when this node has started following the new master, and a 1 s bound on every
// question (a sentinel that does not answer counts as a refusal).
#include <event2/event.h>
#include <spdlog/logger.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/base/host_port.h"
#include "common/time/mono_time.h"
#include "datanode/replication/shutdown_handoff.h"

struct redisAsyncContext;

namespace vigil::datanode {

class ShutdownHandoffLink {
 public:
  struct Hooks {
    std::function<MonoTime()> now;
    // The master this node follows once its FAILOVER handed over, if it does.
    std::function<std::optional<HostPort>()> following;
    // The handoff is over: continue (handed_over) or fall back to Redis's shutdown.
    std::function<void(bool handed_over, const std::string& why)> finished;
  };

  ShutdownHandoffLink(event_base* base, spdlog::logger* log, Hooks hooks);
  ~ShutdownHandoffLink();
  ShutdownHandoffLink(const ShutdownHandoffLink&) = delete;
  ShutdownHandoffLink& operator=(const ShutdownHandoffLink&) = delete;

  void Start(std::vector<HandoffSentinel> sentinels, MonoTime deadline);
  // SHUTDOWN ABORT: stops asking; `finished` is not called.
  void Cancel();
  bool active() const { return handoff_.active(); }

 private:
  void Apply(const HandoffStep& step);
  void Send(size_t sentinel, const std::vector<std::string>& argv);
  void DropConnection();
  void OnReplyFor(const std::string& error, std::optional<HostPort> addr);
  static void OnTimer(evutil_socket_t, short, void* arg);
  static void OnConnect(const redisAsyncContext* ac, int status);
  static void OnDisconnect(const redisAsyncContext* ac, int status);
  static void OnReply(redisAsyncContext* ac, void* reply, void* privdata);

  event_base* base_;
  spdlog::logger* log_;
  Hooks hooks_;
  ShutdownHandoff handoff_;
  event* timer_ = nullptr;
  redisAsyncContext* ac_ = nullptr;
  size_t ac_sentinel_ = 0;
  bool question_open_ = false;
  MonoTime asked_at_{};
  static constexpr Millis kQuestionTimeout{1000};
};

}  // namespace vigil::datanode
