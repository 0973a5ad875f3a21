#include "datanode/server/replica_link.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/net/event_loop.h"
#include "common/net/tcp_user_timeout.h"
#include "common/random/prng.h"
#include "common/resp/value.h"
#include "datanode/replication/stream_data_mark.h"
#include "datanode/server/master_links.h"
#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kPayloadReadChunk = 1024 * 1024;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

ReplicaLink::ReplicaLink(Server* server, MasterLinks* stream, DatanodeConfig* config,
                         spdlog::logger* log)
    : server_(server), stream_(stream), config_(config), log_(log), fsm_(ReplicaFsmOptions{}) {
  master_session_.is_master_link = true;
  master_session_.authenticated = true;
  master_session_.name = "";
}

ReplicaLink::~ReplicaLink() {
  if (load_ev_ != nullptr) event_free(load_ev_);
  if (load_ && load_->fd >= 0) ::close(load_->fd);
  if (load_) server_->service().set_loading(false);
  CloseSocket();
}

ReplicaFsmOptions ReplicaLink::Options() const {
  ReplicaFsmOptions o;
  // Redis announces the TLS port when the replication runs over TLS.
  o.listening_port = config_->replica_announce_port > 0 ? config_->replica_announce_port
                     : config_->tls_replication && config_->tls_port != 0 ? config_->tls_port
                                                                          : config_->port;
  o.announce_ip = config_->replica_announce_ip;
  o.masteruser = config_->masteruser;
  o.masterauth = config_->masterauth;
  o.timeout = Millis(config_->repl_timeout * 1000);
  if (config_->repl_tcp_user_timeout > 0) o.connect_timeout = Millis(1000);
  return o;
}

void ReplicaLink::ReplicaOf(const std::string& host, int64_t port,
                            std::optional<ReplPosition> history) {
  fsm_.set_options(Options());
  fsm_.ReplicaOf(server_->mono_now(), host, port, std::move(history));
  // Dial at once, as Redis 7.0's replicationSetMaster does, not at the next cron (up to 100 ms):
  // a failover ends when the repointed replicas follow, and clients wait for that end.
  fsm_.Tick(server_->mono_now());
  Run();
}

void ReplicaLink::ConnectNow() {
  fsm_.Tick(server_->mono_now());
  Run();
}

void ReplicaLink::Cron() {
  if (loading_snapshot_) return;  // the load's pump keeps the link alive meanwhile
  if (master_session_.close_asap) {
    // CLIENT KILL TYPE master: drop the link; the cached master lets us PSYNC right back.
    master_session_.close_asap = false;
    LinkFailed("killed by CLIENT KILL");
    return;
  }
  fsm_.set_options(Options());
  fsm_.Tick(server_->mono_now());
  Run();
}

void ReplicaLink::OnGetAck() {
  fsm_.GetAck(server_->mono_now());
  Run();
}

void ReplicaLink::Run() {
  for (;;) {
    std::vector<ReplicaAction> actions = fsm_.TakeActions();
    if (actions.empty()) return;
    for (ReplicaAction& a : actions) {
      std::visit(
          Overloaded{
              [&](replica_action::Connect& c) { Connect(c.host, c.port); },
              [&](replica_action::Send& s) { Write(resp::EncodeCommand(s.argv)); },
              [&](replica_action::Close& c) {
                log_->warn("Closing the link with MASTER {}:{}: {}", fsm_.master_host(),
                           fsm_.master_port(), c.reason);
                CloseSocket();
              },
              [&](replica_action::BeginSnapshotLoad& b) {
                log_->info("Full resync from master: {}:{}", b.replid, b.offset);
                payload_ = Payload::kHeader;
                rdb_.clear();
                transfer_read_ = 0;
                transfer_last_io_ = server_->mono_now();
              },
              [&](replica_action::AdoptHistory& h) {
                std::string id =
                    h.position.replid.empty() ? stream_->NewReplid() : h.position.replid;
                stream_->history().Adopt(id, h.position.offset);
                AttachMasterSession();
                log_->info("MASTER <-> REPLICA sync: Finished with success");
                if (on_synced) on_synced();
              },
              [&](replica_action::ShiftHistory& h) {
                log_->info("Master replication ID changed to {}", h.new_replid);
                stream_->history().Shift(h.new_replid);
              },
              [&](replica_action::ResumeStream& r) {
                (void)r;
                AttachMasterSession();
                log_->info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
                if (on_synced) on_synced();
              },
              [&](replica_action::Ack& a2) {
                Write(resp::EncodeCommand({"REPLCONF", "ACK", std::to_string(a2.offset)}));
              },
              [&](replica_action::DropSubReplicas&) { stream_->DropReplicas(); },
          },
          a);
    }
  }
}

