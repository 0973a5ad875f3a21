#pragma once
// ReplicationHistory: the one place that holds this node's replication identity and position: the
// ids (replid, replid2 and where replid2 ends), the stream offset, the data mark and the backlog.
// Every role reads and changes them here: the master side appends what it propagates, the replica
// side appends what it applies and forwards, full syncs adopt the master's history, promotions
// shift to a new id, a restart restores the RDB's position. The Service owns the one instance;
// the socket shells hold a reference. Pure: new ids come from the caller.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "datanode/replication/backlog.h"
#include "datanode/replication/psync_decision.h"
#include "datanode/replication/replication_ids.h"
#include "datanode/replication/stream_data_mark.h"

namespace vigil::datanode {

class ReplicationHistory {
 public:
  // Redis's floor for repl-backlog-size.
  static constexpr int64_t kMinBacklogSize = 16384;

  ReplicationHistory() = default;
  ReplicationHistory(const ReplicationHistory&) = delete;
  ReplicationHistory& operator=(const ReplicationHistory&) = delete;

  const ReplicationIds& ids() const { return ids_; }
  int64_t offset() const { return offset_; }
  // Where the last data-carrying command of the stream ends (DESIGN.md, "Rejoining after a
  // failover").
  int64_t data_offset() const { return data_mark_.offset(); }
  const Backlog* backlog() const { return backlog_.get(); }
  // True after a restart as master from an RDB with replication fields until a data byte is
  // written or a replica attaches: the new id has been shown to no other node.
  bool restored_id_unseen() const { return restored_id_unseen_; }

  // repl-backlog-size (at least kMinBacklogSize); a live backlog is resized at once.
  void SetBacklogSize(int64_t bytes);
  // A new history with no secondary id: start-up, the first replica of a master, the backlog
  // freed after repl-backlog-ttl, DEBUG CHANGE-REPL-ID. Offset and backlog are kept.
  void Restart(std::string replid);
  // A full sync from our master: its history, from `offset`; the backlog restarts there.
  void Adopt(std::string replid, int64_t offset);
  // The history continues under `new_replid` (promotion, +CONTINUE with a new id).
  void Shift(std::string new_replid);
  // After a restart from an RDB that carried repl-id/repl-offset. A replica continues its
  // master's history; a master starts one of its own and keeps the restored one as replid2, so
  // its replicas can continue.
  void Restore(std::string replid, int64_t offset, bool as_replica);
  // Someone has been told our id (a replica attached): it is no longer unseen.
  void MarkShown() { restored_id_unseen_ = false; }

  void EnsureBacklog();
  // repl-backlog-ttl: a master with no replicas frees its backlog and starts a new history.
  void FreeBacklog(std::string new_replid);
  // Stream bytes produced or forwarded; the first `data_len` of them end with a command that
  // carries data. Creates the backlog when there is none.
  void Append(std::string_view bytes, size_t data_len);
  // A master about to follow another node drops the tail of its stream that carries no data, so
  // it can continue partially from a new master promoted before that tail. Returns the bytes
  // dropped.
  int64_t DiscardNonDataTail();

  // The answer to `PSYNC <replid> <offset>` from this history.
  PsyncDecision DecidePsync(const PsyncRequest& request) const;

 private:
  void CreateBacklog();

  ReplicationIds ids_;
  int64_t offset_ = 0;
  StreamDataMark data_mark_;
  std::unique_ptr<Backlog> backlog_;
  size_t backlog_size_ = 1 << 20;
  bool restored_id_unseen_ = false;
};

}  // namespace vigil::datanode
