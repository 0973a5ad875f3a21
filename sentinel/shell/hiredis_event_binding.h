#pragma once
// HiredisEventBinding: attaches a hiredis 0.14 async context to a libevent base.
//
// hiredis ships an adapter (hiredis/adapters/libevent.h) whose read event is one-shot: libevent
// drops it when it fires and hiredis adds it back after every read. Under the epoll changelist
// that drop-and-add becomes one EPOLL_CTL_MOD per read, about one extra syscall per reply; with
// 1,000 monitored masters that was 1,300 epoll_ctl calls a second for nothing. Here the read event
// is persistent, so re-adding it is a no-op inside libevent and epoll is told once per connection.
//
// After each read the binding also gives back a drained read buffer that grew past 1 KiB (hiredis
// itself would keep up to 16 KiB per connection until the next read), then runs `after_read`,
// outside every hiredis callback, so the owner can act on the replies while they are fresh.
#include <event2/event.h>

struct redisAsyncContext;

namespace vigil::sentinel {

using AfterReadFn = void (*)(void* arg);

// Same contract as redisLibeventAttach: REDIS_OK, or REDIS_ERR when something is attached already
// (or out of memory). `after_read` may be null; it must outlive the context.
int AttachHiredisToLibevent(redisAsyncContext* ac, event_base* base,
                            AfterReadFn after_read = nullptr, void* after_read_arg = nullptr);

}  // namespace vigil::sentinel
