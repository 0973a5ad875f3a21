#pragma once
// Keyspace: the numbered databases plus the policies that span them: lazy and active expiry,
// access-time tracking for LRU/LFU, and eviction under maxmemory. Pure: time is handed in, and
// what the server must do about an expired or evicted key (propagate a DEL, count it) is told
// through KeyspaceListener.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/random/prng.h"
#include "datanode/store/database.h"

namespace vigil::datanode {

class KeyspaceListener {
 public:
  virtual ~KeyspaceListener() = default;
  // A key was removed because its TTL passed (lazily or by the active cycle).
  virtual void OnKeyExpired(int db, std::string_view key) = 0;
  // A key was removed to free memory.
  virtual void OnKeyEvicted(int db, std::string_view key) = 0;
};

enum class EvictionPolicy {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

class Keyspace {
 public:
  Keyspace(int databases, uint64_t seed);

  int database_count() const { return int(dbs_.size()); }
  Database& db(int i) { return *dbs_[size_t(i)]; }
  void set_listener(KeyspaceListener* l) { listener_ = l; }

  // On a replica the master decides expiry: expired keys read as missing but are not deleted
  // (the master's DEL arrives through the stream), as in Redis. Two exceptions, also Redis's:
  // the master's own commands still see such a key (it has not expired on the master yet, or
  // its DEL is on the way), and a local write on a writable replica deletes it first, so the
  // write creates a fresh key instead of a second entry beside the stale one.
  // A writable replica's own keys with a TTL are the exception: the replica expires them itself
  // (Redis's slaveKeysWithExpire), in ActiveExpireCycle (keyspace_replica_expiry.cc).
  void set_replica_mode(bool v) {
    replica_mode_ = v;
    if (!v) replica_local_expires_.clear();
    ApplyExpireNoting();
  }
  void set_applying_master_stream(bool v) {
    applying_master_stream_ = v;
    ApplyExpireNoting();
  }
  bool applying_master_stream() const { return applying_master_stream_; }
  bool replica_mode() const { return replica_mode_; }
  // While set, no key counts as expired (dataset loading).
  void set_expiry_suspended(bool v) {
    expiry_suspended_ = v;
    ApplyExpireNoting();
  }
  // During a client pause keys past their TTL read as missing but are not deleted (nor
  // propagated), and the active cycle stops, so the dataset holds still as in Redis.
  void set_expiry_paused(bool v) { expiry_paused_ = v; }
  void set_policy(EvictionPolicy p) { policy_ = p; }
  EvictionPolicy policy() const { return policy_; }
  bool lfu() const {
    return policy_ == EvictionPolicy::kAllKeysLfu || policy_ == EvictionPolicy::kVolatileLfu;
  }
  void set_lfu_params(int64_t log_factor, int64_t decay_time) {
    lfu_log_factor_ = log_factor;
    lfu_decay_time_ = decay_time;
  }

  // Looks a key up, removing it first if expired. `touch` updates LRU/LFU (OBJECT and TYPE
  // don't, as in Redis's LOOKUP_NOTOUCH). Counts keyspace hits/misses when `count_stats`.
  Entry* Lookup(int db, std::string_view key, int64_t now_ms, bool touch = true,
                bool count_stats = false, bool for_write = false);
  // Removes the key if its TTL has passed; true if it is expired (even on a replica, where
  // only `for_write` removes it).
  bool ExpireIfNeeded(int db, Entry* e, int64_t now_ms, bool for_write = false);

  // One pass of the active expiry cycle over every database, bounded by `max_checks` keys.
  // Returns how many keys it removed.
  size_t ActiveExpireCycle(int64_t now_ms, size_t max_checks);

  // Evicts keys until the deletions freed what `over_bytes()` reported at the start (as measured
  // by `used_bytes()` around each deletion), or nothing is left to evict. Returns false when
  // not enough could be freed (the caller answers -OOM).
  bool EvictUntil(const std::function<int64_t()>& over_bytes,
                  const std::function<int64_t()>& used_bytes, int64_t now_ms, int samples);

