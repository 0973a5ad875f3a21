#include "datanode/server/connection.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/net/event_loop.h"
#include "common/net/tcp_listener.h"
#include "datanode/replication/sentinel_hello.h"
#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kBigArg = 32 * 1024;           // PROTO_MBULK_BIG_ARG: read big bulks in one go
constexpr size_t kResizeThreshold = 32 * 1024;  // PROTO_RESIZE_THRESHOLD

}  // namespace

Connection::Connection(Server* server, int fd, uint64_t id, std::string addr, std::string laddr,
                       int64_t now_ms, std::unique_ptr<net::TlsStream> tls)
    : server_(server), fd_(fd), tls_(std::move(tls)) {
  session_.id = id;
  session_.fd = fd;
  session_.addr = std::move(addr);
  session_.laddr = std::move(laddr);
  session_.created_ms = now_ms;
  session_.last_interaction_ms = now_ms;
}

Connection::~Connection() {
  if (read_ev_ != nullptr) event_free(read_ev_);
  if (write_ev_ != nullptr) event_free(write_ev_);
  tls_.reset();  // before the descriptor it uses
  if (fd_ >= 0) ::close(fd_);
}

void Connection::ArmWrite(bool on) {
  net::SetEventArmed(write_ev_, on, &write_armed_);
}

void Connection::ContinueHandshake() {
  switch (tls_->Handshake()) {
    case net::TlsIo::kDone:
      ArmWrite(false);
      server_->log().debug("TLS handshake with client id={} addr={} done ({})", session_.id,
                           session_.addr, tls_->protocol());
      if (deny_after_handshake_) {
        session_.out.append(net::kProtectedModeError);
        session_.close_after_reply = true;
        if (!Flush()) MarkClosing("write error");
        return;
      }
      ReadSome();  // the first request may have come with the handshake's last flight
      return;
    case net::TlsIo::kWantRead:
      ArmWrite(false);
      return;
    case net::TlsIo::kWantWrite:
      ArmWrite(true);
      return;
    case net::TlsIo::kClosed:
    case net::TlsIo::kError:
      break;
  }
  server_->log().warn("Error accepting a client connection: {} (addr={} laddr={})", tls_->error(),
                      session_.addr, session_.laddr);
  MarkClosing(nullptr);
}

void Connection::Start() {
  read_ev_ = event_new(server_->base(), fd_, EV_READ | EV_PERSIST, &Connection::OnReadable, this);
  write_ev_ = event_new(server_->base(), fd_, EV_WRITE | EV_PERSIST, &Connection::OnWritable, this);
  event_add(read_ev_, nullptr);
}

void Connection::MarkClosing(const char* why) {
  if (closing_) return;
  closing_ = true;
  if (why != nullptr)
    server_->log().debug("closing client id={} addr={}: {}", session_.id, session_.addr, why);
  event_del(read_ev_);
  event_del(write_ev_);
  server_->Release(this);
}

void Connection::OnReadable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  Server* server = c->server_;
  if (c->tls_ && !c->tls_->handshake_done()) {
    c->ContinueHandshake();
  } else {
    // A TLS write that needed the peer's bytes first goes on now.
    if (c->tls_ && c->tls_->write_wants_read() && !c->Flush()) c->MarkClosing("write error");
    if (!c->closing_) c->ReadSome();
  }
  server->AfterCommands(c);  // may free c
}

void Connection::OnWritable(evutil_socket_t, short, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  Server* server = c->server_;
  if (c->tls_ && !c->tls_->handshake_done()) {
    c->ContinueHandshake();
  } else {
    // A TLS read that had to send first (a key update) goes on now.
    if (c->tls_ && c->tls_->read_wants_write()) c->ReadSome();
    if (!c->closing_ && !c->Flush()) c->MarkClosing("write error");
  }
  server->AfterCommands(c);  // may free c
}

