#pragma once
// HiredisEventBinding: attaches a hiredis 0.14 async context to a libevent base.
//
// hiredis ships an adapter (hiredis/adapters/libevent.h) whose read event is one-shot: libevent
// drops it when it fires and hiredis adds it back after every read. Under the epoll changelist
// that drop-and-add becomes one EPOLL_CTL_MOD per read, about one extra syscall per reply; with
// 1,000 monitored masters that was 1,300 epoll_ctl calls a second for nothing. Here the read event
// is persistent, so re-adding it is a no-op inside libevent and epoll is told once per connection.
#include <event2/event.h>

struct redisAsyncContext;

namespace vigil::sentinel {

// Same contract as redisLibeventAttach: REDIS_OK, or REDIS_ERR when something is attached already.
int AttachHiredisToLibevent(redisAsyncContext* ac, event_base* base);

}  // namespace vigil::sentinel