void ReplicaLink::Connect(const std::string& host, int64_t port) {
  CloseSocket();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return LinkFailed("cannot resolve the master's address");
  }
  fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ >= 0 && !config_->bind_source_addr.empty()) BindSource(res->ai_family);
  int rc = fd_ < 0 ? -1 : ::connect(fd_, res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  if (fd_ < 0 || (rc != 0 && errno != EINPROGRESS)) return LinkFailed(std::strerror(errno));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  net::SetTcpUserTimeout(fd_, config_->repl_tcp_user_timeout);
  log_->info("Connecting to MASTER {}:{}", host, port);
  read_ev_ =
      event_new(server_->base(), fd_, EV_READ | EV_PERSIST, &ReplicaLink::OnSocketEvent, this);
  write_ev_ =
      event_new(server_->base(), fd_, EV_WRITE | EV_PERSIST, &ReplicaLink::OnSocketEvent, this);
  connecting_ = true;
  event_add(write_ev_, nullptr);
  write_armed_ = true;
}

void ReplicaLink::BindSource(int family) {
  // bind-source-addr, best effort as Redis's: a source address that cannot be bound is logged
  // and the connection goes out from the default one.
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* src = nullptr;
  if (::getaddrinfo(config_->bind_source_addr.c_str(), nullptr, &hints, &src) != 0 ||
      src == nullptr) {
    log_->warn("bind-source-addr {}: not an address of the master's family",
               config_->bind_source_addr);
    return;
  }
  if (::bind(fd_, src->ai_addr, src->ai_addrlen) != 0) {
    log_->warn("bind-source-addr {}: {}", config_->bind_source_addr, std::strerror(errno));
  }
  ::freeaddrinfo(src);
}

void ReplicaLink::CloseSocket() {
  DetachMasterSession();
  if (read_ev_ != nullptr) event_free(read_ev_);
  if (write_ev_ != nullptr) event_free(write_ev_);
  read_ev_ = write_ev_ = nullptr;
  write_armed_ = false;
  tls_.reset();  // before its descriptor
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connecting_ = false;
  in_.clear();
  in_pos_ = applied_pos_ = data_end_pos_ = 0;
  out_.clear();
  rdb_.clear();
  rdb_.shrink_to_fit();
  DiscardTransferFile();
  parser_ = resp::RequestParser();
}

void ReplicaLink::LinkFailed(const char* why) {
  if (fsm_.state() == ReplicaLinkState::kConnected) {
    log_->warn("Connection with master lost ({}).", why);
  } else {
    log_->warn("Error condition on socket for SYNC: {}", why);
  }
  CloseSocket();
  fsm_.LinkDown(server_->mono_now());
  Run();
}

void ReplicaLink::Write(const std::string& bytes) {
  if (fd_ < 0) return;
  out_ += bytes;
  if (!connecting_ && !(tls_ && !tls_->handshake_done())) FlushOut();
}

void ReplicaLink::ArmWrite(bool on) {
  net::SetEventArmed(write_ev_, on, &write_armed_);
}

void ReplicaLink::FlushOut() {
  while (!out_.empty()) {
    size_t put = 0;
    std::string err;
    const net::SocketIo io =
        net::WriteSocket(fd_, tls_.get(), out_.data(), out_.size(), &put, &err);
    if (io == net::SocketIo::kAgain) break;
    if (io != net::SocketIo::kData) return LinkFailed(err.c_str());
    out_.erase(0, put);
  }
  // A TLS write waiting for the master's bytes is retried by the read event.
  const bool read_retry = tls_ && tls_->write_wants_read();
  ArmWrite((!out_.empty() && !read_retry) || (tls_ && tls_->read_wants_write()));
}

void ReplicaLink::OnSocketEvent(evutil_socket_t, short what, void* arg) {
  auto* link = static_cast<ReplicaLink*>(arg);
  Server* server = link->server_;
  if (link->tls_ && !link->tls_->handshake_done()) {
    link->ContinueTlsHandshake();
  } else {
    if (what & EV_WRITE) link->OnWritable();
    if ((what & EV_READ) && link->fd_ >= 0) link->OnReadable();
  }
  server->AfterCommands(nullptr);
}

