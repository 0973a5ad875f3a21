#include "datanode/service/key_waiters.h"

#include <algorithm>

namespace vigil::datanode {

namespace {

Session::WatchedKey* FindWatched(Session* s, int db, std::string_view key) {
  for (auto& w : s->watched) {
    if (w.db == db && w.key == key) return &w;
  }
  return nullptr;
}

}  // namespace

void KeyWaiters::Watch(Session* s, int db, const std::string& key, bool expired) {
  if (FindWatched(s, db, key) != nullptr) return;
  s->watched.push_back(Session::WatchedKey{db, key, expired});
  watchers_[{db, key}].insert(s);
}

void KeyWaiters::UnwatchAll(Session* s) {
  for (const auto& w : s->watched) {
    auto it = watchers_.find(DbKey{w.db, w.key});
    if (it == watchers_.end()) continue;
    it->second.erase(s);
    if (it->second.empty()) watchers_.erase(it);
  }
  s->watched.clear();
  s->watch_dirty = false;
}

void KeyWaiters::Touch(int db, std::string_view key, bool exists) {
  if (watchers_.empty()) return;
  auto it = watchers_.find(DbKey{db, std::string(key)});
  if (it == watchers_.end()) return;
  for (Session* s : it->second) {
    Session::WatchedKey* w = FindWatched(s, db, key);
    if (w != nullptr && w->expired) {
      // An expired key deleted is no logical change; deleted keys are not flagged expired.
      if (!exists) {
        w->expired = false;
        continue;
      }
    }
    s->watch_dirty = true;
  }
}

void KeyWaiters::TouchFlushed(int db, int replaced_with, const KeyStateFn& state) {
  for (auto& [k, sessions] : watchers_) {
    if (db >= 0 && k.first != db) continue;
    const bool exists_in_emptied = state(k.first, k.second) != KeyState::kAbsent;
    const KeyState replacement =
        replaced_with >= 0 ? state(replaced_with, k.second) : KeyState::kAbsent;
    if (!exists_in_emptied && replacement == KeyState::kAbsent) continue;
    for (Session* s : sessions) {
      Session::WatchedKey* w = FindWatched(s, k.first, k.second);
      if (w != nullptr && w->expired) {
        if (replacement == KeyState::kAbsent) {
          w->expired = false;  // the expired key is now deleted: no logical change
          continue;
        }
        if (replacement == KeyState::kExpired) continue;  // still expired
      } else if (w != nullptr && !exists_in_emptied && replacement == KeyState::kExpired) {
        w->expired = true;  // a missing key replaced with an expired one
        continue;
      }
      s->watch_dirty = true;
    }
  }
}

void KeyWaiters::TouchAll() {
  for (auto& [k, sessions] : watchers_) {
    for (Session* s : sessions) s->watch_dirty = true;
  }
}

void KeyWaiters::Block(Session* s) {
  blocked_sessions_.insert(s);
  for (const auto& k : s->block.keys) blocked_[{s->block.db, k}].push_back(s);
}

void KeyWaiters::Unblock(Session* s) {
  if (blocked_sessions_.erase(s) == 0) return;
  for (const auto& k : s->block.keys) {
    auto it = blocked_.find(DbKey{s->block.db, k});
    if (it == blocked_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), s), q.end());
    if (q.empty()) blocked_.erase(it);
  }
  s->block = BlockState{};
}

bool KeyWaiters::HasBlockedOn(int db, std::string_view key) const {
  return !blocked_.empty() && blocked_.count(DbKey{db, std::string(key)}) > 0;
}

void KeyWaiters::SignalReady(int db, std::string_view key) {
  if (blocked_.empty()) return;
  DbKey k{db, std::string(key)};
  if (!blocked_.count(k) || ready_set_.count(k)) return;
  ready_set_.insert(k);
  ready_.push_back(std::move(k));
}

void KeyWaiters::SignalAllIn(int db) {
  std::vector<std::string> keys;
  for (const auto& [k, queue] : blocked_) {
    if (k.first == db) keys.push_back(k.second);
  }
  for (const auto& key : keys) SignalReady(db, key);
}

std::vector<KeyWaiters::DbKey> KeyWaiters::TakeReady() {
  ready_set_.clear();
  return std::exchange(ready_, {});
}

std::vector<Session*> KeyWaiters::BlockedOn(const DbKey& key) const {
  auto it = blocked_.find(key);
  if (it == blocked_.end()) return {};
  return std::vector<Session*>(it->second.begin(), it->second.end());
}

std::vector<Session*> KeyWaiters::TimedOut(int64_t now_ms) const {
  std::vector<Session*> out;
  for (Session* s : blocked_sessions_) {
    if (s->block.deadline_ms > 0 && s->block.deadline_ms <= now_ms) out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](Session* a, Session* b) { return a->id < b->id; });
  return out;
}

}  // namespace vigil::datanode
