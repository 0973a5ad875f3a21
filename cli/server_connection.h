#pragma once
// A blocking connection to a data node or sentinel, for vigil-cli.
//
// hiredis opens the connection (name resolution, connect timeout, its error strings, which
// redis-cli prints). Replies are decoded by common/resp's ReplyParser rather than hiredis's
// reader, because the hiredis packaged with the project (0.14) has no RESP3 types and -3 must
// print maps, sets, doubles and booleans. Single-threaded; not copyable.
#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/cli_options.h"
#include "common/base/status.h"
#include "common/resp/value.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace vigil::cli {

class ServerConnection {
 public:
  // Connects with a timeout. The error is hiredis's text, e.g. "Connection refused". With
  // `tls.enabled` a TLS handshake follows (blocking); its failure reads as redis-cli's.
  static Result<std::unique_ptr<ServerConnection>> Open(const std::string& host, int port,
                                                        const CliTlsOptions& tls = {});
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Sends one command as a RESP multibulk.
  Status Send(const std::vector<std::string>& argv);
  // Blocks until one whole reply arrived. Errors: "Server closed the connection", an errno
  // text, or the protocol error.
  Result<resp::Value> Read();
  // The TLS handshake over the connected socket (Open does it when asked).
  Status StartTls(const std::string& host, const CliTlsOptions& tls);
  // Send + Read, for the commands vigil-cli issues itself (AUTH, SELECT, HELLO, SENTINEL).
  Result<resp::Value> Call(const std::vector<std::string>& argv);

 private:
  explicit ServerConnection(redisContext* context) : context_(context) {}
  ssize_t RawRead(char* buf, size_t n);
  ssize_t RawWrite(const char* buf, size_t n);
  redisContext* context_;
  SSL_CTX* ssl_ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string in_;  // bytes received and not yet parsed
  resp::ReplyParser parser_;
};

}  // namespace vigil::cli
