#pragma once
// ReplicaFsm: the replica side of replication as a pure state machine (docs/architecture.md,
// "The data node"), following the handshake a real Redis 7.0 replica performs
// (docs/datanode-protocol.md, "Replica handshake"):
//   none → connect → connecting → handshake (PING; AUTH, REPLCONF listening-port,
//   [ip-address], capa eof psync2 pipelined) → psync sent → transfer → connected.
// Inputs are method calls with the current time; outputs accumulate as actions taken with
// TakeActions(), which the shell (server/replica_link.cc) executes in order. The FSM never reads
// a clock or touches a socket; it keeps the offsets and the cached master used for PSYNC.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/time/mono_time.h"

namespace vigil::datanode {

enum class ReplicaLinkState {
  kNone,
  kConnect,
  kConnecting,
  kHandshake,
  kPsyncSent,
  kTransfer,
  kConnected
};
// ROLE's words: none, connect, connecting, handshake, sync, connected.
const char* ReplicaLinkStateName(ReplicaLinkState s);

// A position in a replication history: the last byte applied under `replid`.
struct ReplPosition {
  std::string replid;
  int64_t offset = 0;
};

struct ReplicaFsmOptions {
  int64_t listening_port = 0;  // replica-announce-port, else port
  std::string announce_ip;     // replica-announce-ip ("" = not sent)
  std::string masteruser;
  std::string masterauth;
  Millis timeout{60'000};      // repl-timeout
  Millis ack_period{1'000};    // REPLCONF ACK cadence
  Millis retry_period{1'000};  // between failed connection attempts
  // A connection attempt unanswered this long is abandoned and re-dialled at once (0: use
  // `timeout`, as Redis). A fresh SYN each period reaches a healed network sooner than the
  // kernel's backed-off SYN retransmissions (1, 2, 4 s ...).
  Millis connect_timeout{0};
};

namespace replica_action {
struct Connect {
  std::string host;
  int64_t port = 0;
};
struct Send {
  std::vector<std::string> argv;
};
// Close the link to the master (the FSM already left the connected states).
struct Close {
  std::string reason;
};
// +FULLRESYNC received: read the snapshot payload that follows.
struct BeginSnapshotLoad {
  std::string replid;
  int64_t offset = 0;
};
// The snapshot loaded: the history is now the master's (replid, no replid2, offset).
struct AdoptHistory {
  ReplPosition position;
};
// +CONTINUE with a new id: keep our data, rename the history (old id becomes replid2).
struct ShiftHistory {
  std::string new_replid;
};
// Partial resync accepted: the stream continues right after `offset`.
struct ResumeStream {
  int64_t offset = 0;
};
// Send REPLCONF ACK <offset>.
struct Ack {
  int64_t offset = 0;
};
// Our sub-replicas must resync (the history they follow changed).
struct DropSubReplicas {};
}  // namespace replica_action

using ReplicaAction =
    std::variant<replica_action::Connect, replica_action::Send, replica_action::Close,
                 replica_action::BeginSnapshotLoad, replica_action::AdoptHistory,
                 replica_action::ShiftHistory, replica_action::ResumeStream, replica_action::Ack,
                 replica_action::DropSubReplicas>;

class ReplicaFsm {
 public:
  explicit ReplicaFsm(ReplicaFsmOptions options) : options_(std::move(options)) {}
  void set_options(ReplicaFsmOptions options) { options_ = std::move(options); }
  // FAILOVER: the next PSYNC carries the FAILOVER argument (the target promotes itself).
  void set_psync_failover(bool v) { psync_failover_ = v; }

  // REPLICAOF host port (empty host: NO ONE). `history` is what we can PSYNC with (our own
  // replid/offset when we have a dataset that belongs to a history), else a full sync is asked.
  void ReplicaOf(MonoTime now, std::string host, int64_t port, std::optional<ReplPosition> history);
  void Tick(MonoTime now);
  void LinkUp(MonoTime now);
  // The socket failed or the master closed it.
  void LinkDown(MonoTime now);
  // Any bytes from the master (including "\n" keepalives).
  void DataReceived(MonoTime now) { last_io_ = now; }
  // One reply line of the handshake ("+PONG", "+OK", "-NOAUTH ...").
  void HandshakeReply(MonoTime now, std::string_view line);
  // The line answering PSYNC (blank keepalive lines already skipped).
  void PsyncReply(MonoTime now, std::string_view line);
  void SnapshotLoaded(MonoTime now, bool ok);
  // Complete commands (whole transactions) of the stream applied.
  void StreamApplied(MonoTime now, int64_t bytes);
  // REPLCONF GETACK from the master.
  void GetAck(MonoTime now);

  std::vector<ReplicaAction> TakeActions() { return std::exchange(actions_, {}); }

  ReplicaLinkState state() const { return state_; }
  bool is_replica() const { return state_ != ReplicaLinkState::kNone; }
  bool connected() const { return state_ == ReplicaLinkState::kConnected; }
  const std::string& master_host() const { return host_; }
  int64_t master_port() const { return port_; }
  // Bytes of the master's stream applied (its offset), meaningful while connected.
  int64_t reploff() const { return reploff_; }
  const std::string& master_replid() const { return master_replid_; }
  MonoTime last_io() const { return last_io_; }
  // When the link went down; nullopt if it never was up since this became a replica.
  std::optional<MonoTime> link_down_since() const { return link_down_since_; }
  const std::optional<ReplPosition>& cached_master() const { return cached_; }

 private:
  enum class Pending { kPing, kAuth, kPort, kIp, kCapa };
  void Fail(MonoTime now, std::string reason);
  void SendHandshake();
  void SendPsync();
  void Emit(ReplicaAction a) { actions_.push_back(std::move(a)); }

  ReplicaFsmOptions options_;
  ReplicaLinkState state_ = ReplicaLinkState::kNone;
  std::string host_;
  int64_t port_ = 0;
  std::deque<Pending> pending_;
  std::optional<ReplPosition> cached_;
  std::string master_replid_;
  int64_t reploff_ = 0;
  int64_t transfer_offset_ = 0;  // from +FULLRESYNC
  MonoTime next_connect_;
  MonoTime last_io_;
  MonoTime last_ack_;
  std::optional<MonoTime> link_down_since_;
  bool psync_failover_ = false;
  std::vector<ReplicaAction> actions_;
};

}  // namespace vigil::datanode
