#pragma once
// Connection: one client socket. Reads into a query buffer, parses every complete request in
// it (pipelining), runs them through the Service, and writes all replies of the batch with one
// write() — the batching that makes pipelined throughput match Redis.
#include <event2/event.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/net/tls_stream.h"
#include "common/resp/request_parser.h"
#include "datanode/service/session.h"

namespace vigil::datanode {

class Server;

class Connection {
 public:
  // `tls` (null for plain) is the accepted side of a TLS stream still to handshake.
  Connection(Server* server, int fd, uint64_t id, std::string addr, std::string laddr,
             int64_t now_ms, std::unique_ptr<net::TlsStream> tls = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Session& session() { return session_; }
  int fd() const { return fd_; }
  bool closing() const { return closing_; }
  // Requests buffered but not run (the session was blocked when they arrived).
  bool has_pending_input() const { return qpos_ < qend_; }

  // Starts reading.
  void Start();
  // Runs whatever complete requests are buffered (after a read, or after being unblocked).
  void ProcessInput();
  // TCP_INFO: data we wrote that the peer has not acknowledged yet (sentinel fence input).
  bool RepliesUnacked() const;
  // Writes pending output; arms the write event if the socket is full. Returns false when the
  // connection must close (error, output limit).
  bool Flush();
  // Marks for closing; the server frees it once the current callback has returned.
  void MarkClosing(const char* why);
  // From cron, as Redis's clientsCron: a client whose unwritten replies stay over the soft limit
  // longer than allowed is closed even when no new reply arrives to trigger the check.
  void CheckOutputLimitsFromCron();
  // From cron, as Redis's clientsCronResizeQueryBuffer: a query buffer wasting more than 4 KiB
  // is released when the client has been idle over 2 s, and otherwise trimmed to the largest
  // use seen since the last call when it is over 32 KiB and more than twice that.
  void ResizeQueryBufferFromCron(int64_t now_ms);
  bool is_tls() const { return tls_ != nullptr; }
  // While a script is busy the loop is not running: the server polls the socket itself and
  // hands over what poll() saw (POLLIN/POLLOUT/POLLHUP/POLLERR) through this.
  void OnPolledWhileBusy(short revents);
  // Reply bytes not yet written, or decrypted input OpenSSL holds that poll() cannot see.
  bool wants_write() const { return out_pos_ < session_.out.size(); }
  bool has_buffered_tls_input() const { return tls_ != nullptr && tls_->pending(); }
  // The Lua debugger's direct I/O on this socket (Redis's connBlock): Begin writes the replies
  // still queued and makes the socket blocking, writes giving up after 5 s; End makes it
  // non-blocking again.
  bool BeginBlockingIo();
  bool BlockingWrite(std::string_view bytes);
  long BlockingRead(char* buf, size_t cap);
  // Writes what the session has queued (a forked session's EVAL reply, before it exits).
  bool WriteQueuedBlocking();
  bool EndBlockingIo();
  // Protected mode on a TLS port: the refusal is sent once the handshake makes it readable.
  void DenyAfterHandshake() { deny_after_handshake_ = true; }

 private:
  // After a batch: the parsed-argument vector lets go of what an unusually large command took.
  void ReleaseLargeArgv();
  static void OnReadable(evutil_socket_t fd, short what, void* arg);
  static void OnWritable(evutil_socket_t fd, short what, void* arg);
  void ReadSome();
  // False (and logged) when the unwritten replies break the client class's hard limit, or have
  // stayed over its soft limit too long.
  bool CheckOutputLimits();
  bool WithinOutputLimits();
  // TLS: one handshake step, driven by either event.
  void ContinueHandshake();
  void ArmWrite(bool on);
  // The first bytes on a plain port are a TLS ClientHello: the client expects TLS here.
  bool LooksLikeTlsHello() const;

  Server* server_;
  int fd_;
  Session session_;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  bool write_armed_ = false;
  bool closing_ = false;
  std::string qbuf_;  // received bytes are [qpos_, qend_); the rest is room for the next read
  size_t qpos_ = 0;
  size_t qend_ = 0;
  size_t qbuf_peak_ = 0;  // most received-but-unprocessed bytes since the last cron resize
  size_t out_pos_ = 0;    // bytes of session_.out already written
  std::unique_ptr<net::TlsStream> tls_;
  bool deny_after_handshake_ = false;
  bool first_read_ = true;
  resp::RequestParser parser_;
  std::vector<std::string> argv_;
};

}  // namespace vigil::datanode
