#pragma once
// NodeConnection: one blocking hiredis connection to a data node or a sentinel, with a connect
// timeout and a per-reply timeout. After any I/O error or timeout it is broken for good: the
// caller drops it (a late reply must never be read as the answer to a later command).
// Not thread-safe: one user at a time (the pool hands it out exclusively).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client-sdk/src/tls_client_context.h"
#include "vigil/client/address.h"
#include "vigil/client/errors.h"
#include "vigil/client/reply.h"

struct redisContext;
typedef struct ssl_st SSL;

namespace vigil::client {

struct ConnectSettings {
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{1000};
  std::string username;  // AUTH [username] password when password is not empty
  std::string password;
  int db = 0;                             // SELECT when not 0
  std::shared_ptr<TlsClientContext> tls;  // null: plain TCP
};

class NodeConnection {
 public:
  // Connects, then AUTH and SELECT as configured. Errors: kConnection (refused, reset, AUTH
  // rejected), kTimeout (connect or reply timed out).
  static Result<std::unique_ptr<NodeConnection>> Open(const Address& address,
                                                      const ConnectSettings& settings);
  ~NodeConnection();
  NodeConnection(const NodeConnection&) = delete;
  NodeConnection& operator=(const NodeConnection&) = delete;

  // Sends one command and reads its reply. Errors: kConnection, kTimeout (then broken()).
  Result<Reply> Run(const std::vector<std::string>& argv);
  // Sends all commands in one write, then reads one reply per command.
  Result<std::vector<Reply>> RunPipeline(const std::vector<std::vector<std::string>>& commands);

  // Waits up to `timeout` for one pushed message (pub/sub). Empty Reply array-less nil result
  // with kTimeout error when nothing arrived; the connection stays usable after such a timeout.
  Result<Reply> ReadPushed(std::chrono::milliseconds timeout);

  bool broken() const { return broken_; }
  const Address& address() const { return address_; }
  int fd() const;

  // Which master resolution verified this connection with ROLE (0 = never verified).
  uint64_t master_generation = 0;

 private:
  NodeConnection(Address address, redisContext* ctx) : address_(std::move(address)), ctx_(ctx) {}
  // The TLS handshake on the connected socket (blocking, bounded by the socket timeouts).
  std::optional<Error> StartTls(const TlsClientContext& tls);
  Error IoError();
  // A failed SSL_read/SSL_write (its return value `ret`): a timeout or a lost connection.
  Error TlsIoError(int ret);
  bool Send(const std::vector<std::vector<std::string>>& commands);
  Result<Reply> ReadReply();

  Address address_;
  redisContext* ctx_;
  // With TLS, hiredis only connects and parses: bytes go through OpenSSL, into hiredis's reader.
  SSL* ssl_ = nullptr;
  std::optional<Error> send_error_;
  bool broken_ = false;
};

}  // namespace vigil::client
