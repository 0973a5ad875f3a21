#pragma once
// KeyWaiters: who waits on which key. Serves two mechanisms that both hang off "this key
// changed": WATCH (the watcher's EXEC fails) and blocking pops (the blocked client runs again).
#include <deque>
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

  void Watch(Session* s, int db, const std::string& key);
  void UnwatchAll(Session* s);
  // Marks every watcher of the key dirty.
  void Touch(int db, std::string_view key);
  // Marks every watcher of any key in `db` dirty (-1 = all databases): FLUSHDB, FLUSHALL.
  void TouchDb(int db);

  // Blocking: FIFO per key, as Redis serves the longest-waiting client first.
  void Block(Session* s);
  void Unblock(Session* s);
  bool HasBlockedOn(int db, std::string_view key) const;
  // Records a key as ready if someone waits on it.
  void SignalReady(int db, std::string_view key);
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
