#pragma once
// SimClients: the application in the simulator, a few writers on one client host (kClientHost in
// world.h). Each behaves like a Sentinel-aware client library (redis-py's Sentinel, go-redis's
// FailoverClient): it asks a sentinel `SENTINEL GET-MASTER-ADDR-BY-NAME` over the simulated
// network, keeps one connection to the address it got, and sends one SET at a time, at most one a
// tick. Any error reply (READONLY from a replica or from a fenced master), a reset connection or
// a request unanswered for kRequestTimeout sends it back to the sentinels, trying the next one
// when a sentinel does not answer. So a partition, pause or cut of the client host, a node or a
// sentinel shapes which node the writes reach and when, as it would for a real application.
//
// What counts for the checkers is the node's side: a write is acknowledged when a master
// executed it (SimDataNode::ClientWrite), whether or not the reply ever reaches the writer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/host_port.h"
#include "common/time/mono_time.h"

namespace vigil::sim {

class World;
struct Message;

class SimClients {
 public:
  // How long a request may go unanswered (a client's socket timeout).
  static constexpr Millis kRequestTimeout{1000};

  SimClients(World& world, int writers);

  // Every 100 ms.
  void Tick();
  void OnConnected(int writer, uint64_t conn);
  void OnDisconnected(int writer, uint64_t conn);
  void OnReply(int writer, uint64_t conn, const Message& message);

  // Replies seen by the writers (the nodes' own counts are in Checkers).
  uint64_t oks() const { return oks_; }
  uint64_t errors() const { return errors_; }
  uint64_t timeouts() const { return timeouts_; }

 private:
  struct Writer {
    int index = 0;
    uint64_t seq = 0;  // writes sent
    // Asking a sentinel.
    uint64_t ask_conn = 0;
    size_t next_sentinel = 0;
    std::optional<MonoTime> ask_deadline;
    // The master it writes to.
    std::optional<vigil::HostPort> master;
    uint64_t master_conn = 0;
    bool master_conn_up = false;
    std::optional<MonoTime> write_deadline;  // a SET is outstanding
  };

  void Ask(Writer& w);
  void SendAsk(Writer& w);
  void OnAskReply(Writer& w, const Message& message);
  void SendWrite(Writer& w);
  // Drops the master connection and asks the sentinels again.
  void Forget(Writer& w, const std::string& why);
  void CloseAsk(Writer& w);

  World& world_;
  std::vector<Writer> writers_;
  uint64_t next_request_ = 1;
  uint64_t oks_ = 0;
  uint64_t errors_ = 0;
  uint64_t timeouts_ = 0;
};

}  // namespace vigil::sim
