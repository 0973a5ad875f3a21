#pragma once
// KeyWaiters: who waits on which key. Serves two mechanisms that both hang off "this key
// changed": WATCH (the watcher's EXEC fails) and blocking pops (the blocked client runs again).
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datanode/service/session.h"

namespace vigil::datanode {

class KeyWaiters {
 public:
  using DbKey = std::pair<int, std::string>;

  // What a database holds under a key, for WATCH: Redis 7.0 lets a key that was already expired
  // when watched be deleted (lazily, by FLUSHDB, ...) without failing the EXEC.
  enum class KeyState { kAbsent, kLive, kExpired };
  using KeyStateFn = std::function<KeyState(int db, const std::string& key)>;

  void Watch(Session* s, int db, const std::string& key, bool expired);
  void UnwatchAll(Session* s);
  // The key was written or deleted (`exists` says which it is now): its watchers' EXEC fails,
  // except for those that watched it already expired and now see it deleted.
  void Touch(int db, std::string_view key, bool exists);
  // Before `db` is emptied (FLUSHDB; -1 for every database, FLUSHALL) or, with replaced_with >= 0,
  // swapped with another (SWAPDB): the watchers of keys that change logically are marked dirty
  // (Redis's touchAllWatchedKeysInDb). `state` reads the databases as they are before the change.
  void TouchFlushed(int db, int replaced_with, const KeyStateFn& state);
  // Marks every watcher of any key dirty (the dataset was replaced by a full sync).
  void TouchAll();

  // Blocking: FIFO per key, as Redis serves the longest-waiting client first.
  void Block(Session* s);
  void Unblock(Session* s);
  bool HasBlockedOn(int db, std::string_view key) const;
  // Records a key as ready if someone waits on it.
  void SignalReady(int db, std::string_view key);
  // After SWAPDB or a flush: every key someone waits on in `db` is ready (Redis's
  // scanDatabaseForReadyKeys and scanDatabaseForDeletedStreams; the serve then checks
  // presence, type and expiry).
  void SignalAllIn(int db);
  // Takes the ready keys accumulated so far.
  std::vector<DbKey> TakeReady();
  // Blocked clients of one key, oldest first.
  std::vector<Session*> BlockedOn(const DbKey& key) const;
  // Sessions whose deadline passed.
  std::vector<Session*> TimedOut(int64_t now_ms) const;
  size_t blocked_count() const { return blocked_sessions_.size(); }
  const std::set<Session*>& blocked_sessions() const { return blocked_sessions_; }
  size_t watched_key_count() const { return watchers_.size(); }

 private:
  std::map<DbKey, std::set<Session*>, std::less<>> watchers_;
  std::map<DbKey, std::deque<Session*>, std::less<>> blocked_;
  std::set<Session*> blocked_sessions_;
  std::vector<DbKey> ready_;
  std::set<DbKey, std::less<>> ready_set_;
};

}  // namespace vigil::datanode
