#pragma once
// RAII ownership of a libevent base plus the two things every server needs from it: repeating
// timers and signal handlers, each delivered as a std::function on the loop thread.
#include <event2/event.h>

#include <functional>
#include <memory>
#include <vector>

#include "common/time/mono_time.h"

namespace vigil::net {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() const { return base_; }
  void Run();   // until Stop()
  void Stop();  // safe from callbacks on the loop

  // Calls `fn` every `period` until the loop ends.
  void Every(Millis period, std::function<void()> fn);
  // Calls `fn` once after `delay`.
  void After(Millis delay, std::function<void()> fn);
  // Calls `fn` on the loop when `signo` arrives.
  void OnSignal(int signo, std::function<void()> fn);

 private:
  struct Handler {
    event* ev = nullptr;
    std::function<void()> fn;
    bool once = false;
    bool fired = false;
    bool running = false;  // never reclaimed while its own callback runs
  };
  static void Dispatch(evutil_socket_t, short, void* arg);
  event_base* base_;
  std::vector<std::unique_ptr<Handler>> handlers_;
};

// Adds `ev` (no timeout) or removes it when `on` differs from `*armed`, and records the state:
// a write event armed only while output is pending.
void SetEventArmed(event* ev, bool on, bool* armed);

}  // namespace vigil::net
