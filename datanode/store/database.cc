#include "datanode/store/database.h"

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
  Entry::Free(old);
}

void Database::Upsert(Entry* e, bool keep_ttl) {
  if (keys_.Find(e->key()) != nullptr) {
    Overwrite(e, keep_ttl);
  } else {
    keys_.Insert(e);
  }
}

bool Database::Delete(std::string_view key) {
  Entry* e = keys_.Remove(key);
  if (e == nullptr) return false;
  if (e->has_expire()) expires_.Remove(e);
  Entry::Free(e);
  return true;
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
