#pragma once
// SimDataNode: a data node in the simulator. What Sentinel talks to is modelled
// (docs/datanode-protocol.md, "What a sentinel needs from a data node"): PING, INFO (real field
// names and layout), PUBLISH/SUBSCRIBE on the hello channel, the
// MULTI/SLAVEOF/CONFIG REWRITE/CLIENT KILL/EXEC block and FAILOVER TO <host> <port> TIMEOUT <ms>.
//
// Replication runs the data node's real decision code (vigil_datanode_replication): the node's
// history is a ReplicationHistory fed with a real command stream (SET writes, the hellos'
// PUBLISHes, PINGs, classified by CarriesNoData), every (re)connection to a master is a PSYNC
// answered by the master's DecidePsync (partial or full), promotion shifts the history, a demoted
// master drops its data-less tail first, a restart restores the position it had, and FAILOVER is
// the real FailoverHandoff. What is still modelled is the transport: a replica whose master is
// reachable connects after a delay, and then copies the master's new stream bytes every tick.
// Each node keeps a digest of the writes it applied, so the checker can compare datasets.
//
// Writes come from the writers (sim_client.h) as SET over the network, or, in a world without
// writers, from the master itself every tick. With WorldOptions::fence_timeout set, each node has
// the data node's real SentinelFence, fed as service_fence.cc feeds it (sim_fence.cc): every
// command on a `sentinel-<id>-cmd` connection is a contact, heard back unless the network drops
// what this node sends to that sentinel; hello PUBLISHes are parsed and matched to this node's
// address; the fence's heartbeat is this node's 100 ms tick; the role is synced before every use;
// a (re)start configures it without grace; and every client write asks MayWrite first.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/host_port.h"
#include "common/random/prng.h"
#include "common/time/mono_time.h"
#include "datanode/replication/failover_handoff.h"
#include "datanode/replication/master_fsm.h"
#include "datanode/replication/replication_history.h"
#include "datanode/replication/sentinel_fence.h"
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
  int64_t offset() const { return history_.offset(); }
  const datanode::ReplicationHistory& history() const { return history_; }
  // The last promotion, or SLAVEOF NO ONE received as a master: what makes it the newest
  // master. Kept across restarts (a restarted master is still as old as that).
  std::optional<MonoTime> promoted_at() const { return promoted_at_; }
  // The digest of the writes applied, in order, up to offset().
  uint64_t digest() const { return digest_; }
  // The digest this node had at stream offset `offset`, if it still remembers it.
  std::optional<uint64_t> DigestAt(int64_t offset) const;
  int full_syncs() const { return full_syncs_; }
  int partial_syncs() const { return partial_syncs_; }
  // FAILOVER handoffs this node completed as the old master.
  int failover_handoffs() const { return failover_handoffs_; }
  // The write fence (idle unless WorldOptions::fence_timeout is set).
  const datanode::SentinelFence& fence() const { return fence_; }
  // Sentinels its membership file held when it last started as a master (0 once its role
  // changed): a fence that knows none of them is a failed restore, not a node nobody knew.
  size_t fence_restored() const { return fence_restored_; }
  // Since when the fence has known at least `k` sentinels without forgetting them (a role
  // change forgets; a restart keeps what its membership file held), if it does now.
  std::optional<MonoTime> fence_known_since(size_t k) const {
    if (k == 0) return fence_started_;
    if (k > fence_known_since_.size()) return std::nullopt;
    return fence_known_since_[k - 1];
  }

  void Crash();
  void Restart();
  void Pause(bool paused) { paused_ = paused; }
  // Forces the replication link down for `d` (a lagging replica in scenarios).
  void BreakReplicationFor(Millis d);

  // A request on connection `conn` (already delivered by the network).
  void OnRequest(uint64_t conn, const Message& message);
  // Called every 100 ms of virtual time.
  void ReplicationTick();
  std::string RenderInfo();

 private:
  // --- commands (sim_datanode.cc) ---
  void ExecuteBlock(uint64_t conn, const Message& message);
  resp::Value Execute(uint64_t conn, const sentinel::Argv& argv);
  resp::Value SlaveOf(const sentinel::Argv& argv);
  resp::Value FailoverTo(const sentinel::Argv& argv);
  int64_t KillClients(uint64_t caller, bool pubsub);

  // --- the fence and client writes (sim_fence.cc) ---
  bool fencing() const;
  // A fresh fence, as a process start configures it (no grace).
  void StartFence();
  // The role as the fence must see it, before every use (Service::SyncFence).
  void SyncFence();
  // A command on `conn`: a contact (and a hello) when it comes from a sentinel's command link.
  void FeedFence(uint64_t conn, const sentinel::Argv& argv);
  void FenceTick();
  // Traces what the fence did since the last look (the server logs +fence / -fence).
  void NoteFence();
  std::string RenderFenceInfo();
  // A client's SET: executed (acknowledged) only on a master whose fence allows it.
  resp::Value ClientWrite(const sentinel::Argv& argv);
  // A FAILOVER pause holds client writes; they run once it ends.
  bool HoldWrite(uint64_t conn, const Message& message);
  void ReleaseHeldWrites();

  // --- replication (sim_replication.cc) ---
  // The replicas attached to us as the master side's MasterFsm would see them.
  datanode::MasterFsm AttachedReplicas() const;
  // A master's own command: into its stream (and its digest, when it is a write).
  void Feed(const std::vector<std::string>& argv);
  // Stream bytes from our master, command by command, as a replica applies and forwards them.
  void Apply(std::string_view bytes);
  // One command's bytes, appended to the history; `value` is a write's value, if any.
  void AppendCommand(std::string_view bytes, std::string_view command, const std::string* value);
  // The replica's PSYNC to `m` at link-up: continue from its backlog or take its dataset.
  void Sync(SimDataNode& m);
  // Link-up with `m`: the PSYNC (with FAILOVER after a handoff), if `m` serves one.
  void Connect(SimDataNode& m);
  void FollowStream(SimDataNode& m);
  void LinkDown(MonoTime now);
  // `m` is running and the network carries traffic both ways between us.
  bool Reaches(const SimDataNode* m) const;
  // Our replicas must reconnect (promotion, full sync, a truncated stream, a restart).
  void DropReplicas() { ++generation_; }
  void Promote(const std::string& why);
  void AdvanceFailover(MonoTime now);
  void ExecuteFailover(const std::vector<datanode::FailoverAction>& actions);
  void PromoteByFailover();

  World& world_;
  Prng ids_;  // this node's replication ids, apart from the world's draws
  bool up_ = true;
  bool paused_ = false;
  std::string run_id_;
  std::optional<vigil::HostPort> master_;
  std::optional<vigil::HostPort> config_replicaof_;  // survives restarts (CONFIG REWRITE)
  bool link_up_ = false;
  std::optional<MonoTime> link_lost_at_;  // nullopt: never up since becoming a replica
  std::optional<MonoTime> sync_ready_at_;
  MonoTime broken_until_{0};
  std::optional<MonoTime> promoted_at_;

  datanode::ReplicationHistory history_;
  // What we PSYNC with on the next connection: our master's history as far as we have it.
  std::optional<datanode::ReplPosition> psync_from_;
  bool psync_failover_ = false;  // the next PSYNC carries FAILOVER
  // Bumped whenever our replicas must reconnect; a replica remembers the value it linked at.
  uint64_t generation_ = 0;
  uint64_t master_generation_ = 0;
  datanode::FailoverHandoff failover_;
  uint64_t writes_ = 0;
  uint64_t digest_ = 0;
  std::map<int64_t, uint64_t> digests_;  // stream offset after a write → digest there
  datanode::SentinelFence fence_;
  uint64_t fence_raises_ = 0;
  uint64_t fence_lifts_ = 0;
  bool fence_role_master_ = true;  // the role the fence was last given
  MonoTime fence_started_{0};
  std::vector<MonoTime> fence_known_since_;  // [k - 1]: when it came to know k sentinels
  // The fence's membership file (kFenceMembershipFile) as the heartbeat last wrote it, and the
  // knowledge times that go with it (the checker's premise survives a restart with the file).
  datanode::FenceMembership fence_disk_;
  std::vector<MonoTime> fence_disk_known_since_;
  uint64_t fence_disk_changes_ = 0;
  size_t fence_restored_ = 0;  // sentinels the file held at the last start (0 after a role change)
  struct HeldWrite {
    uint64_t conn = 0;
    uint64_t request = 0;
    sentinel::Argv argv;
  };
  std::vector<HeldWrite> held_writes_;
  uint64_t master_ticks_ = 0;  // for the 10 s PING when writers write
  int full_syncs_ = 0;
  int partial_syncs_ = 0;
  int failover_handoffs_ = 0;
};

}  // namespace vigil::sim