void Connection::OnPolledWhileBusy(short revents) {
  if (closing_) return;
  if (tls_ && !tls_->handshake_done()) {
    ContinueHandshake();
    return;
  }
  if (revents & POLLOUT) {
    if (tls_ && tls_->read_wants_write()) ReadSome();
    if (!closing_ && !Flush()) MarkClosing("write error");
  }
  if (!closing_ && ((revents & (POLLIN | POLLHUP | POLLERR)) || has_buffered_tls_input())) {
    if (tls_ && tls_->write_wants_read() && !Flush()) MarkClosing("write error");
    if (!closing_) ReadSome();
  }
}

bool Connection::LooksLikeTlsHello() const {
  // A TLS record starts with content type 22 (handshake) and major version 3; no RESP request
  // or inline command starts with byte 0x16.
  return qend_ - qpos_ >= 2 && uint8_t(qbuf_[qpos_]) == 0x16 && uint8_t(qbuf_[qpos_ + 1]) == 0x03;
}

void Connection::ReadSome() {
  // A pending large bulk is read whole so it is not re-copied chunk by chunk.
  size_t want = kReadChunk;
  if (qend_ - qpos_ >= kBigArg) want = std::max(want, qend_ - qpos_);
  if (qpos_ > 0 && qpos_ == qend_) qpos_ = qend_ = 0;
  // The buffer only grows (resize zero-fills, which cost every read when done each time);
  // qend_ marks where the received bytes end.
  const size_t old = qend_;
  if (qbuf_.size() < old + want) qbuf_.resize(old + want);
  size_t got = 0;
  std::string err;
  const net::SocketIo io = net::ReadSocket(fd_, tls_.get(), qbuf_.data() + old, want, &got, &err);
  if (io != net::SocketIo::kData) {
    if (io == net::SocketIo::kAgain) {
      if (tls_ && tls_->read_wants_write()) ArmWrite(true);
      return;
    }
    if (io == net::SocketIo::kError && tls_) {
      server_->log().warn("TLS error on client id={} addr={}: {}", session_.id, session_.addr, err);
    }
    MarkClosing(io == net::SocketIo::kClosed ? "client closed connection" : err.c_str());
    return;
  }
  const ssize_t n = ssize_t(got);
  qend_ = old + got;
  qbuf_peak_ = std::max(qbuf_peak_, qend_ - qpos_);
  if (std::exchange(first_read_, false) && !tls_ && LooksLikeTlsHello()) {
    server_->log().warn(
        "Closing client id={} addr={} laddr={}: it started a TLS handshake on a plain port",
        session_.id, session_.addr, session_.laddr);
    MarkClosing(nullptr);
    return;
  }
  // OpenSSL may hold decrypted bytes the socket will not signal again: read them next pass.
  if (tls_ && tls_->pending()) event_active(read_ev_, EV_READ, 1);
  if (server_->config().sentinel_fence_timeout > 0 &&
      !SentinelIdFromClientName(session_.name).empty()) {
    session_.replies_unacked = RepliesUnacked();
  }
  ServerStats& st = server_->service().stats();
  st.total_net_input_bytes += n;
  ++st.total_reads_processed;
  ProcessInput();
  const int64_t limit = server_->config().client_query_buffer_limit;
  if (!closing_ && !session_.is_master_link && int64_t(qend_ - qpos_) > limit) {
    server_->log().warn(
        "Closing client that reached max query buffer length: id={} addr={} qbuf={}", session_.id,
        session_.addr, qend_ - qpos_);
    MarkClosing(nullptr);
  }
}

void Connection::ReleaseLargeArgv() {
  // Redis frees a command's arguments once it has run; the parsed vector is reused here, so
  // what one huge command needed (a 100,000-member SADD, a 400 KB value) is given back instead
  // of staying with the connection until it closes.
  constexpr size_t kKeepArgs = 1024;
  constexpr size_t kKeepArgBytes = 16 * 1024;
  if (parser_.in_request()) return;  // the arguments read so far belong to the next command
  if (argv_.capacity() > kKeepArgs) {
    std::vector<std::string>().swap(argv_);
    return;
  }
  for (std::string& arg : argv_) {
    if (arg.capacity() > kKeepArgBytes) std::string().swap(arg);
  }
}

