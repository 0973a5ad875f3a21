#pragma once
// InstanceLinks: the core's connections (ConnectAction/CloseAction/SendAction) to data nodes and
// other sentinels, as non-blocking sockets on libevent, in plain text or, with tls-replication,
// TLS (common/net's TlsStream). Every reply, pub/sub message, connect result and disconnect
// becomes a core Input handed to `sink`. The sink must not call back into this class
// synchronously: the runtime queues inputs and runs the core after the read callback returns
// (SetAfterRead), so a link is never freed from inside its own callback.
//
// The transport is our own rather than hiredis's async API because Debian's hiredis 0.14 has no
// TLS, and sentinels must reach TLS-only nodes (sentinel/DESIGN.md "Links").
#include <event2/event.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/net/tls_stream.h"
#include "common/resp/value.h"
#include "common/time/mono_time.h"
#include "sentinel/core/actions.h"
#include "sentinel/core/inputs.h"

namespace spdlog {
class logger;
}

namespace vigil::sentinel {

// TCP_USER_TIMEOUT on every link: data a peer's kernel has not acknowledged for this long
// (a partition; a paused process still acknowledges) aborts the connection.
inline constexpr Millis kLinkUserTimeout{1000};
// While a connect is unanswered, a further socket dials every this long, at most
// kMaxRedials of them; the first to connect becomes the link. A SYN lost in a partition is
// otherwise resent by the kernel only after 1 s, the connect timeout itself, so a healed
// partition was seen up to 1.2 s late. Each redial is a fresh SYN.
inline constexpr Millis kRedialPeriod{250};
inline constexpr int kMaxRedials = 3;

class InstanceLinks {
 public:
  using InputSink = std::function<void(Input)>;
  using NowFn = std::function<MonoTime()>;

  InstanceLinks(event_base* base, InputSink sink, NowFn now, spdlog::logger* log,
                Millis connect_timeout = Millis(1000));
  ~InstanceLinks();
  InstanceLinks(const InstanceLinks&) = delete;
  InstanceLinks& operator=(const InstanceLinks&) = delete;

  // Runs after each socket's replies were handed to the sink: the runtime steps the core there,
  // so a burst of replies (1,000 INFO answers at start-up) is not held in the queue all at once.
  void SetAfterRead(std::function<void()> fn) { after_read_ = std::move(fn); }
  // tls-replication: every link from now on handshakes with the context's client side.
  void SetTls(std::shared_ptr<net::TlsContext> ctx) { tls_ = std::move(ctx); }

  void Connect(const ConnectAction& action);
  void Close(ConnId conn);
  void Send(SendAction&& action);
  // Times out connects older than the connect timeout and frees closed links. Call every tick.
  void Maintain();

  size_t open_connections() const { return conns_.size(); }
  uint64_t redials_started() const { return redials_started_; }

 private:
  struct Pending {
    RequestId request = 0;  // 0: AUTH / CLIENT SETNAME, reply ignored
    Command command;
    size_t expected = 1;
    std::vector<resp::Value> replies;
  };
  struct Conn;
  // A further socket dialing the same address for a link whose connect is unanswered.
  struct Redial {
    ~Redial();
    Conn* conn = nullptr;
    int fd = -1;
    event* ev = nullptr;
  };
  struct Conn {
    ~Conn();
    InstanceLinks* owner = nullptr;
    ConnId id = 0;
    Channel channel = Channel::kCommand;
    std::string where;  // "host:port" for logs
    int fd = -1;
    event* read_ev = nullptr;
    event* write_ev = nullptr;
    bool write_armed = false;
    std::unique_ptr<net::TlsStream> tls;
    bool tcp_connected = false;
    bool connected = false;  // TCP up and, with TLS, the handshake done
    bool closed = false;
    bool flush_queued = false;
    MonoTime started{0};
    std::string host;
    int port = 0;
    MonoTime last_dial{0};
    std::vector<std::unique_ptr<Redial>> redials;
    std::string out;  // requests not yet written, from out_pos
    size_t out_pos = 0;
    std::string in;  // replies not yet parsed, from in_pos
    size_t in_pos = 0;
    resp::ReplyParser parser;
    std::deque<Pending> fifo;
    RequestId subscribe_request = 0;
  };

  // Requests queued in one loop pass are written at its end, in the same pass, instead of on
  // the next writability wakeup: one write per link per pass, and no write-interest toggling.
  static void OnFlush(evutil_socket_t, short, void* arg);
  void QueueFlush(Conn* c);
  static void OnReadable(evutil_socket_t, short, void* arg);
  static void OnWritable(evutil_socket_t, short, void* arg);

  static void OnRedialWritable(evutil_socket_t, short, void* arg);
  void StartRedial(Conn* c, MonoTime now);
  // The redial connected: it becomes the link's socket.
  void AdoptRedial(Conn* c, Redial* r);
  // Closes every redial of `c` (freed on the next Maintain: one may be in its callback).
  void DropRedials(Conn* c);
  void FinishTcpConnect(Conn* c);
  void ContinueHandshake(Conn* c);
  void OnConnected(Conn* c);
  // Writes what is queued; false when the link failed (and was reported).
  bool Write(Conn* c);
  void ReadReplies(Conn* c);
  void Dispatch(Conn* c, resp::Value&& reply);
  void DispatchPubSub(Conn* c, const resp::Value& reply);
  void ArmWrite(Conn* c, bool on);
  void Enqueue(Conn* c, const std::vector<std::string>& argv);
  // Marks `c` closed, releases its socket and reports LinkDown (unless the core closed it).
  void Fail(Conn* c, const std::string& why, bool report);
  void Bury(ConnId id);

  event_base* base_;
  InputSink sink_;
  std::function<void()> after_read_;
  NowFn now_;
  spdlog::logger* log_;
  Millis connect_timeout_;
  std::shared_ptr<net::TlsContext> tls_;
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  std::set<ConnId> connecting_;  // what Maintain checks: not every open connection, each tick
  event* flush_ev_ = nullptr;
  std::vector<ConnId> flush_queue_;
  std::vector<std::unique_ptr<Conn>> graveyard_;       // freed on the next Maintain()
  std::vector<std::unique_ptr<Redial>> dead_redials_;  // likewise
  uint64_t redials_started_ = 0;
};

}  // namespace vigil::sentinel
