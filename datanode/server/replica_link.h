#pragma once
// ReplicaLink: this node's connection to its master (docs/datanode-protocol.md,
// "Replica handshake"), driving the pure ReplicaFsm over a raw non-blocking socket. The bytes after
// +FULLRESYNC are an RDB payload, not a RESP reply, so the link frames them itself (`$<size>` or
// `$EOF:<mark>`) and loads the snapshot (replica_link_payload.cc), then applies the command stream
// through Service::Execute on a master-link Session, counting offsets byte-exactly (PINGs and blank
// lines included) and forwarding exactly the applied bytes to MasterLinks for the backlog and
// sub-replicas.
//
// The payload goes where repl-diskless-load says, as in Redis 7.0:
//   disabled (default), or on-empty-db with keys present - written to `temp-<unixtime>.<pid>.rdb`
//     in dir as it arrives, fsynced, renamed over dbfilename, then the old data is flushed and
//     the file loaded;
//   swapdb, or on-empty-db with an empty dataset - kept in memory and loaded into a scratch
//     keyspace that replaces the old data only when the whole snapshot loaded.
// While it loads, clients get -LOADING and the loop keeps running every few MB; the replica
// sends a newline to its master every second so the master's replica timeout does not fire.
// Loop thread only.
#include <event2/event.h>
#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/net/tls_stream.h"
#include "common/resp/request_parser.h"
#include "common/time/mono_time.h"
#include "datanode/config/datanode_config.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/replication/info_replication.h"
#include "datanode/replication/replica_fsm.h"
#include "datanode/server/key_load_delay.h"
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
  // The master's request held by a client pause has run: count it and apply what follows.
  void ResumeAfterHold();
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
  // Binds the socket being connected to bind-source-addr.
  void BindSource(int family);
  void Write(const std::string& bytes);
  void FlushOut();
  static void OnSocketEvent(evutil_socket_t fd, short what, void* arg);
  void OnWritable();
  void OnReadable();
  // The socket is connected (and, with tls-replication, the TLS handshake done).
  void LinkEstablished();
  // tls-replication: one handshake step, driven by either event.
  void ContinueTlsHandshake();
  void ArmWrite(bool on);
  void LinkFailed(const char* why);
  void ProcessInput();
  bool TakeLine(std::string* line);
  // Returns false when it needs more bytes.
  bool ProcessPayload();
  bool UseDiskLoad() const;
  Status OpenTransferFile();
  Status AppendTransferFile(std::string_view bytes);
  void DiscardTransferFile();
  // The load runs in slices from a zero timer, so clients get -LOADING in between.
  void LoadSnapshot();
  void BeginLoad(std::unique_ptr<Source> source, bool from_disk);
  static void OnLoadStep(evutil_socket_t fd, short what, void* arg);
  void LoadStep();
  void FinishLoad(Status st);
  void ApplyStream();
  // How many bytes of the chunk about to be forwarded end with its last data-carrying command.
  size_t DataPrefix() const;
  void AttachMasterSession();
  void DetachMasterSession();

  Server* server_;
  MasterLinks* stream_;
  DatanodeConfig* config_;
  spdlog::logger* log_;
  ReplicaFsm fsm_;
  int fd_ = -1;
  bool connecting_ = false;
  std::unique_ptr<net::TlsStream> tls_;  // tls-replication
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  bool write_armed_ = false;
  std::string in_;
  size_t in_pos_ = 0;
  size_t applied_pos_ = 0;   // stream bytes before this are applied (and forwarded)
  size_t data_end_pos_ = 0;  // where the last applied command carrying data ends in in_
  std::string out_;
  // Snapshot transfer.
  enum class Payload { kHeader, kSized, kEof };
  Payload payload_ = Payload::kHeader;
  int64_t payload_size_ = 0;
  std::string eof_mark_;
  std::string rdb_;            // diskless load: the whole payload
  int transfer_fd_ = -1;       // disk load: the temp file being written
  std::string transfer_path_;  // its name in dir
  std::string transfer_tail_;  // disk load with $EOF: the last 40 bytes written
  int64_t transfer_read_ = 0;  // payload bytes received
  bool loading_snapshot_ = false;
  struct SnapshotLoad {
    std::unique_ptr<Source> source;
    int fd = -1;  // disk load: the renamed file
    bool from_disk = false;
    std::unique_ptr<Keyspace> fresh;
    RdbLoadResult result;
    std::unique_ptr<RdbLoadInSteps> steps;
    MonoTime last_newline;
    KeyLoadDelay delay{0};
  };
  std::unique_ptr<SnapshotLoad> load_;
  event* load_ev_ = nullptr;
  MonoTime transfer_last_io_;
  // The stream.
  Session master_session_;
  bool session_attached_ = false;
  resp::RequestParser parser_;
  std::vector<std::string> argv_;
};

}  // namespace vigil::datanode
