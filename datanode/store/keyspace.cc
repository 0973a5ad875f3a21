#include "datanode/store/keyspace.h"

#include <chrono>
#include <cmath>
#include <string>

namespace vigil::datanode {
namespace {

constexpr uint8_t kLfuInitVal = 5;

// LFU field layout (24 bits), as in Redis: 16 bits of minutes + 8-bit logarithmic counter.
uint32_t LfuMinutes(int64_t now_ms) {
  return uint32_t(now_ms / 60000) & 0xFFFF;
}

}  // namespace

Keyspace::Keyspace(int databases, uint64_t seed) : prng_(seed) {
  for (int i = 0; i < databases; ++i) dbs_.push_back(std::make_unique<Database>(prng_.Next()));
  AttachDatabases();
}

void Keyspace::AttachDatabases() {
  for (auto& d : dbs_) {
    d->keys().set_memory_check(&memory_check_);
    d->set_lazy_free(&lazy_free_);
  }
  ApplyExpireNoting();
}

uint64_t Keyspace::IdleMillis(const Entry* e, int64_t now_ms) const {
  uint32_t now = LruClock(now_ms);
  uint32_t then = e->lru();
  uint64_t secs = now >= then ? now - then : (0xFFFFFF - then) + now;
  return secs * 1000;
}

uint8_t Keyspace::LfuCounter(const Entry* e, int64_t now_ms) const {
  uint32_t ldt = e->lru() >> 8;
  uint8_t counter = uint8_t(e->lru() & 0xFF);
  uint32_t now = LfuMinutes(now_ms);
  uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  uint32_t periods = lfu_decay_time_ > 0 ? uint32_t(elapsed / uint64_t(lfu_decay_time_)) : 0;
  return periods > counter ? 0 : uint8_t(counter - periods);
}

void Keyspace::InitAccess(Entry* e, int64_t now_ms) {
  if (lfu()) {
    e->set_lru((LfuMinutes(now_ms) << 8) | kLfuInitVal);
  } else {
    e->set_lru(LruClock(now_ms));
  }
}

void Keyspace::Touch(Entry* e, int64_t now_ms) {
  if (!lfu()) {
    e->set_lru(LruClock(now_ms));
    return;
  }
  uint8_t counter = LfuCounter(e, now_ms);
  if (counter < 255) {
    // Logarithmic increment: the more hits, the less likely another increment.
    double r = double(prng_.Next() >> 11) / double(1ULL << 53);
    double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
    double p = 1.0 / (base * double(lfu_log_factor_) + 1);
    if (r < p) ++counter;
  }
  e->set_lru((LfuMinutes(now_ms) << 8) | counter);
}

bool Keyspace::ExpireIfNeeded(int dbi, Entry* e, int64_t now_ms, bool for_write) {
  if (!e->has_expire() || expiry_suspended_) return false;
  Database& d = db(dbi);
  int64_t when = d.GetExpire(e);
  if (when < 0 || when > now_ms) return false;
  if (replica_mode_) {
    if (applying_master_stream_) return false;
    if (!for_write) return true;
  }
  if (expiry_paused_) return true;
  std::string key(e->key());
  d.Delete(key, ExpireFreeMode());
  ++expired_keys;
  if (listener_ != nullptr) listener_->OnKeyExpired(dbi, key);
  return true;
}

Entry* Keyspace::Lookup(int dbi, std::string_view key, int64_t now_ms, bool touch, bool count_stats,
                        bool for_write) {
  Database& d = db(dbi);
  Entry* e = d.Find(key);
  if (e != nullptr && ExpireIfNeeded(dbi, e, now_ms, for_write)) e = nullptr;
  if (count_stats) ++(e ? hits : misses);
  if (e != nullptr && touch) Touch(e, now_ms);
  return e;
}

size_t Keyspace::ActiveExpireCycle(int64_t now_ms, size_t max_checks) {
  if (expiry_suspended_ || expiry_paused_) return 0;
  if (replica_mode_) return ReplicaExpireCycle(now_ms, max_checks);
  size_t removed = 0;
  std::vector<std::string> expired;
  for (int i = 0; i < database_count(); ++i) {
    Database& d = db(i);
    if (d.expires_size() == 0) continue;
    expired.clear();
    int64_t ttl_sum = 0, ttl_n = 0;
    // Slots, not keys: an open-addressing table at 75% load holds ~0.4-0.75 keys per slot.
    d.expires().Walk(&d.expire_cursor, max_checks * 2, [&](const Entry* e, int64_t when) {
      if (when <= now_ms) {
        expired.emplace_back(e->key());
      } else {
        ttl_sum += when - now_ms;
        ++ttl_n;
      }
    });
    if (ttl_n > 0) {
      int64_t avg = ttl_sum / ttl_n;
      // Running average with a small weight for each sample batch, as Redis does.
      d.avg_ttl_ms = d.avg_ttl_ms == 0 ? avg : (d.avg_ttl_ms / 50) * 49 + avg / 50;
    }
    for (const auto& k : expired) {
      d.Delete(k, ExpireFreeMode());
      ++expired_keys;
      ++removed;
      if (listener_ != nullptr) listener_->OnKeyExpired(i, k);
    }
    if (d.expires_size() == 0) d.avg_ttl_ms = 0;
  }
  return removed;
}

double Keyspace::EvictionScore(int dbi, Entry* e, int64_t now_ms) {
  switch (policy_) {
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
      return double(IdleMillis(e, now_ms));
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255.0 - LfuCounter(e, now_ms);
    case EvictionPolicy::kVolatileTtl:
      return -double(db(dbi).GetExpire(e));  // sooner expiry = better candidate
    default:
      return 0;
  }
}

bool Keyspace::EvictUntil(const std::function<int64_t()>& over_bytes,
                          const std::function<int64_t()>& used_bytes, int64_t now_ms, int samples) {
  const int64_t to_free = over_bytes();
  if (to_free <= 0) return true;
  if (policy_ == EvictionPolicy::kNoEviction) return false;
  int64_t freed = 0;
  int64_t keys_freed = 0;
  LazyFreer* const freer = lazy_free_.eviction ? lazy_free_.freer : nullptr;
  const bool volatile_only =
      policy_ == EvictionPolicy::kVolatileLru || policy_ == EvictionPolicy::kVolatileLfu ||
      policy_ == EvictionPolicy::kVolatileRandom || policy_ == EvictionPolicy::kVolatileTtl;
  const bool random =
      policy_ == EvictionPolicy::kAllKeysRandom || policy_ == EvictionPolicy::kVolatileRandom;
  while (freed < to_free) {
    int best_db = -1;
    std::string best_key;
    double best_score = -1e300;
    for (int i = 0; i < database_count(); ++i) {
      Database& d = db(i);
      if (d.size() == 0 || (volatile_only && d.expires_size() == 0)) continue;
      for (int s = 0; s < samples; ++s) {
        Entry* e = volatile_only ? const_cast<Entry*>(d.expires().Random(prng_.Next()))
                                 : d.keys().Random(prng_.Next(), prng_.Next());
        if (e == nullptr) continue;
        double score = random ? double(prng_.Next() >> 11) : EvictionScore(i, e, now_ms);
        if (score > best_score) {
          best_score = score;
          best_db = i;
          best_key.assign(e->key());
        }
      }
    }
    if (best_db < 0) return freer != nullptr && AwaitLazyFree(*freer, over_bytes);
    // Only the deletion counts as freed: the invalidations and events that follow grow client
    // buffers, and counting them would evict more to pay for the news of evicting (Redis
    // measures the same way, and upstream tests that tracking causes no such feedback loop).
    const int64_t before = used_bytes();
    db(best_db).Delete(best_key, freer != nullptr ? FreeMode::kLazy : FreeMode::kSync);
    freed += before - used_bytes();
    ++evicted_keys;
    if (listener_ != nullptr) listener_->OnKeyEvicted(best_db, best_key);
    // A value the freer took counts as nothing freed yet, though the thread keeps giving memory
    // back: every 16 keys, check whether that already brought us under the limit (as Redis).
    if (freer != nullptr && ++keys_freed % 16 == 0 && over_bytes() <= 0) break;
  }
  return true;
}

bool Keyspace::AwaitLazyFree(LazyFreer& freer, const std::function<int64_t()>& over_bytes) {
  constexpr int kRounds = 5;
  for (int i = 0; i < kRounds && freer.pending() > 0; ++i) {
    if (over_bytes() <= 0) return true;
    freer.WaitForProgress(std::chrono::microseconds(100));
  }
  return over_bytes() <= 0;
}

void Keyspace::set_memory_check(OverLimitAfterAlloc check) {
  memory_check_ = std::move(check);
}

void Keyspace::CronRehash(size_t buckets_per_db) {
  for (auto& d : dbs_) {
    d->keys().MaybeShrink();
    d->keys().RehashStep(buckets_per_db);
  }
}

void Keyspace::FlushDb(int i, bool lazy) {
  std::unique_ptr<Database>& slot = dbs_[size_t(i)];
  if (!lazy || lazy_free_.freer == nullptr || slot->size() == 0) {
    slot->Clear();
    return;
  }
  auto fresh = std::make_unique<Database>(prng_.Next());
  // A writable replica's notes are about key names, not this table: they stay (as Clear keeps
  // them).
  fresh->noted_expires = std::move(slot->noted_expires);
  slot.swap(fresh);
  AttachDatabases();
  lazy_free_.freer->FreeDatabase(std::move(fresh));
}

void Keyspace::FlushAll(bool lazy) {
  for (int i = 0; i < database_count(); ++i) FlushDb(i, lazy);
}

size_t Keyspace::TotalKeys() const {
  size_t n = 0;
  for (const auto& d : dbs_) n += d->size();
  return n;
}

}  // namespace vigil::datanode
