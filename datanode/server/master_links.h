#pragma once
// MasterLinks: the serving side of replication (docs/datanode-protocol.md, "Master side",
// "The command stream", "Backlog"). It feeds this node's replication stream into the history the
// Service owns (ReplicationHistory: ids, offset, backlog) and runs the links to attached replicas:
// REPLCONF, SYNC and PSYNC, full syncs through a forked child (disk: RDB file then `$<size>`;
// diskless: pipe forwarded with `$EOF:<mark>` framing, stream held until the first ACK), the live
// stream with SELECT as needed, PINGs every repl-ping-replica-period, timeouts and the backlog TTL.
//
// The decisions are the pure pieces in datanode/replication (ReplicationHistory, DecidePsync,
// MasterFsm); this class moves bytes. Replies to a replica go to its Session's output and
// the session is noted as woken, so Server::AfterCommands flushes it. Loop thread only.
#include <event2/event.h>
#include <spdlog/logger.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/random/prng.h"
#include "common/resp/reply_writer.h"
#include "common/time/mono_time.h"
#include "datanode/config/datanode_config.h"
#include "datanode/replication/master_fsm.h"
#include "datanode/replication/replication_history.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

class Server;

class MasterLinks final : public Propagator {
 public:
  MasterLinks(Server* server, DatanodeConfig* config, spdlog::logger* log, uint64_t seed);
  ~MasterLinks() override;
  MasterLinks(const MasterLinks&) = delete;
  MasterLinks& operator=(const MasterLinks&) = delete;

  // --- the stream ---
  // Propagator: the write feed of a master. Ignored while this node is a replica (it forwards
  // its master's bytes instead, through FeedRaw).
  void Propagate(int db, const std::vector<std::string>& argv) override;
  int target() const override { return kReplReplicas; }
  // Replica role: bytes applied from our master, forwarded unchanged (the chain shares offsets).
  // `data_len`: how many leading bytes end with the last command that carries data.
  void FeedRaw(std::string_view bytes, size_t data_len) { FeedStream(bytes, data_len); }
  void set_replica_role(bool v) { replica_role_ = v; }
  // FAILOVER pauses the periodic PING so the target can reach our final offset.
  void set_pings_paused(bool v) { pings_paused_ = v; }
  bool replica_role() const { return replica_role_; }
  // The next propagated command is preceded by SELECT.
  void ForceSelect() { last_db_ = -1; }

  // --- the history (owned by the Service; this class appends to it and serves from it) ---
  ReplicationHistory& history() { return history_; }
  const ReplicationHistory& history() const { return history_; }
  std::string NewReplid() { return prng_.HexId40(); }
  // DEBUG CHANGE-REPL-ID: a new id and no secondary one, so no replica can PSYNC into it.
  void ChangeReplid() { history_.Restart(NewReplid()); }
  // DEBUG REPLICATE: `argv` goes into the stream as is, with no SELECT before it.
  void FeedCommand(const std::vector<std::string>& argv);

  // --- replicas ---
  void Replconf(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args);
  // SYNC / PSYNC <replid> <offset>. `upstream_ok` false: a replica without a master link.
  void Sync(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args, bool psync,
            bool upstream_ok);
  void OnSessionClosed(Session& s);
  // A bare newline arrived from replica `s` (it is loading our snapshot).
  void Keepalive(Session& s, MonoTime now) { fsm_.RefreshAckTime(s.id, now); }
  // Closes every replica link (they reconnect and PSYNC).
  void DropReplicas();
  // Broadcasts REPLCONF GETACK * (WAIT, FAILOVER).
  void SendGetAck();
  void Cron(MonoTime now);
  const MasterFsm& fsm() const { return fsm_; }
  // Called after an ACK arrives (WAIT bookkeeping).
  std::function<void()> on_ack;

 private:
  void FeedStream(std::string_view bytes, size_t data_len);
  void SendToReplica(uint64_t id, std::string_view bytes);
  Session* SessionOf(uint64_t id);
  void Reply(Session& s, std::string_view bytes);
  // The backlog, created if missing, sized from repl-backlog-size as configured now.
  void EnsureBacklog();
  bool TryPartial(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args);
  // TCP_USER_TIMEOUT (repl-tcp-user-timeout) on a replica that reads its stream.
  ReplicaRecord& AttachReplica(Session& s, MonoTime now);
  void ArmLinkTimeout(Session& s);
  void MaybeStartSnapshot(MonoTime now);
  void StartSnapshot(MonoTime now);
  void FinishDiskSnapshot(MonoTime now, bool ok);
  void FinishDisklessSnapshot(MonoTime now, bool ok);
  void GoOnline(uint64_t id, MonoTime now, bool hold_until_ack);
  void ReapChild(MonoTime now);
  static void OnPipeReadable(evutil_socket_t fd, short what, void* arg);
  void ReadPipe();
  void SendKeepalives(MonoTime now);
  // Snapshot transfer with flow control (master_links_transfer.cc): no target replica gets more
  // than kMaxQueuedSnapshotBytes queued, so a dataset of any size streams through a bounded
  // buffer instead of tripping the replica output-buffer limit.
  static constexpr size_t kMaxQueuedSnapshotBytes = 8u << 20;
  struct DiskFeed {
    int fd = -1;
    int64_t remaining = 0;
  };
  size_t QueuedSnapshotLimit() const;
  bool TargetsBacklogged();
  void StartDiskFeeds(MonoTime now);
  void TopUpDiskFeeds(MonoTime now);
  void ArmFeedTimer();
  static void OnFeedTimer(evutil_socket_t fd, short what, void* arg);
  void FeedTick();

  Server* server_;
  DatanodeConfig* config_;
  spdlog::logger* log_;
  Prng prng_;
  MasterFsm fsm_;
  ReplicationHistory& history_;
  bool replica_role_ = false;
  bool pings_paused_ = false;
  int last_db_ = -1;
  // Stream bytes produced since a replica's snapshot was forked, sent once it is online.
  std::map<uint64_t, std::string> pending_;
  // The running snapshot child.
  pid_t child_ = -1;
  bool child_diskless_ = false;
  std::string child_path_;  // disk mode: the file it writes
  std::vector<uint64_t> child_targets_;
  std::string eof_mark_;
  int pipe_fd_ = -1;
  event* pipe_ev_ = nullptr;
  bool pipe_eof_ = false;
  bool pipe_paused_ = false;     // waiting for the targets to drain before reading more
  bool delayed_logged_ = false;  // "BGSAVE for replication delayed" said for this wait
  std::map<uint64_t, DiskFeed> disk_feeds_;
  event* feed_timer_ = nullptr;
  // Cron bookkeeping.
  MonoTime last_ping_;
  MonoTime last_keepalive_;
  MonoTime no_replicas_since_;
  bool had_replicas_ = false;
};

}  // namespace vigil::datanode
