#pragma once
// ConnectionPool: idle connections per node, shared by all threads of a Client. A connection is
// lent exclusively (unique_ptr out, unique_ptr back), so no two calls ever share a socket.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "client-sdk/src/node_connection.h"

namespace vigil::client {

class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t idle_per_node) : idle_per_node_(idle_per_node) {}

  // An idle connection to `node`. With a generation, only one verified as master by that
  // resolution; idle ones verified by an older resolution are closed on the way.
  std::unique_ptr<NodeConnection> Take(const Address& node, std::optional<uint64_t> generation);
  // Returns a connection after use; broken ones and ones over the idle bound are closed.
  void Give(std::unique_ptr<NodeConnection> conn);

 private:
  std::mutex mu_;
  std::size_t idle_per_node_;
  std::map<Address, std::vector<std::unique_ptr<NodeConnection>>> idle_;
};

}  // namespace vigil::client
