#pragma once
// ReplicationControl: what the replication commands (REPLICAOF, REPLCONF, SYNC/PSYNC, WAIT,
// FAILOVER, ROLE, INFO replication) and the dispatch checks (MASTERDOWN, NOREPLICAS) need from
// the replication machinery. The server shell implements it (server/replication.cc); the
// command layer stays free of sockets. Loop thread only.
#include <cstdint>
#include <string>
#include <vector>

#include "common/resp/reply_writer.h"
#include "datanode/replication/failover_handoff.h"
#include "datanode/replication/info_replication.h"
#include "datanode/service/session.h"

namespace vigil::datanode {

class ReplicationControl {
 public:
  virtual ~ReplicationControl() = default;
  virtual ReplicationInfo Info() const = 0;
  // REPLICAOF host port; an empty host means NO ONE. Writes the reply.
  virtual void ReplicaOf(Session& s, resp::ReplyWriter& w, const std::string& host,
                         int64_t port) = 0;
  // REPLCONF <option> <value>...; `args` excludes the command name.
  virtual void Replconf(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args) = 0;
  // SYNC (`args` empty) or PSYNC <replid> <offset> [FAILOVER].
  virtual void Sync(Session& s, resp::ReplyWriter& w, const std::vector<std::string>& args,
                    bool psync) = 0;
  // WAIT numreplicas timeout: answers now or blocks the session.
  // `may_block` is false inside MULTI/EXEC, where WAIT answers at once.
  virtual void Wait(Session& s, resp::ReplyWriter& w, int64_t numreplicas, int64_t timeout_ms,
                    bool may_block) = 0;
  virtual void Failover(Session& s, resp::ReplyWriter& w, const FailoverRequest& request) = 0;
  // A replica whose link to its master is not up (for -MASTERDOWN).
  virtual bool MasterLinkDown() const = 0;
  // min-replicas-to-write is met (true when disabled or on a replica).
  virtual bool EnoughGoodReplicas() const = 0;
  // The session goes away (unblock WAIT, forget a replica).
  virtual void OnSessionClosed(Session& s) = 0;
};

}  // namespace vigil::datanode

namespace vigil::datanode {
class Service;
// INFO's "# Replication" lines (defined with the replication commands).
std::string RenderReplicationSection(Service& svc);
}  // namespace vigil::datanode
