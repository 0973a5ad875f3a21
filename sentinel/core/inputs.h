#pragma once
// Input: everything that happens to a sentinel besides the passage of time (which is Tick).
// The shell produces these from its sockets; the simulator from its network model.
#include <string>
#include <variant>

#include "sentinel/core/admin_request.h"
#include "sentinel/core/commands.h"
#include "sentinel/core/ids.h"

namespace vigil::sentinel {

// A connection the core asked for (ConnectAction) is established. `local_ip` is the local
// address of the socket (getsockname): hellos announce it unless announce-ip is set.
struct LinkUp {
  ConnId conn = 0;
  std::string local_ip;
  // The address the connection reached, numerically: what SENTINEL replies show for a
  // hostname-configured instance while announce-hostnames is off (Redis resolves up front).
  std::string peer_ip = {};
};

// A connection failed to connect, or dropped. Pending requests on it are forgotten by the core;
// the shell need not report them individually. Never sent for a connection the core closed.
struct LinkDown {
  ConnId conn = 0;
};

// The decoded replies to one SendAction (wire.h DecodeReply).
struct CommandReply {
  RequestId request = 0;
  ReplyPayload payload;
};

// A request that will never be answered although its connection stays up (for example a
// timeout the shell enforces). Equivalent to an unanswered PING for health purposes.
struct RequestFailed {
  RequestId request = 0;
};

// A hello payload. `conn` is the pub/sub connection it arrived on (a `message` on
// __sentinel__:hello), or 0 when a peer sentinel PUBLISHed it to us directly: those skip the
// own-id filter, and the shell answers that PUBLISH with :1 itself.
struct HelloReceived {
  ConnId conn = 0;
  std::string payload;
};

// Any other traffic on a pub/sub connection (it refreshes the link's activity time).
struct PubSubActivity {
  ConnId conn = 0;
};

// A peer's SENTINEL is-master-down-by-addr; the answer goes out as ReplyToClient after any
// vote it casts is persisted.
struct VoteRequest {
  ClientToken token = 0;
  VoteRequestArgs args;
};

// A state-changing SENTINEL subcommand from a client; answered with ReplyToClient.
struct AdminCommand {
  ClientToken token = 0;
  AdminRequest request;
};

using Input = std::variant<LinkUp, LinkDown, CommandReply, RequestFailed, HelloReceived,
                           PubSubActivity, VoteRequest, AdminCommand>;

}  // namespace vigil::sentinel
