#pragma once
// Replication: the server's ReplicationControl. It ties the serving side (MasterLinks) to the
// replica side (ReplicaLink) and implements what spans both: REPLICAOF transitions and the
// PSYNC2 id shift on promotion (docs/datanode-protocol.md, "PSYNC2 id handling"), WAIT,
// min-replicas-to-write, MASTERDOWN, FAILOVER (decided by FailoverHandoff; WAIT by
// ReplicaAckWaiters) and the INFO/ROLE facts. Loop thread only.
#include <event2/event.h>
#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/host_port.h"
#include "datanode/config/datanode_config.h"
#include "datanode/replication/failover_handoff.h"
#include "datanode/replication/replica_ack_waiters.h"
#include "datanode/replication/replication_control.h"
#include "datanode/server/master_links.h"
#include "datanode/server/replica_link.h"

namespace vigil::datanode {

class Server;

// The history a startup RDB carried, if it carried one.
std::optional<ReplPosition> RestoredReplicationHistory(const RdbStatus& rdb);

class Replication final : public ReplicationControl {
 public:
  Replication(Server* server, DatanodeConfig* config, spdlog::logger* log, uint64_t seed);
  ~Replication() override;

  // Registers with the Service and, with `replicaof` configured, starts the replica link.
  // `restored` is the history an RDB loaded at startup carried (repl-id/repl-offset), if any.
  void Start(std::optional<ReplPosition> restored);
  // Called from the server cron (hz times a second).
  void Cron();

  // ReplicationControl
  ReplicationInfo Info() const override;
  void ReplicaOf(Session& s, resp::ReplyWriter& w, const std::string& host, int64_t port) override;
  void Replconf(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args) override;
  void Sync(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args,
            bool psync) override;
  void Wait(Session& s, resp::ReplyWriter& w, int64_t numreplicas, int64_t timeout_ms,
            bool may_block) override;
  void Failover(Session& s, resp::ReplyWriter& w, const FailoverRequest& request) override;
  bool MasterLinkDown() const override;
  bool EnoughGoodReplicas() const override;
  void OnSessionClosed(Session& s) override;

  // SHUTDOWN waiting for replicas (Redis 7.0 shutdown-timeout).
  bool ReplicasCaughtUp() const;
  void LogReplicasAtShutdown() const;
  void PauseWritesForShutdown();
  void ResumeWritesAfterShutdown();
  void SendGetAck() { master_links_.SendGetAck(); }
  void ChangeReplid() { master_links_.ChangeReplid(); }
  void FeedCommand(const std::vector<std::string>& argv) { master_links_.FeedCommand(argv); }
  void ReplicaKeepalive(Session& s);
  // Shutdown handoff (replication/DESIGN.md, "Handoff on shutdown").
  bool HasOnlineReplica() const;
  // The master we follow once a FAILOVER has handed over (link up, no failover running).
  std::optional<HostPort> FollowingAfterHandoff() const;
  // SHUTDOWN ABORT during a handoff: FAILOVER ABORT's effect, if one runs.
  void AbortFailover();
  // The master link's request held by a client pause ran: apply the rest of the stream.
  void ResumeMasterStream();

 private:
  void BecomeReplica(const std::string& host, int64_t port, std::optional<ReplPosition> history);
  void Promote(const char* why);
  void ServeWaiters();
  void ScheduleGetAck();
  static void OnGetAckTimer(evutil_socket_t, short, void* arg);
  void FailoverCron();
  // Runs FailoverCron on the next loop iteration (outside the replica link's processing).
  void ScheduleFailoverCron();
  static void OnFailoverTimer(evutil_socket_t, short, void* arg);
  void ExecuteFailover(const std::vector<FailoverAction>& actions);
  // Ends this purpose's pause and runs the writes it held.
  void ResumePaused(PausePurpose purpose);

  Server* server_;
  DatanodeConfig* config_;
  spdlog::logger* log_;
  MasterLinks master_links_;
  ReplicaLink replica_link_;
  ReplicaAckWaiters waiters_;
  bool getack_scheduled_ = false;
  bool failover_cron_scheduled_ = false;
  FailoverHandoff failover_;
  bool shutdown_pause_ = false;
  // A GETACK asked for (WAIT) during a client pause: sent once the pause ends, as Redis does
  // not send it while paused (it would move the offset the pause keeps still).
  bool getack_deferred_ = false;
};

}  // namespace vigil::datanode