void ReplicaLink::OnWritable() {
  if (connecting_) {
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return LinkFailed(std::strerror(err));
    connecting_ = false;
    event_add(read_ev_, nullptr);
    if (config_->tls_replication) {
      std::shared_ptr<net::TlsContext> ctx = server_->tls_context();
      if (ctx) tls_ = net::TlsStream::Connect(*ctx, fd_, "");
      if (!tls_) return LinkFailed("TLS is not configured (tls-replication needs a context)");
      return ContinueTlsHandshake();
    }
    LinkEstablished();
  }
  if (fd_ >= 0) {
    if (tls_ && tls_->read_wants_write()) OnReadable();
    if (fd_ >= 0) FlushOut();
  }
}

void ReplicaLink::LinkEstablished() {
  log_->info("MASTER <-> REPLICA sync started");
  fsm_.LinkUp(server_->mono_now());
  Run();
  if (fd_ >= 0) FlushOut();
}

void ReplicaLink::ContinueTlsHandshake() {
  switch (tls_->Handshake()) {
    case net::TlsIo::kDone:
      ArmWrite(false);
      return LinkEstablished();
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
  const std::string why = "TLS handshake with MASTER " + fsm_.master_host() + ":" +
                          std::to_string(fsm_.master_port()) + " failed: " + tls_->error();
  LinkFailed(why.c_str());
}

void ReplicaLink::OnReadable() {
  const size_t want = fsm_.state() == ReplicaLinkState::kTransfer ? kPayloadReadChunk : kReadChunk;
  if (in_pos_ > 0 && in_pos_ == in_.size() && applied_pos_ == in_pos_) {
    in_.clear();
    in_pos_ = applied_pos_ = data_end_pos_ = 0;
  }
  if (tls_ && tls_->write_wants_read()) {
    FlushOut();
    if (fd_ < 0) return;
  }
  const size_t old = in_.size();
  in_.resize(old + want);
  size_t got = 0;
  std::string err;
  const net::SocketIo io = net::ReadSocket(fd_, tls_.get(), in_.data() + old, want, &got, &err);
  if (io != net::SocketIo::kData) {
    in_.resize(old);
    if (io == net::SocketIo::kAgain) {
      if (tls_ && tls_->read_wants_write()) ArmWrite(true);
      return;
    }
    return LinkFailed(io == net::SocketIo::kClosed ? "connection closed by master" : err.c_str());
  }
  const ssize_t n = ssize_t(got);
  in_.resize(old + got);
  // OpenSSL may hold decrypted bytes the socket will not signal again: read them next pass.
  if (tls_ && tls_->pending()) event_active(read_ev_, EV_READ, 1);
  server_->service().stats().total_net_repl_input_bytes += n;
  const MonoTime now = server_->mono_now();
  fsm_.DataReceived(now);
  transfer_last_io_ = now;
  ProcessInput();
}

bool ReplicaLink::TakeLine(std::string* line) {
  size_t nl = in_.find('\n', in_pos_);
  if (nl == std::string::npos) return false;
  size_t end = nl > in_pos_ && in_[nl - 1] == '\r' ? nl - 1 : nl;
  line->assign(in_, in_pos_, end - in_pos_);
  in_pos_ = applied_pos_ = nl + 1;
  return true;
}

void ReplicaLink::ProcessInput() {
  std::string line;
  for (;;) {
    const MonoTime now = server_->mono_now();
    switch (fsm_.state()) {
      case ReplicaLinkState::kHandshake:
        if (!TakeLine(&line)) return;
        fsm_.HandshakeReply(now, line);
        Run();
        break;
      case ReplicaLinkState::kPsyncSent:
        if (!TakeLine(&line)) return;
        if (line.empty()) break;  // keepalive while the master prepares the snapshot
        fsm_.PsyncReply(now, line);
        Run();
        break;
      case ReplicaLinkState::kTransfer:
        if (!ProcessPayload()) return;
        break;
      case ReplicaLinkState::kConnected:
        ApplyStream();
        return;
      default:
        return;
    }
  }
}

void ReplicaLink::AttachMasterSession() {
  if (session_attached_) return;
  master_session_.id = server_->NextClientId();
  master_session_.addr = fsm_.master_host() + ":" + std::to_string(fsm_.master_port());
  master_session_.created_ms = server_->now_ms();
  master_session_.in_multi = false;
  master_session_.multi_error = false;
  master_session_.queued.clear();
  master_session_.out.clear();
  master_session_.block = BlockState{};
  server_->service().AttachSession(&master_session_);
  master_session_.authenticated = true;
  session_attached_ = true;
  applied_pos_ = in_pos_;
}

void ReplicaLink::DetachMasterSession() {
  if (!session_attached_) return;
  server_->service().DetachSession(&master_session_);
  // A transaction cut by the disconnect was never counted in the offset: drop it.
  master_session_.in_multi = false;
  master_session_.queued.clear();
  master_session_.out.clear();
  master_session_.close_asap = false;
  session_attached_ = false;
}

void ReplicaLink::ResumeAfterHold() {
  if (!session_attached_ || master_session_.block.active) return;
  master_session_.out.clear();  // the held request's reply: a replica never answers its master
  if (fsm_.state() == ReplicaLinkState::kConnected) ApplyStream();
}

size_t ReplicaLink::DataPrefix() const {
  return data_end_pos_ > applied_pos_ ? data_end_pos_ - applied_pos_ : 0;
}

void ReplicaLink::ApplyStream() {
  Service& svc = server_->service();
  svc.set_now(server_->now_ms());
  resp::ParserLimits limits;
  limits.is_master = true;
  // A client pause holds the master's requests like any client's (Redis's replica then reads
  // the stream, slave_read_repl_offset, without applying it, slave_repl_offset).
  if (master_session_.block.active) return;
  // The request that was held has run since: it now counts as applied.
  if (!master_session_.in_multi && !parser_.in_request() && in_pos_ > applied_pos_) {
    std::string_view applied(in_.data() + applied_pos_, in_pos_ - applied_pos_);
    stream_->FeedRaw(applied, DataPrefix());
    fsm_.StreamApplied(server_->mono_now(), int64_t(applied.size()));
    applied_pos_ = in_pos_;
  }
  while (fsm_.state() == ReplicaLinkState::kConnected && in_pos_ < in_.size()) {
    size_t used = 0;
    std::string_view data(in_.data() + in_pos_, in_.size() - in_pos_);
    resp::ParseStatus st = parser_.Parse(data, limits, &used, &argv_);
    in_pos_ += used;
    if (st == resp::ParseStatus::kError) {
      log_->warn("Protocol error from MASTER: {}", parser_.error());
      return LinkFailed("protocol error");
    }
    if (st == resp::ParseStatus::kRequest) {
      if (argv_.empty() || !CarriesNoData(argv_[0])) data_end_pos_ = in_pos_;
      svc.Execute(master_session_, argv_, parser_.argc());
      master_session_.out.clear();              // a replica never answers its master
      if (master_session_.block.active) break;  // held by a client pause
    }
    const bool boundary = st == resp::ParseStatus::kRequest || !parser_.in_request();
    if (boundary && !master_session_.in_multi && in_pos_ > applied_pos_ &&
        fsm_.state() == ReplicaLinkState::kConnected) {
      std::string_view applied(in_.data() + applied_pos_, in_pos_ - applied_pos_);
      stream_->FeedRaw(applied, DataPrefix());
      fsm_.StreamApplied(server_->mono_now(), int64_t(applied.size()));
      applied_pos_ = in_pos_;
    }
    if (st == resp::ParseStatus::kNeedMore) break;
  }
  if (applied_pos_ > 1024 * 1024 && applied_pos_ <= in_pos_) {
    in_.erase(0, applied_pos_);
    in_pos_ -= applied_pos_;
    data_end_pos_ = data_end_pos_ > applied_pos_ ? data_end_pos_ - applied_pos_ : 0;
    applied_pos_ = 0;
  }
  Run();
}

MasterLinkInfo ReplicaLink::Info() const {
  MasterLinkInfo m;
  const MonoTime now = server_->mono_now();
  m.host = fsm_.master_host();
  m.port = fsm_.master_port();
  m.link_state = ReplicaLinkStateName(fsm_.state());
  m.link_up = fsm_.connected();
  m.last_io_seconds_ago = m.link_up ? (now - fsm_.last_io()).count() / 1000 : -1;
  m.sync_in_progress = fsm_.state() == ReplicaLinkState::kTransfer;
  m.repl_offset = m.link_up ? fsm_.reploff() : stream_->history().offset();
  // Everything read counts, applied or not (a client pause holds the stream unapplied).
  m.read_repl_offset =
      m.repl_offset + (m.link_up ? int64_t(in_.size() - std::min(in_.size(), applied_pos_)) : 0);
  if (m.sync_in_progress) {
    m.sync_total_bytes = payload_ == Payload::kSized ? payload_size_ : 0;
    m.sync_read_bytes = transfer_read_;
    m.sync_last_io_seconds_ago = (now - transfer_last_io_).count() / 1000;
  }
  if (auto since = fsm_.link_down_since())
    m.link_down_since_seconds = (now - *since).count() / 1000;
  m.priority = config_->replica_priority;
  m.read_only = config_->replica_read_only;
  m.announced = config_->replica_announced;
  m.role_offset = m.link_up ? fsm_.reploff() : -1;
  return m;
}

}  // namespace vigil::datanode
