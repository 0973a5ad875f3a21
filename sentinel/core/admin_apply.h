#pragma once
// The state-changing SENTINEL subcommands (docs/sentinel-behaviour.md, "Commands") applied to a
// core: MONITOR, REMOVE, SET, RESET, FAILOVER, CKQUORUM, SIMULATE-FAILURE, CONFIG SET, DEBUG
// <param> <ms>, FLUSHCONFIG. Each returns the exact Redis reply.
#include "common/resp/value.h"
#include "sentinel/core/admin_request.h"
#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

resp::Value ApplyAdmin(CoreState& state, const AdminRequest& request);

// CKQUORUM's reply for `master` (also used by the read-only query path).
resp::Value CheckQuorumReply(const CoreState& state, const MasterRecord& master);

}  // namespace vigil::sentinel
