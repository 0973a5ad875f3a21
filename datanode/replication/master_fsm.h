#pragma once
// MasterFsm: what a master knows about each attached replica
// (docs/datanode-protocol.md, "Master side"): the handshake options it announced with REPLCONF,
// where it is in a full sync (wait_bgsave → send_bulk → online), the offset and time of its last
// ACK, and the counts WAIT and min-replicas-to-write read. Pure: times are given, no sockets; the
// shell (master_links.cc) moves the bytes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/time/mono_time.h"

namespace vigil::datanode {

enum class ReplicaSyncState {
  kWaitBgsave,  // waiting for a snapshot to start, or for the child to finish it
  kSendBulk,    // the snapshot is being sent
  kOnline,      // receiving the command stream
};
const char* ReplicaSyncStateName(ReplicaSyncState s);  // "wait_bgsave", "send_bulk", "online"

struct ReplicaRecord {
  uint64_t client_id = 0;
  std::string peer_ip;         // from the socket
  std::string announced_ip;    // REPLCONF ip-address
  int64_t listening_port = 0;  // REPLCONF listening-port
  bool capa_eof = false;       // accepts the $EOF:<mark> diskless framing
  bool capa_psync2 = false;    // understands +CONTINUE <replid>
  bool rdb_only = false;       // REPLCONF rdb-only 1 (redis-cli --rdb): no stream after the RDB
  // REPLCONF rdb-filter-only (redis-cli --functions-rdb): what its snapshot leaves out.
  bool rdb_exclude_data = false;
  bool rdb_exclude_functions = false;
  bool pre_psync = false;  // attached with SYNC: no +FULLRESYNC line, no ACKs expected
  ReplicaSyncState state = ReplicaSyncState::kWaitBgsave;
  bool snapshot_started = false;  // a child is producing this replica's snapshot
  int64_t sync_offset = 0;        // master_repl_offset when its snapshot was forked
  // Diskless: the stream is held back until the first ACK, because the replica detects the end
  // of the payload only when a read ends with the EOF mark
  // (docs/datanode-protocol.md, "Replica handshake", step 5).
  bool hold_stream_until_ack = false;
  int64_t ack_offset = 0;
  MonoTime ack_time;
  MonoTime attached_time;

  const std::string& ip() const { return announced_ip.empty() ? peer_ip : announced_ip; }
  bool filtered() const { return rdb_exclude_data || rdb_exclude_functions; }
  bool SameFilter(const ReplicaRecord& o) const {
    return rdb_exclude_data == o.rdb_exclude_data &&
           rdb_exclude_functions == o.rdb_exclude_functions;
  }
};

class MasterFsm {
 public:
  ReplicaRecord& Attach(uint64_t client_id, std::string peer_ip, MonoTime now);
  // Options sent before SYNC/PSYNC are kept here until the client becomes a replica.
  ReplicaRecord& Handshake(uint64_t client_id);
  const ReplicaRecord* FindHandshake(uint64_t client_id) const;
  ReplicaRecord* Find(uint64_t client_id);
  const ReplicaRecord* Find(uint64_t client_id) const;
  bool IsReplica(uint64_t client_id) const { return replicas_.count(client_id) > 0; }
  void Remove(uint64_t client_id);
  // A bare newline from a replica (sent while it loads a big RDB) counts as a sign of life,
  // as in Redis, so the replica timeout does not fire during its load.
  void RefreshAckTime(uint64_t client_id, MonoTime now);
  void Clear();

  // REPLCONF <option> <value> ... from a client (replica or about to become one). Returns an
  // error reply text on failure. `*reply` is false for ACK/GETACK, which are never answered.
  Status Replconf(uint64_t client_id, const std::vector<std::string>& args, MonoTime now,
                  bool* reply);
  // REPLCONF ACK <offset>. Returns true when this was the first ACK of a replica whose stream
  // was held back (the shell releases the buffered stream).
  bool OnAck(uint64_t client_id, int64_t offset, MonoTime now);

  // Replicas, in attach order (client ids grow).
  const std::map<uint64_t, ReplicaRecord>& replicas() const { return replicas_; }
  size_t count() const { return replicas_.size(); }
  // WAIT: online replicas whose last ACK covers `offset`.
  int CountAcked(int64_t offset) const;
  // min-replicas-to-write: online replicas whose last ACK is at most `max_lag_s` seconds old.
  int CountGood(MonoTime now, int64_t max_lag_s) const;
  // INFO's lag: whole seconds since the last ACK, 0 unless online.
  static int64_t LagSeconds(const ReplicaRecord& r, MonoTime now);
  // Replicas waiting for a snapshot that none has started yet.
  std::vector<uint64_t> WaitingForSnapshot() const;
  // Whether a new snapshot should start now: someone waits, no child runs, and (diskless) the
  // oldest waiter has waited `delay` so that others can share the transfer.
  bool ShouldStartSnapshot(MonoTime now, Millis delay, bool child_running) const;
  // Online replicas (not pre-PSYNC) silent for longer than `timeout`.
  std::vector<uint64_t> TimedOut(MonoTime now, Millis timeout) const;

 private:
  std::map<uint64_t, ReplicaRecord> replicas_;
  std::map<uint64_t, ReplicaRecord> handshaking_;  // REPLCONF seen, no SYNC yet
};

}  // namespace vigil::datanode