  // LRU clock in seconds (24 bits, wraps), and LFU helpers.
  static uint32_t LruClock(int64_t now_ms) { return uint32_t(now_ms / 1000) & 0xFFFFFF; }
  uint64_t IdleMillis(const Entry* e, int64_t now_ms) const;
  uint8_t LfuCounter(const Entry* e, int64_t now_ms) const;
  void InitAccess(Entry* e, int64_t now_ms);  // new keys: LRU now, LFU counter 5
  void Touch(Entry* e, int64_t now_ms);

  // Every database's key table asks `check` before growing (see KeyTable::MemoryGuard).
  void set_memory_check(OverLimitAfterAlloc check);
  // What may be freed by another thread, and by whom (Service fills the flags from the config,
  // the server shell sets the freer). Expiry and eviction follow it; so do the databases.
  LazyFreePolicy& lazy_free() { return lazy_free_; }
  const LazyFreePolicy& lazy_free() const { return lazy_free_; }

  // Moves ongoing rehashes forward (Redis's activerehashing) and starts due shrinks.
  void CronRehash(size_t buckets_per_db);
  // Empties one database, or all. `lazy` (FLUSH* ASYNC, Redis's emptyDbAsync) puts a fresh
  // database in place and hands the old one whole to the freer, when there is one.
  void FlushDb(int db, bool lazy = false);
  void FlushAll(bool lazy = false);
  void Swap(int a, int b) {
    std::swap(dbs_[size_t(a)], dbs_[size_t(b)]);
    ApplyExpireNoting();
  }
  // Exchanges every database with `other` (a dataset loaded aside replaces the live one only
  // once it loaded completely). Requires: the same database count.
  void SwapDatabases(Keyspace& other) {
    dbs_.swap(other.dbs_);
    AttachDatabases();
    other.AttachDatabases();
  }
  // Keys a writable replica set a TTL on itself, still tracked (tests, INFO-free).
  size_t replica_local_expires() const { return replica_local_expires_.size(); }
  size_t TotalKeys() const;

  int64_t hits = 0;
  int64_t misses = 0;
  int64_t expired_keys = 0;
  int64_t evicted_keys = 0;
  Prng& prng() { return prng_; }

 private:
  double EvictionScore(int db, Entry* e, int64_t now_ms);
  // Points the databases at this keyspace's memory check and lazy-free policy (after they moved
  // in from another keyspace), and applies expire noting.
  void AttachDatabases();
  // Nothing is left to evict: gives the freer a moment (Redis waits up to its eviction time
  // limit, 500 us by default) in case what it still holds brings us under the limit.
  static bool AwaitLazyFree(LazyFreer& freer, const std::function<int64_t()>& over_bytes);
  FreeMode ExpireFreeMode() const { return lazy_free_.expire ? FreeMode::kLazy : FreeMode::kSync; }
  void ApplyExpireNoting();
  // Redis's expireSlaveKeys: deletes expired keys among those a writable replica gave a TTL.
  size_t ReplicaExpireCycle(int64_t now_ms, size_t max_checks);
  // Key → bitmap of the databases (0-63, as Redis's) where it got a local TTL.
  std::map<std::string, uint64_t, std::less<>> replica_local_expires_;
  std::string replica_expire_cursor_;
  std::vector<std::unique_ptr<Database>> dbs_;
  OverLimitAfterAlloc memory_check_;  // the key tables point here
  LazyFreePolicy lazy_free_;          // and the databases here
  KeyspaceListener* listener_ = nullptr;
  bool replica_mode_ = false;
  bool expiry_suspended_ = false;
  bool expiry_paused_ = false;
  bool applying_master_stream_ = false;
  EvictionPolicy policy_ = EvictionPolicy::kNoEviction;
  int64_t lfu_log_factor_ = 10;
  int64_t lfu_decay_time_ = 1;
  Prng prng_;
};

}  // namespace vigil::datanode
