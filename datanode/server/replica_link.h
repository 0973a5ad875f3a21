#pragma once
// ReplicaLink: this node's connection to its master (spec §2.2), driving the pure ReplicaFsm
// over a raw non-blocking socket. The bytes after +FULLRESYNC are an RDB payload, not a RESP
// reply, so the link frames them itself (`$<size>` or `$EOF:<mark>`), loads the snapshot into a
// scratch keyspace and swaps it in, then applies the command stream through Service::Execute on
// a master-link Session, counting offsets byte-exactly (PINGs and blank lines included) and
// forwarding exactly the applied bytes to MasterLinks for the backlog and sub-replicas.
// Loop thread only.
#include <event2/event.h>
#include <spdlog/logger.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/resp/request_parser.h"
#include "common/time/mono_time.h"
#include "datanode/config/datanode_config.h"
#include "datanode/replication/info_replication.h"
#include "datanode/replication/replica_fsm.h"
#include "datanode/service/session.h"

namespace vigil::datanode {

class Server;
class MasterLinks;

class ReplicaLink {
 public:
  ReplicaLink(Server* server, MasterLinks* stream, DatanodeConfig* config, spdlog::logger* log);
  ~ReplicaLink();
  ReplicaLink(const ReplicaLink&) = delete;
  ReplicaLink& operator=(const ReplicaLink&) = delete;

  // REPLICAOF host port / NO ONE (empty host).
  void ReplicaOf(const std::string& host, int64_t port, std::optional<ReplPosition> history);
  void Cron();
  // Starts the connection to the master now instead of at the next cron (FAILOVER's handoff,
  // where writes are paused until the new master has answered).
  void ConnectNow();
  // REPLCONF GETACK arrived on the master link.
  void OnGetAck();
  void set_psync_failover(bool v) { fsm_.set_psync_failover(v); }
  // Called (from inside the link's processing) when a sync with the master has succeeded.
  std::function<void()> on_synced;
  const ReplicaFsm& fsm() const { return fsm_; }
  bool is_master_session(const Session& s) const { return &s == &master_session_; }
  MasterLinkInfo Info() const;

 private:
  void Run();
  ReplicaFsmOptions Options() const;
  void Connect(const std::string& host, int64_t port);
  void CloseSocket();
  void Write(const std::string& bytes);
  void FlushOut();
  static void OnSocketEvent(evutil_socket_t fd, short what, void* arg);
  void OnWritable();
  void OnReadable();
  void LinkFailed(const char* why);
  void ProcessInput();
  bool TakeLine(std::string* line);
  // Returns false when it needs more bytes.
  bool ProcessPayload();
  void LoadSnapshot();
  void ApplyStream();
  void AttachMasterSession();
  void DetachMasterSession();

  Server* server_;
  MasterLinks* stream_;
  DatanodeConfig* config_;
  spdlog::logger* log_;
  ReplicaFsm fsm_;
  int fd_ = -1;
  bool connecting_ = false;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  bool write_armed_ = false;
  std::string in_;
  size_t in_pos_ = 0;
  size_t applied_pos_ = 0;  // stream bytes before this are applied (and forwarded)
  std::string out_;
  // Snapshot transfer.
  enum class Payload { kHeader, kSized, kEof };
  Payload payload_ = Payload::kHeader;
  int64_t payload_size_ = 0;
  std::string eof_mark_;
  std::string rdb_;
  MonoTime transfer_last_io_;
  // The stream.
  Session master_session_;
  bool session_attached_ = false;
  resp::RequestParser parser_;
  std::vector<std::string> argv_;
};

}  // namespace vigil::datanode
