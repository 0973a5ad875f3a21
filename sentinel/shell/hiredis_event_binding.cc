#include "sentinel/shell/hiredis_event_binding.h"

// First: hiredis.h pulls sds.h in outside its C linkage block, and sds.h has no guards of its own.
extern "C" {
#include <hiredis/sds.h>
}
// clang-format off
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
// clang-format on

namespace vigil::sentinel {

namespace {

constexpr size_t kIdleReadBuffer = 1024;

struct Binding {
  redisAsyncContext* ac = nullptr;
  event* read_ev = nullptr;
  event* write_ev = nullptr;
  AfterReadFn after_read = nullptr;
  void* after_read_arg = nullptr;
  bool* freed = nullptr;  // set while a read runs: hiredis may free the context inside it
};

// A 5 KiB INFO reply leaves a ~10 KiB buffer (sds doubles) that hiredis keeps until the next
// read; with a thousand links answering INFO at once that is 10 MiB of peak heap, which glibc
// then keeps as resident memory for good.
void ReleaseDrainedBuffer(redisReader* r) {
  if (r == nullptr || r->buf == nullptr || r->pos != r->len) return;
  // No reply half-parsed: either no task, or the next reply's task set up with no type byte yet
  // (hiredis 0.14 leaves that behind after every read it consumed to the end).
  bool idle = r->ridx == -1 || (r->ridx == 0 && r->rstack[0].type < 0);
  if (!idle) return;
  if (sdsalloc(r->buf) <= kIdleReadBuffer) return;
  sds fresh = sdsempty();
  if (fresh == nullptr) return;
  sdsfree(r->buf);
  r->buf = fresh;
  r->pos = 0;
  r->len = 0;
}

void OnReadable(evutil_socket_t, short, void* arg) {
  auto* b = static_cast<Binding*>(arg);
  AfterReadFn after_read = b->after_read;
  void* after_read_arg = b->after_read_arg;
  bool freed = false;
  b->freed = &freed;
  redisAsyncHandleRead(b->ac);
  if (!freed) {
    b->freed = nullptr;
    ReleaseDrainedBuffer(b->ac->c.reader);
  }
  if (after_read != nullptr) after_read(after_read_arg);
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
  if (b->freed != nullptr) *b->freed = true;
  event_free(b->read_ev);
  event_free(b->write_ev);
  delete b;
}

}  // namespace

int AttachHiredisToLibevent(redisAsyncContext* ac, event_base* base, AfterReadFn after_read,
                            void* after_read_arg) {
  if (ac->ev.data != nullptr) return REDIS_ERR;
  auto* b = new Binding;
  b->ac = ac;
  b->after_read = after_read;
  b->after_read_arg = after_read_arg;
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
