#pragma once
// Action: what the core asks its shell to do, in order, after the batch's state is persisted.
#include <string>
#include <variant>
#include <vector>

#include "common/base/host_port.h"
#include "common/resp/value.h"
#include "sentinel/core/commands.h"
#include "sentinel/core/ids.h"

namespace vigil::sentinel {

// Open a connection. On success the shell first sends AUTH (when auth_pass is set; with
// auth_user as AUTH <user> <pass>) and CLIENT SETNAME <client_name>, ignoring their replies,
// then reports LinkUp; on failure LinkDown. A connect should time out (1 s is a good value).
struct ConnectAction {
  ConnId conn = 0;
  Channel channel = Channel::kCommand;
  HostPort addr;
  bool to_sentinel = false;
  std::string auth_user;
  std::string auth_pass;
  std::string client_name;  // sentinel-<first 8 of myid>-cmd / -pubsub
};

// Close a connection; the shell reports nothing further for it.
struct CloseAction {
  ConnId conn = 0;
};

// Send one typed command (RenderCommand(command, renames)) and report its replies as
// CommandReply{request} in order.
struct SendAction {
  ConnId conn = 0;
  RequestId request = 0;
  Command command;
  RenameMap renames;
};

// Answer a client request (VoteRequest or AdminCommand).
struct ReplyToClient {
  ClientToken token = 0;
  resp::Value reply;
};

// Run a notification or client-reconfig script: argv[0] is the path. The shell's script runner
// owns queueing, retries and timeouts (docs/sentinel-behaviour.md, "Scripts").
struct RunScript {
  std::vector<std::string> argv;
};

// Exit now with `code`. SENTINEL SIMULATE-FAILURE's crash (code 99, `reason` empty) writes any
// pending state first; an exit with a reason (the state could not be saved) writes nothing and
// logs the reason.
struct ExitProcess {
  int code = 99;
  std::string reason;
};

using Action =
    std::variant<ConnectAction, CloseAction, SendAction, ReplyToClient, RunScript, ExitProcess>;

}  // namespace vigil::sentinel