void Connection::ResizeQueryBufferFromCron(int64_t now_ms) {
  const size_t used = qend_ - qpos_;
  const size_t size = qbuf_.size();
  if (size - used > 4096) {
    size_t target = size;
    if (now_ms - session_.last_interaction_ms > 2000) {
      target = used;
    } else if (size > kResizeThreshold && size / 2 > qbuf_peak_) {
      target = std::max(used, qbuf_peak_);
    }
    if (target < size) {
      if (qpos_ > 0) std::memmove(qbuf_.data(), qbuf_.data() + qpos_, used);
      qpos_ = 0;
      qend_ = used;
      qbuf_.resize(target);
      qbuf_.shrink_to_fit();
    }
  }
  qbuf_peak_ = used;
  session_.query_buffer_free = qbuf_.size() - used;
}

bool Connection::RepliesUnacked() const {
  tcp_info ti{};
  socklen_t len = sizeof(ti);
  if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return false;
  return ti.tcpi_unacked > 0;
}

void Connection::ProcessInput() {
  Service& svc = server_->service();
  svc.set_now(server_->now_ms());
  svc.set_mono_now(server_->mono_now());
  resp::ParserLimits limits;
  limits.max_bulk_len = server_->config().proto_max_bulk_len;
  // CLIENT LIST's qbuf counts the whole batch being run, this command included, as Redis
  // trims its query buffer only after the batch.
  const size_t batch_start = qpos_;
  while (!closing_ && !session_.close_after_reply && !session_.block.active && qpos_ < qend_) {
    limits.authenticated = session_.authenticated;
    size_t used = 0;
    std::string_view data(qbuf_.data() + qpos_, qend_ - qpos_);
    resp::ParseStatus st = parser_.Parse(data, limits, &used, &argv_);
    qpos_ += used;
    if (session_.is_replica && parser_.saw_blank_line()) server_->ReplicaKeepalive(session_);
    if (st == resp::ParseStatus::kNeedMore) break;
    if (st == resp::ParseStatus::kError) {
      resp::ReplyWriter w(&session_.out, session_.proto);
      w.Error("ERR " + parser_.error());
      server_->log().debug("protocol error from client id={} addr={}: {}", session_.id,
                           session_.addr, parser_.error());
      session_.close_after_reply = true;
      break;
    }
    session_.query_buffer_bytes = qend_ - batch_start;
    svc.Execute(session_, argv_, parser_.argc());
  }
  if (qpos_ == qend_) {
    qpos_ = qend_ = 0;
  } else if (qpos_ > 64 * 1024) {
    std::memmove(qbuf_.data(), qbuf_.data() + qpos_, qend_ - qpos_);
    qend_ -= qpos_;
    qpos_ = 0;
  }
  session_.query_buffer_bytes = qend_ - qpos_;
  session_.query_buffer_free = qbuf_.size() - (qend_ - qpos_);
  ReleaseLargeArgv();
  // Replicas get this batch's writes before its client gets the acknowledgements: a master
  // stopped between the two write()s must not have acknowledged what no replica holds.
  server_->FlushReplicaStreams();
  if (!Flush()) MarkClosing("write error");
}

bool Connection::CheckOutputLimits() {
  if (WithinOutputLimits()) return true;
  server_->log().warn("Client id={} addr={} closed for overcoming of output buffer limits.",
                      session_.id, session_.addr);
  return false;
}

bool Connection::WithinOutputLimits() {
  const DatanodeConfig& cfg = server_->config();
  const OutputBufferLimit& lim = session_.is_replica                 ? cfg.obuf_replica
                                 : session_.subscription_count() > 0 ? cfg.obuf_pubsub
                                                                     : cfg.obuf_normal;
  int64_t pending = int64_t(session_.out.size() - out_pos_);
  int64_t now = server_->now_ms();
  if (lim.hard_bytes > 0 && pending >= lim.hard_bytes) return false;
  if (lim.soft_bytes > 0 && pending >= lim.soft_bytes) {
    if (session_.obuf_soft_since_ms == 0) session_.obuf_soft_since_ms = now;
    if (now - session_.obuf_soft_since_ms > lim.soft_seconds * 1000) return false;
  } else {
    session_.obuf_soft_since_ms = 0;
  }
  return true;
}

