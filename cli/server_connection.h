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

#include "common/base/status.h"
#include "common/resp/value.h"

namespace vigil::cli {

class ServerConnection {
 public:
  // Connects with a timeout. The error is hiredis's text, e.g. "Connection refused".
  static Result<std::unique_ptr<ServerConnection>> Open(const std::string& host, int port);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Sends one command as a RESP multibulk.
  Status Send(const std::vector<std::string>& argv);
  // Blocks until one whole reply arrived. Errors: "Server closed the connection", an errno
  // text, or the protocol error.
  Result<resp::Value> Read();
  // Send + Read, for the commands vigil-cli issues itself (AUTH, SELECT, HELLO, SENTINEL).
  Result<resp::Value> Call(const std::vector<std::string>& argv);

 private:
  explicit ServerConnection(redisContext* context) : context_(context) {}
  redisContext* context_;
  std::string in_;  // bytes received and not yet parsed
  resp::ReplyParser parser_;
};

}  // namespace vigil::cli
