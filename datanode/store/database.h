#pragma once
// Database: one of the numbered keyspaces (SELECT 0..15): keys and their expiry times.
// It owns its entries; every method that removes a key frees it unless it says "unlink". Freeing
// goes through the keyspace's LazyFreePolicy: large values may be freed by another thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/store/entry.h"
#include "datanode/store/expire_table.h"
#include "datanode/store/key_table.h"
#include "datanode/store/lazy_freer.h"

namespace vigil::datanode {

class Database {
 public:
  explicit Database(uint64_t seed) : keys_(seed) {}

  size_t size() const { return keys_.size(); }
  size_t expires_size() const { return expires_.size(); }

  // The entry, expired or not (expiry is the Keyspace's job).
  Entry* Find(std::string_view key) { return keys_.Find(key); }
  // -1 when the key has no expiry.
  int64_t GetExpire(const Entry* e) const { return e->has_expire() ? expires_.Get(e) : -1; }
  void SetExpire(Entry* e, int64_t when_ms);
  bool RemoveExpire(Entry* e);
  // While set, keys given a TTL are noted in `noted_expires` (a writable replica's own writes,
  // which the replica must expire itself: the master knows nothing of them).
  bool note_expires = false;
  std::vector<std::string> noted_expires;

  // Requires: the key is absent.
  void Add(Entry* e) { keys_.Insert(e); }
  // Replaces the entry holding e's key with `e` and frees the old one (as lazyfree-lazy-server-del
  // says). With keep_ttl the old expiry carries over; otherwise it is dropped (SET's default).
  void Overwrite(Entry* e, bool keep_ttl);
  // Adds or overwrites.
  void Upsert(Entry* e, bool keep_ttl);
  bool Delete(std::string_view key, FreeMode mode = FreeMode::kServerPolicy);
  // Detaches the entry and returns it with its expiry (-1 if none); the caller owns it.
  Entry* Unlink(std::string_view key, int64_t* when_ms);
  // Frees every key here, in place (FLUSHDB ASYNC swaps the whole database instead: Keyspace).
  void Clear();

  // The keyspace's policy (it outlives the database while the database is in it); null frees
  // everything in place.
  void set_lazy_free(const LazyFreePolicy* policy) { lazy_free_ = policy; }

  KeyTable& keys() { return keys_; }
  const KeyTable& keys() const { return keys_; }
  ExpireTable& expires() { return expires_; }

  // Average TTL bookkeeping for INFO keyspace (Redis keeps a running estimate too).
  int64_t avg_ttl_ms = 0;
  size_t expire_cursor = 0;

 private:
  // Frees an entry that is out of every table, through the freer when `mode` allows it.
  void Release(Entry* e, FreeMode mode);

  const LazyFreePolicy* lazy_free_ = nullptr;
  KeyTable keys_;
  ExpireTable expires_;
};

}  // namespace vigil::datanode
