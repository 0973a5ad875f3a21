#pragma once
// LazyFreer: where the store sends what it removed when the memory may be given back off the
// event loop thread (Redis's lazyfree.c). The store decides what goes (LazyFreePolicy and
// FreeEffort); the server shell implements the freeing (a background thread).
//
// What is handed over is owned and detached: no table, expiry slot or other object refers to
// it any more, so whoever frees it touches nothing the loop thread still uses.
#include <chrono>
#include <cstddef>
#include <memory>

#include "datanode/store/entry.h"

namespace vigil::datanode {

class Database;

class LazyFreer {
 public:
  virtual ~LazyFreer() = default;
  // Takes `e` (removed from its database, expiry included) and frees it later.
  virtual void FreeEntry(Entry* e) = 0;
  // Takes a whole database's contents (Redis's emptyDbAsync); its keys count as pending objects.
  virtual void FreeDatabase(std::unique_ptr<Database> db) = 0;
  // Objects handed over and not freed yet (INFO's lazyfree_pending_objects).
  virtual size_t pending() const = 0;
  // Objects freed so far (INFO's lazyfreed_objects), and CONFIG RESETSTAT's reset of it.
  virtual size_t freed() const = 0;
  virtual void ResetFreedCount() = 0;
  // Blocks until some pending object is freed or `max` passed (eviction waits for memory).
  virtual void WaitForProgress(std::chrono::microseconds max) = 0;
};

// Which removals may go to the freer: Redis's lazyfree-lazy-* directives that the store acts on
// by itself. DEL, UNLINK and FLUSH* decide in their commands.
struct LazyFreePolicy {
  bool server_del = false;     // lazyfree-lazy-server-del: overwrites and commands' own deletes
  bool expire = false;         // lazyfree-lazy-expire
  bool eviction = false;       // lazyfree-lazy-eviction
  LazyFreer* freer = nullptr;  // none: everything is freed in place
};

// How a removal frees the value: as lazyfree-lazy-server-del says (Redis's dbDelete), always in
// place (dbSyncDelete), or through the freer when large enough (dbAsyncDelete).
enum class FreeMode { kServerPolicy, kSync, kLazy };

}  // namespace vigil::datanode
