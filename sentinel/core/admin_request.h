#pragma once
// The SENTINEL subcommands as typed values. State-changing ones reach the core as
// Input::AdminCommand; read-only ones are answered from const queries (queries.h). Parsing from
// argv, with Redis's argument errors, is in admin_commands.h.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/base/host_port.h"

namespace vigil::sentinel {

// --- state-changing ---
struct MonitorRequest {
  std::string name;
  HostPort addr;
  int quorum = 0;
};
struct RemoveRequest {
  std::string name;
};
struct SetRequest {
  std::string name;
  std::vector<std::string> args;  // <option> <value> [...], walked and validated by the core
  // Script paths among the values that the shell found missing or not executable: the core
  // refuses them as Redis does, without touching the file system itself.
  std::vector<std::string> unrunnable_scripts;
};
struct ResetRequest {
  std::string pattern;
};
struct FailoverRequest {
  std::string name;
  // SENTINEL FAILOVER <name> COORDINATED (Valkey 9's spelling): an elected leader hands over
  // with the data node's FAILOVER command instead of promoting with SLAVEOF NO ONE.
  bool coordinated = false;
};
struct SimulateFailureRequest {
  bool crash_after_election = false;
  bool crash_after_promotion = false;
};
struct ConfigSetRequest {
  std::string parameter;
  std::string value;
};
struct DebugSetRequest {
  std::vector<std::string> args;  // <parameter> <ms> [...], validated by the core
};
struct FlushConfigRequest {};
struct CkQuorumRequest {
  std::string name;
};

using AdminRequest = std::variant<MonitorRequest, RemoveRequest, SetRequest, ResetRequest,
                                  FailoverRequest, SimulateFailureRequest, ConfigSetRequest,
                                  DebugSetRequest, FlushConfigRequest, CkQuorumRequest>;

// --- read-only ---
struct MastersQuery {};
struct MasterQuery {
  std::string name;
};
struct ReplicasQuery {
  std::string name;
};
struct SentinelsQuery {
  std::string name;
};
struct GetMasterAddrQuery {
  std::string name;
};
struct MyIdQuery {};
struct InfoCacheQuery {
  std::vector<std::string> names;
};
struct DebugGetQuery {};
struct ConfigGetQuery {
  std::string pattern;
};

using AdminQuery =
    std::variant<MastersQuery, MasterQuery, ReplicasQuery, SentinelsQuery, GetMasterAddrQuery,
                 MyIdQuery, InfoCacheQuery, DebugGetQuery, ConfigGetQuery, CkQuorumRequest>;

// SENTINEL is-master-down-by-addr, parsed.
struct VoteRequestArgs {
  HostPort master;
  uint64_t epoch = 0;
  std::string runid;
  bool coordinated = false;  // Vigil's trailing COORDINATED: a switchover of a healthy master
};

}  // namespace vigil::sentinel
