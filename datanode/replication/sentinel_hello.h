#pragma once
// What a data node can read from the sentinels that monitor it: the hello they publish through
// it on `__sentinel__:hello` (8 comma-separated fields, Redis 7.0 and vigil-sentinel alike) and
// the name their connections carry (`CLIENT SETNAME sentinel-<first 8 chars of myid>-cmd`).
// Pure functions; the sentinel fence (sentinel_fence.h) is their only user.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/wire/sentinel_hello.h"

namespace vigil::datanode {

inline constexpr std::string_view kSentinelHelloChannel = "__sentinel__:hello";

using vigil::SentinelHello;

// The shared hello codec (common/wire/sentinel_hello.h), plus the fence's own rule: a run id
// shorter than 8 characters cannot be matched to a sentinel's connection name, so it is refused.
std::optional<SentinelHello> ParseSentinelHello(std::string_view payload);

// "sentinel-<id>-cmd" → "<id>" (the first 8 characters of the sentinel's run id); "" for any
// other name, including the sentinel's "-pubsub" connection, which only listens.
std::string SentinelIdFromClientName(std::string_view client_name);

// The short id a hello's run id maps to, so hellos and named connections meet.
inline std::string SentinelIdOfRunId(std::string_view runid) {
  return std::string(runid.substr(0, 8));
}

// The addresses a sentinel may use for this node: the announced ones when configured
// (replica-announce-ip/-port), else the local address of the connection the hello arrived on
// and the listening port.
struct NodeAddress {
  std::vector<std::string> ips;
  int port = 0;
};

// True when the hello names this node as the master. Hostnames (announce-hostnames) never
// match: such a node learns no sentinels and so never fences.
bool HelloNamesNode(const SentinelHello& hello, const NodeAddress& self);

}  // namespace vigil::datanode
