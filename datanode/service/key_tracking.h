#pragma once
// KeyTracking: the server side of client-side caching (CLIENT TRACKING), as Redis keeps it.
//
// - The tracking table maps a key name (in any database: caching is not per database) to the
//   ids of the clients that read it in default mode. A change to the key takes its entry: every
//   client there gets one invalidation and must read the key again to be told of the next one.
//   Entries of clients that left or turned tracking off are dropped lazily, when the key
//   changes, so turning tracking off costs nothing.
// - The prefix table serves BCAST mode: each prefix holds its subscribed clients and the keys
//   under it changed since the last broadcast, each with the id of the client that changed it
//   last (NOLOOP leaves a client's own changes out).
// - tracking-table-max-keys bounds the tracking table: keys over the limit are invalidated as
//   if they had changed, with more effort on each call that still finds the table too big.
//
// It holds ids and names only; the service resolves ids to sessions and writes the messages.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::datanode {

class KeyTracking {
 public:
  // --- default mode: the tracking table ---
  void Remember(std::string_view key, uint64_t client_id);
  // The ids that tracked `key`, removing its entry (empty when none did).
  std::vector<uint64_t> Take(std::string_view key);
  // After a flush every client was told "all keys": the whole table goes.
  void ClearTable();
  size_t total_keys() const { return table_.size(); }
  uint64_t total_items() const { return items_; }
  // Keys to invalidate so the table gets back to `max_keys` (0: no limit): at most
  // 100 * (calls in a row that ended still over the limit + 1) of them, as Redis's
  // trackingLimitUsedSlots. The caller invalidates each and calls EndTrim with the outcome.
  std::vector<std::string> KeysOverLimit(size_t max_keys);
  void EndTrim(bool under_limit) { trim_rounds_ = under_limit ? 0 : trim_rounds_ + 1; }

  // --- BCAST mode: the prefix table ---
  // "" when none of `wanted` overlaps another or one of `existing`, else Redis's error text.
  static std::string PrefixCollision(const std::set<std::string>& existing,
                                     const std::vector<std::string>& wanted);
  void Subscribe(std::string_view prefix, uint64_t client_id);
  void Unsubscribe(const std::set<std::string>& prefixes, uint64_t client_id);
  size_t total_prefixes() const { return prefixes_.size(); }
  bool has_prefixes() const { return !prefixes_.empty(); }
  // A changed key, for every prefix it starts with; `modifier_id` 0 when no client changed it
  // (expiry, eviction, a script's own client).
  void NoteChangedKey(std::string_view key, uint64_t modifier_id);
  struct Broadcast {
    std::set<uint64_t> clients;
    std::map<std::string, uint64_t> keys;  // key -> the id of the client that changed it last
  };
  // The prefixes that have changed keys, each with its clients, in prefix order; their key
  // lists start empty again.
  std::vector<Broadcast> TakeBroadcasts();

 private:
  std::unordered_map<std::string, std::set<uint64_t>> table_;
  uint64_t items_ = 0;
  unsigned trim_rounds_ = 0;
  std::map<std::string, Broadcast, std::less<>> prefixes_;
};

}  // namespace vigil::datanode
