#include "common/net/event_loop.h"

namespace vigil::net {

namespace {

// The epoll changelist folds an event's add and delete made in the same loop pass into nothing;
// both servers add write interest and drop it again within one pass for most replies.
event_base* NewBase() {
  event_config* cfg = event_config_new();
  event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
  event_base* base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  return base != nullptr ? base : event_base_new();
}

}  // namespace

EventLoop::EventLoop() : base_(NewBase()) {}

EventLoop::~EventLoop() {
  for (auto& h : handlers_) {
    if (h->ev != nullptr) event_free(h->ev);
  }
  event_base_free(base_);
}

void EventLoop::Run() {
  event_base_dispatch(base_);
}
void EventLoop::Stop() {
  event_base_loopbreak(base_);
}

void EventLoop::Dispatch(evutil_socket_t, short, void* arg) {
  auto* h = static_cast<Handler*>(arg);
  if (h->once) {
    if (h->fired) return;
    h->fired = true;
  }
  h->running = true;
  h->fn();
  h->running = false;
}

void EventLoop::Every(Millis period, std::function<void()> fn) {
  auto h = std::make_unique<Handler>();
  h->fn = std::move(fn);
  h->ev = event_new(base_, -1, EV_PERSIST, &EventLoop::Dispatch, h.get());
  timeval tv{long(period.count() / 1000), long((period.count() % 1000) * 1000)};
  event_add(h->ev, &tv);
  handlers_.push_back(std::move(h));
}

void EventLoop::After(Millis delay, std::function<void()> fn) {
  // Fired one-shot handlers are reclaimed lazily to keep the handler list bounded.
  std::erase_if(handlers_, [](const std::unique_ptr<Handler>& h) {
    if (h->once && h->fired && !h->running) {
      event_free(h->ev);
      return true;
    }
    return false;
  });
  auto h = std::make_unique<Handler>();
  h->fn = std::move(fn);
  h->once = true;
  h->ev = event_new(base_, -1, 0, &EventLoop::Dispatch, h.get());
  timeval tv{long(delay.count() / 1000), long((delay.count() % 1000) * 1000)};
  event_add(h->ev, &tv);
  handlers_.push_back(std::move(h));
}

void EventLoop::OnSignal(int signo, std::function<void()> fn) {
  auto h = std::make_unique<Handler>();
  h->fn = std::move(fn);
  h->ev = evsignal_new(base_, signo, &EventLoop::Dispatch, h.get());
  event_add(h->ev, nullptr);
  handlers_.push_back(std::move(h));
}

void SetEventArmed(event* ev, bool on, bool* armed) {
  if (on == *armed) return;
  if (on) {
    event_add(ev, nullptr);
  } else {
    event_del(ev);
  }
  *armed = on;
}

}  // namespace vigil::net
