#pragma once
// SimDataNode: a model of a Redis 7.0 data node as far as Sentinel can tell
// (docs/datanode-protocol.md, "What a sentinel needs from a data node"): PING, INFO (real field
// names and layout), PUBLISH/SUBSCRIBE on the hello channel, the
// MULTI/SLAVEOF/CONFIG REWRITE/CLIENT KILL/EXEC block, FAILOVER TO <host> <port> TIMEOUT <ms>
// (writes stop, the target takes over once it has our offset), and replication reduced to "a
// replica whose master is reachable syncs after a delay and then follows its offset". It stands in
// until the real replication core can run inside the simulator.
#include <optional>
#include <string>

#include "common/base/host_port.h"
#include "common/time/mono_time.h"
#include "sentinel/core/wire.h"

namespace vigil::sim {

class World;
struct Message;

class SimDataNode {
 public:
  SimDataNode(World& world, int index, vigil::HostPort addr,
              std::optional<vigil::HostPort> replicaof, int priority);

  const int index;
  const vigil::HostPort addr;
  const std::string name;  // "n1"
  int priority;

  bool up() const { return up_; }
  bool paused() const { return paused_; }
  bool is_master() const { return !master_.has_value(); }
  const std::optional<vigil::HostPort>& master() const { return master_; }
  bool link_up() const { return link_up_; }
  int64_t offset() const { return offset_; }
  std::optional<MonoTime> promoted_at() const { return promoted_at_; }

  void Crash();
  void Restart();
  void Pause(bool paused) { paused_ = paused; }
  // Forces the replication link down for `d` (a lagging replica in scenarios).
  void BreakReplicationFor(Millis d);

  // A request on connection `conn` (already delivered by the network).
  void OnRequest(uint64_t conn, const Message& message);
  // Called every 100 ms of virtual time.
  void ReplicationTick();
  std::string RenderInfo() const;

 private:
  void ExecuteBlock(uint64_t conn, const Message& message);
  resp::Value Execute(uint64_t conn, const sentinel::Argv& argv);
  resp::Value SlaveOf(const sentinel::Argv& argv);
  resp::Value FailoverTo(const sentinel::Argv& argv);
  // Called from ReplicationTick while a FAILOVER runs: hands over or gives up.
  void AdvanceFailover(MonoTime now);
  void PromoteByFailover();
  int64_t KillClients(uint64_t caller, bool pubsub);

  World& world_;
  bool up_ = true;
  bool paused_ = false;
  std::string run_id_;
  std::optional<vigil::HostPort> master_;
  std::optional<vigil::HostPort> config_replicaof_;  // survives restarts (CONFIG REWRITE)
  bool link_up_ = false;
  std::optional<MonoTime> link_lost_at_;  // nullopt: never up since becoming a replica
  std::optional<MonoTime> sync_ready_at_;
  MonoTime broken_until_{0};
  int64_t offset_ = 0;
  std::optional<MonoTime> promoted_at_;
  // FAILOVER TO in progress: writes are paused until the target has our offset or the deadline.
  std::optional<vigil::HostPort> failover_target_;
  MonoTime failover_deadline_{0};
};

}  // namespace vigil::sim
