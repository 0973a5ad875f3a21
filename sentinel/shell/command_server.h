#pragma once
// CommandServer: the sentinel's RESP listener (default port 26379). Reads pipelined requests,
// answers the commands a Redis 7.0 sentinel has (SENTINEL, PING, INFO, ROLE, HELLO, AUTH, ACL,
// CLIENT, COMMAND, SUBSCRIBE & co, PUBLISH for hellos, SHUTDOWN) in RESP2 or RESP3, writes each
// read's replies with one write(), and delivers events to pub/sub clients. A request that needs the
// core (votes, state-changing SENTINEL subcommands) pauses its client until ReplyToClient comes,
// so replies stay in request order.
#include <event2/event.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/net/acceptor.h"
#include "common/net/tls_stream.h"
#include "common/resp/request_parser.h"
#include "common/resp/value.h"
#include "sentinel/core/ids.h"
#include "sentinel/shell/sentinel_commands.h"
#include "sentinel/shell/sentinel_host.h"

namespace spdlog {
class logger;
}

namespace vigil::sentinel {

class CommandServer;

struct ClientConn {
  CommandServer* server = nullptr;
  uint64_t id = 0;
  int fd = -1;
  std::string addr, laddr, name, user = "default";
  std::string lib_name, lib_ver;  // CLIENT SETINFO
  int proto = 2;
  bool authenticated = true;
  std::set<std::string> channels, patterns;
  std::string qbuf;
  size_t qpos = 0;
  std::string out;
  size_t out_pos = 0;
  resp::RequestParser parser;
  std::vector<std::string> argv;
  event* read_ev = nullptr;
  event* write_ev = nullptr;
  std::unique_ptr<net::TlsStream> tls;  // null on the plain port
  bool write_armed = false;
  bool closing = false;
  bool close_after_reply = false;
  ClientToken waiting = 0;  // a core reply is pending: input is held until it arrives
  ReplyShape waiting_shape = ReplyShape::kPlain;
  int64_t created_ms = 0;
  int64_t last_ms = 0;
  std::string last_cmd;

  size_t subscriptions() const { return channels.size() + patterns.size(); }
};

class CommandServer {
 public:
  CommandServer(event_base* base, SentinelHost* host, spdlog::logger* log);
  ~CommandServer();
  CommandServer(const CommandServer&) = delete;
  CommandServer& operator=(const CommandServer&) = delete;

  // Binds every address of `bind` (empty: all interfaces) on `port`.
  Status Listen(const std::vector<std::string>& bind, int port);
  // The same on tls-port: clients handshake with `ctx`, `auth` deciding on client certificates.
  Status ListenTls(const std::vector<std::string>& bind, int port,
                   std::shared_ptr<net::TlsContext> ctx, net::TlsAuthClients auth);

  // A core answer for a client request (dropped if that client is gone).
  void Reply(ClientToken token, const resp::Value& value);
  // Publishes an event on channel `type` to subscribed clients.
  void Publish(const std::string& channel, const std::string& message);
  // Frees clients that finished closing. Call every tick.
  void Maintain();

  size_t clients() const { return clients_.size(); }
  uint64_t total_connections() const { return total_connections_; }
  uint64_t total_commands() const { return total_commands_; }
  uint64_t rejected() const { return rejected_; }
  size_t pubsub_channels() const;
  size_t pubsub_patterns() const;

  // --- used by the command implementations (client_commands.cc) ---
  SentinelHost& host() { return *host_; }
  void Execute(ClientConn* c);
  const std::map<uint64_t, std::unique_ptr<ClientConn>>& all_clients() const { return clients_; }
  void Kill(ClientConn* c) { MarkClosing(c, "killed"); }

 private:
  static void OnReadable(evutil_socket_t fd, short what, void* arg);
  static void OnWritable(evutil_socket_t fd, short what, void* arg);
  Status ListenAll(const std::vector<std::string>& bind, int port, bool tls);
  // TLS: one handshake step, driven by either event.
  void ContinueHandshake(ClientConn* c);
  void ArmWrite(ClientConn* c, bool on);
  // A socket the acceptor took: admission (maxclients, protected mode), TLS, the client.
  void Accept(const net::Acceptor::Accepted& a);
  void ReadSome(ClientConn* c);
  void ProcessInput(ClientConn* c);
  bool Flush(ClientConn* c);
  void MarkClosing(ClientConn* c, const char* why);

  event_base* base_;
  SentinelHost* host_;
  spdlog::logger* log_;
  net::Acceptor acceptor_;
  std::shared_ptr<net::TlsContext> tls_ctx_;
  net::TlsAuthClients tls_auth_ = net::TlsAuthClients::kYes;
  std::map<uint64_t, std::unique_ptr<ClientConn>> clients_;
  std::map<ClientToken, uint64_t> waiting_;  // token → client id
  std::vector<uint64_t> closed_;
  uint64_t next_id_ = 1;
  ClientToken next_token_ = 1;
  uint64_t total_connections_ = 0;
  uint64_t total_commands_ = 0;
  uint64_t rejected_ = 0;
};

// The non-SENTINEL commands (client_commands.cc). Writes the reply into c->out, or submits to the
// core (c->waiting is then set).
void ExecuteClientCommand(CommandServer& server, ClientConn* c, ClientToken token);

// Sentinel INFO text for the given sections (client_commands.cc).
std::string RenderSentinelInfo(CommandServer& server, const std::vector<std::string>& sections);

}  // namespace vigil::sentinel
