#include "client-sdk/src/connection_pool.h"

#include <utility>

namespace vigil::client {

std::unique_ptr<NodeConnection> ConnectionPool::Take(const Address& node,
                                                     std::optional<uint64_t> generation) {
  std::vector<std::unique_ptr<NodeConnection>> stale;  // closed after the lock is released
  std::unique_ptr<NodeConnection> found;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = idle_.find(node);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  std::vector<std::unique_ptr<NodeConnection>> kept;
  for (auto& c : list) {
    if (!found && (!generation || c->master_generation == *generation)) {
      found = std::move(c);
    } else if (generation && c->master_generation < *generation) {
      stale.push_back(std::move(c));
    } else {
      kept.push_back(std::move(c));  // newer than the caller's view: another thread's
    }
  }
  list = std::move(kept);
  return found;
}

void ConnectionPool::Give(std::unique_ptr<NodeConnection> conn) {
  if (!conn || conn->broken()) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto& list = idle_[conn->address()];
  if (list.size() < idle_per_node_) list.push_back(std::move(conn));
}

}  // namespace vigil::client
