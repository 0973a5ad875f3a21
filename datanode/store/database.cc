#include "datanode/store/database.h"

#include "datanode/store/free_effort.h"

namespace vigil::datanode {

void Database::SetExpire(Entry* e, int64_t when_ms) {
  expires_.Set(e, when_ms);
  e->set_has_expire(true);
  if (note_expires) noted_expires.emplace_back(e->key());
}

bool Database::RemoveExpire(Entry* e) {
  if (!e->has_expire()) return false;
  e->set_has_expire(false);
  return expires_.Remove(e);
}

void Database::Overwrite(Entry* e, bool keep_ttl) {
  Entry* old = keys_.Replace(e);
  if (old->has_expire()) {
    if (keep_ttl) {
      expires_.Rekey(old, e);
      e->set_has_expire(true);
    } else {
      expires_.Remove(old);
    }
  }
  Release(old, FreeMode::kServerPolicy);
}

void Database::Upsert(Entry* e, bool keep_ttl) {
  if (keys_.Find(e->key()) != nullptr) {
    Overwrite(e, keep_ttl);
  } else {
    keys_.Insert(e);
  }
}

bool Database::Delete(std::string_view key, FreeMode mode) {
  Entry* e = keys_.Remove(key);
  if (e == nullptr) return false;
  if (e->has_expire()) expires_.Remove(e);
  Release(e, mode);
  return true;
}

void Database::Release(Entry* e, FreeMode mode) {
  const LazyFreePolicy* p = lazy_free_;
  const bool lazy = p != nullptr && p->freer != nullptr &&
                    (mode == FreeMode::kLazy || (mode == FreeMode::kServerPolicy && p->server_del));
  // Entries are never shared (no refcount): one that left the tables is ours alone to give away.
  if (lazy && FreeEffort(*e) > kLazyFreeThreshold) {
    p->freer->FreeEntry(e);
  } else {
    Entry::Free(e);
  }
}

Entry* Database::Unlink(std::string_view key, int64_t* when_ms) {
  Entry* e = keys_.Remove(key);
  *when_ms = -1;
  if (e == nullptr) return nullptr;
  if (e->has_expire()) {
    *when_ms = expires_.Get(e);
    expires_.Remove(e);
    e->set_has_expire(false);
  }
  return e;
}

void Database::Clear() {
  expires_.Clear();
  keys_.Clear();
  avg_ttl_ms = 0;
  expire_cursor = 0;
}

}  // namespace vigil::datanode
