#include "datanode/service/key_tracking.h"

#include <algorithm>

namespace vigil::datanode {
namespace {

// Two prefixes overlap when one starts with the other: both would report the same keys.
bool Overlap(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

}  // namespace

void KeyTracking::Remember(std::string_view key, uint64_t client_id) {
  auto it = table_.find(std::string(key));
  if (it == table_.end()) it = table_.emplace(std::string(key), std::set<uint64_t>{}).first;
  if (it->second.insert(client_id).second) ++items_;
}

std::vector<uint64_t> KeyTracking::Take(std::string_view key) {
  auto it = table_.find(std::string(key));
  if (it == table_.end()) return {};
  std::vector<uint64_t> ids(it->second.begin(), it->second.end());
  items_ -= ids.size();
  table_.erase(it);
  return ids;
}

void KeyTracking::ClearTable() {
  table_.clear();
  items_ = 0;
}

std::vector<std::string> KeyTracking::KeysOverLimit(size_t max_keys) {
  std::vector<std::string> keys;
  if (max_keys == 0 || table_.size() <= max_keys) {
    trim_rounds_ = 0;
    return keys;
  }
  const size_t effort = 100 * (size_t(trim_rounds_) + 1);
  const size_t n = std::min(effort, table_.size() - max_keys);
  // The table's own order serves as Redis's random walk: any key will do.
  for (auto it = table_.begin(); it != table_.end() && keys.size() < n; ++it) {
    keys.push_back(it->first);
  }
  return keys;
}

std::string KeyTracking::PrefixCollision(const std::set<std::string>& existing,
                                         const std::vector<std::string>& wanted) {
  for (size_t i = 0; i < wanted.size(); ++i) {
    for (const std::string& old : existing) {
      if (Overlap(old, wanted[i])) {
        return "ERR Prefix '" + wanted[i] + "' overlaps with an existing prefix '" + old +
               "'. Prefixes for a single client must not overlap.";
      }
    }
    for (size_t j = i + 1; j < wanted.size(); ++j) {
      if (Overlap(wanted[i], wanted[j])) {
        return "ERR Prefix '" + wanted[i] + "' overlaps with another provided prefix '" +
               wanted[j] + "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return "";
}

void KeyTracking::Subscribe(std::string_view prefix, uint64_t client_id) {
  auto it = prefixes_.find(prefix);
  if (it == prefixes_.end()) it = prefixes_.emplace(std::string(prefix), Broadcast{}).first;
  it->second.clients.insert(client_id);
}

void KeyTracking::Unsubscribe(const std::set<std::string>& prefixes, uint64_t client_id) {
  for (const std::string& p : prefixes) {
    auto it = prefixes_.find(p);
    if (it == prefixes_.end()) continue;
    it->second.clients.erase(client_id);
    if (it->second.clients.empty()) prefixes_.erase(it);
  }
}

void KeyTracking::NoteChangedKey(std::string_view key, uint64_t modifier_id) {
  for (auto& [prefix, state] : prefixes_) {
    if (key.substr(0, prefix.size()) != prefix) continue;
    state.keys.insert_or_assign(std::string(key), modifier_id);
  }
}

std::vector<KeyTracking::Broadcast> KeyTracking::TakeBroadcasts() {
  std::vector<Broadcast> out;
  for (auto& [prefix, state] : prefixes_) {
    if (state.keys.empty()) continue;
    out.push_back({state.clients, std::move(state.keys)});
    state.keys.clear();
  }
  return out;
}

}  // namespace vigil::datanode