void Connection::CheckOutputLimitsFromCron() {
  if (closing_ || !wants_write() || CheckOutputLimits()) return;
  MarkClosing("output buffer limits");
}

// Redis's PROTO_REPLY_CHUNK_BYTES.
constexpr size_t kReplyChunkBytes = 16 * 1024;

bool Connection::Flush() {
  if (closing_) return true;
  if (server_->DeferReplies(this)) return true;  // the AOF is written first
  // Limits apply to the replies as they were queued, before any is written, as Redis checks
  // them when it adds a reply: a client over the hard limit gets none of what overflowed it,
  // not a truncated reply.
  if (wants_write() && !CheckOutputLimits()) return false;
  ServerStats& st = server_->service().stats();
  while (out_pos_ < session_.out.size()) {
    size_t put = 0;
    std::string err;
    const net::SocketIo io = net::WriteSocket(fd_, tls_.get(), session_.out.data() + out_pos_,
                                              session_.out.size() - out_pos_, &put, &err);
    if (io == net::SocketIo::kAgain) break;
    if (io == net::SocketIo::kError) {
      if (tls_) {
        server_->log().warn("TLS error on client id={} addr={}: {}", session_.id, session_.addr,
                            err);
      }
      return false;
    }
    const ssize_t n = ssize_t(put);
    out_pos_ += put;
    st.total_net_output_bytes += n;
    ++st.total_writes_processed;
  }
  if (out_pos_ == session_.out.size()) {
    // A drained buffer keeps at most Redis's 16 KiB reply chunk: what a burst of replies or
    // pushes grew beyond that (say, invalidations for a tracking client) goes back to the
    // allocator, as Redis frees its reply list, instead of counting in used_memory for good
    // and making eviction evict again to pay for it.
    if (session_.out.capacity() > kReplyChunkBytes) {
      std::string().swap(session_.out);
    } else {
      session_.out.clear();
    }
    out_pos_ = 0;
    if (!(tls_ && tls_->read_wants_write())) ArmWrite(false);
    if (session_.close_after_reply) MarkClosing(nullptr);
    return true;
  }
  if (out_pos_ > 1024 * 1024) {
    session_.out.erase(0, out_pos_);
    out_pos_ = 0;
  }
  if (!CheckOutputLimits()) return false;
  // A TLS write waiting for the peer's bytes is retried by the read event, not this one.
  ArmWrite(!(tls_ && tls_->write_wants_read()));
  return true;
}

}  // namespace vigil::datanode

namespace vigil::datanode {
namespace {

constexpr int kBlockingSendTimeoutSec = 5;

bool SetBlocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  const int want = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
  if (::fcntl(fd, F_SETFL, want) != 0) return false;
  timeval tv{blocking ? kBlockingSendTimeoutSec : 0, 0};
  return ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0;
}

}  // namespace

bool Connection::BeginBlockingIo() {
  return SetBlocking(fd_, true) && WriteQueuedBlocking();
}

bool Connection::WriteQueuedBlocking() {
  const bool ok = BlockingWrite(std::string_view(session_.out).substr(out_pos_));
  session_.out.clear();
  out_pos_ = 0;
  return ok;
}

bool Connection::BlockingWrite(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t put = 0;
    std::string err;
    const net::SocketIo io =
        net::WriteSocket(fd_, tls_.get(), bytes.data(), bytes.size(), &put, &err);
    if (io != net::SocketIo::kData) return false;  // kAgain here is the send timeout
    bytes.remove_prefix(put);
    server_->service().stats().total_net_output_bytes += int64_t(put);
  }
  return true;
}

long Connection::BlockingRead(char* buf, size_t cap) {
  size_t got = 0;
  if (tls_ != nullptr) {
    // One record: asking OpenSSL for more would wait on the blocking socket for bytes the
    // client only sends after our answer.
    return tls_->Read(buf, cap, &got) == net::TlsIo::kDone ? long(got) : -1;
  }
  std::string err;
  return net::ReadSocket(fd_, nullptr, buf, cap, &got, &err) == net::SocketIo::kData ? long(got)
                                                                                     : -1;
}

bool Connection::EndBlockingIo() {
  return SetBlocking(fd_, false);
}

}  // namespace vigil::datanode
