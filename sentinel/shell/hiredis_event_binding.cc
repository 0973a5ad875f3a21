#include "sentinel/shell/hiredis_event_binding.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace vigil::sentinel {

namespace {

struct Binding {
  redisAsyncContext* ac = nullptr;
  event* read_ev = nullptr;
  event* write_ev = nullptr;
};

void OnReadable(evutil_socket_t, short, void* arg) {
  redisAsyncHandleRead(static_cast<Binding*>(arg)->ac);
}

void OnWritable(evutil_socket_t, short, void* arg) {
  redisAsyncHandleWrite(static_cast<Binding*>(arg)->ac);
}

// event_add on a pending event without a timeout changes nothing, so hiredis's add after each
// read costs no syscall.
void AddRead(void* data) {
  event_add(static_cast<Binding*>(data)->read_ev, nullptr);
}
void DelRead(void* data) {
  event_del(static_cast<Binding*>(data)->read_ev);
}
void AddWrite(void* data) {
  event_add(static_cast<Binding*>(data)->write_ev, nullptr);
}
void DelWrite(void* data) {
  event_del(static_cast<Binding*>(data)->write_ev);
}

void Cleanup(void* data) {
  auto* b = static_cast<Binding*>(data);
  event_free(b->read_ev);
  event_free(b->write_ev);
  delete b;
}

}  // namespace

int AttachHiredisToLibevent(redisAsyncContext* ac, event_base* base) {
  if (ac->ev.data != nullptr) return REDIS_ERR;
  auto* b = new Binding;
  b->ac = ac;
  evutil_socket_t fd = ac->c.fd;
  b->read_ev = event_new(base, fd, EV_READ | EV_PERSIST, &OnReadable, b);
  // Write interest is dropped by hiredis once its buffer is empty; persistent so that a large
  // buffer drained over several wakeups is not re-armed each time.
  b->write_ev = event_new(base, fd, EV_WRITE | EV_PERSIST, &OnWritable, b);
  if (b->read_ev == nullptr || b->write_ev == nullptr) {
    if (b->read_ev != nullptr) event_free(b->read_ev);
    if (b->write_ev != nullptr) event_free(b->write_ev);
    delete b;
    return REDIS_ERR;
  }
  ac->ev.addRead = &AddRead;
  ac->ev.delRead = &DelRead;
  ac->ev.addWrite = &AddWrite;
  ac->ev.delWrite = &DelWrite;
  ac->ev.cleanup = &Cleanup;
  ac->ev.data = b;
  // As the shipped adapter does: a connect in progress reports through either event.
  event_add(b->read_ev, nullptr);
  event_add(b->write_ev, nullptr);
  return REDIS_OK;
}

}  // namespace vigil::sentinel
