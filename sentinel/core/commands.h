#pragma once
// The typed commands a sentinel sends to data nodes and to peer sentinels, and the typed replies
// it understands. wire.h renders them to argv and decodes RESP replies into them, so the core
// never handles raw protocol text.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "common/base/host_port.h"

namespace vigil::sentinel {

inline constexpr const char kHelloChannel[] = "__sentinel__:hello";

struct PingCommand {
  friend bool operator==(const PingCommand&, const PingCommand&) = default;
};
// Bare INFO, no section argument (Redis sends exactly that).
struct InfoCommand {
  friend bool operator==(const InfoCommand&, const InfoCommand&) = default;
};
// PUBLISH __sentinel__:hello <payload>, to a data node or directly to a peer sentinel.
struct PublishHelloCommand {
  std::string payload;
  friend bool operator==(const PublishHelloCommand&, const PublishHelloCommand&) = default;
};
// SUBSCRIBE __sentinel__:hello on the pub/sub connection.
struct SubscribeHelloCommand {
  friend bool operator==(const SubscribeHelloCommand&, const SubscribeHelloCommand&) = default;
};
// SENTINEL is-master-down-by-addr <ip> <port> <current-epoch> <runid or *>.
struct IsMasterDownByAddrCommand {
  HostPort master;
  uint64_t current_epoch = 0;
  std::string runid;  // "*" asks only for the opinion; our myid asks for a vote too
  // Vigil: a vote for a coordinated switchover of a healthy master. Rendered as a trailing
  // COORDINATED argument, which Redis peers reject with an arity error (never a silent vote).
  bool coordinated = false;
  friend bool operator==(const IsMasterDownByAddrCommand&,
                         const IsMasterDownByAddrCommand&) = default;
};
// The reconfiguration block (docs/sentinel-behaviour.md, "Reconfiguration block"): MULTI, SLAVEOF
// <addr>|NO ONE, CONFIG REWRITE, CLIENT KILL TYPE normal, CLIENT KILL TYPE pubsub, EXEC. Sent
// pipelined as one request.
struct ReconfigureCommand {
  std::optional<HostPort> replicaof;  // nullopt: SLAVEOF NO ONE
  friend bool operator==(const ReconfigureCommand&, const ReconfigureCommand&) = default;
};
// FAILOVER TO <host> <port> TIMEOUT <ms>: the data node's coordinated handoff (Redis 6.2+),
// sent to a healthy master by the leader of a coordinated switchover.
struct FailoverToCommand {
  HostPort target;
  int64_t timeout_ms = 0;
  friend bool operator==(const FailoverToCommand&, const FailoverToCommand&) = default;
};
// CONFIG REWRITE alone (Vigil): persists a role a node took without a reconfiguration block
// (the new master of a coordinated switchover), without the block's CLIENT KILLs, which would
// cut off the clients that already followed +switch-master to it.
struct RewriteConfigCommand {
  friend bool operator==(const RewriteConfigCommand&, const RewriteConfigCommand&) = default;
};
// SCRIPT KILL, sent once to an SDOWN instance that answers -BUSY.
struct ScriptKillCommand {
  friend bool operator==(const ScriptKillCommand&, const ScriptKillCommand&) = default;
};

using Command = std::variant<PingCommand, InfoCommand, PublishHelloCommand, SubscribeHelloCommand,
                             IsMasterDownByAddrCommand, ReconfigureCommand, ScriptKillCommand,
                             FailoverToCommand, RewriteConfigCommand>;

// Upper-case original command name → configured new name (sentinel rename-command).
using RenameMap = std::map<std::string, std::string>;

// A status or error line: replies to PING, PUBLISH, SUBSCRIBE, SCRIPT KILL and FAILOVER, or an
// error reply to any command.
struct SimpleReply {
  bool is_error = false;
  std::string text;  // without the leading + or -
  friend bool operator==(const SimpleReply&, const SimpleReply&) = default;
};
// INFO's bulk text.
struct InfoReply {
  std::string text;
  friend bool operator==(const InfoReply&, const InfoReply&) = default;
};
// The *3 [:down, $leader, :leader_epoch] answer to is-master-down-by-addr.
struct VoteReply {
  bool master_down = false;
  std::string leader;  // "*" when the peer reported no vote
  uint64_t leader_epoch = 0;
  friend bool operator==(const VoteReply&, const VoteReply&) = default;
};
// The outcome of the reconfiguration block: did the SLAVEOF inside EXEC succeed?
struct ReconfigureReply {
  bool replicaof_ok = false;
  std::string error;  // the first error seen, for diagnostics
  friend bool operator==(const ReconfigureReply&, const ReconfigureReply&) = default;
};
// A reply whose shape does not fit the command (Redis ignores those).
struct MalformedReply {
  std::string description;
  friend bool operator==(const MalformedReply&, const MalformedReply&) = default;
};

using ReplyPayload =
    std::variant<SimpleReply, InfoReply, VoteReply, ReconfigureReply, MalformedReply>;

}  // namespace vigil::sentinel
