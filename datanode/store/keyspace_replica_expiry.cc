// A writable replica's own keys with a TTL (Redis's slaveKeysWithExpire and expireSlaveKeys).
// A replica never expires the master's keys: the master's DEL comes through the stream. But a
// key a client wrote on a writable replica with a TTL has no master to expire it, so the replica
// remembers it and its expiry cycle deletes it once due, as Redis's does. A remembered key is
// checked again each pass: gone, or without a TTL any more, it is forgotten.
#include "datanode/store/keyspace.h"

namespace vigil::datanode {
namespace {

// Redis tracks databases 0 to 63 in a 64-bit map; keys of higher databases are not tracked.
constexpr int kTrackedDatabases = 64;

}  // namespace

void Keyspace::ApplyExpireNoting() {
  // Loading (the master's snapshot, the AOF) brings the master's keys, not the replica's own.
  const bool note = replica_mode_ && !applying_master_stream_ && !expiry_suspended_;
  for (auto& d : dbs_) {
    d->note_expires = note;
    // Notes taken stay until the cycle collects them, though the master's commands come between.
    if (!replica_mode_) d->noted_expires.clear();
  }
}

size_t Keyspace::ReplicaExpireCycle(int64_t now_ms, size_t max_checks) {
  for (int i = 0; i < database_count() && i < kTrackedDatabases; ++i) {
    for (std::string& key : db(i).noted_expires) {
      replica_local_expires_[std::move(key)] |= uint64_t(1) << i;
    }
    db(i).noted_expires.clear();
  }
  size_t removed = 0;
  size_t checked = 0;
  auto it = replica_local_expires_.lower_bound(replica_expire_cursor_);
  while (checked < max_checks && !replica_local_expires_.empty()) {
    if (it == replica_local_expires_.end()) {
      it = replica_local_expires_.begin();
      if (checked > 0) break;  // one lap per call at most
    }
    ++checked;
    uint64_t& dbs = it->second;
    for (int i = 0; i < database_count() && i < kTrackedDatabases; ++i) {
      const uint64_t bit = uint64_t(1) << i;
      if (!(dbs & bit)) continue;
      Database& d = db(i);
      Entry* e = d.Find(it->first);
      const int64_t when = e != nullptr ? d.GetExpire(e) : -1;
      if (when < 0) {
        dbs &= ~bit;  // deleted, or its TTL removed: nothing left to expire
      } else if (when <= now_ms) {
        const std::string key = it->first;
        d.Delete(key, ExpireFreeMode());
        ++expired_keys;
        ++removed;
        if (listener_ != nullptr) listener_->OnKeyExpired(i, key);
        dbs &= ~bit;
      }
    }
    it = dbs == 0 ? replica_local_expires_.erase(it) : std::next(it);
  }
  replica_expire_cursor_ = it == replica_local_expires_.end() ? std::string() : it->first;
  return removed;
}

}  // namespace vigil::datanode
