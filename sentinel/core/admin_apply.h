#pragma once
// The state-changing SENTINEL subcommands (docs/sentinel-behaviour.md, "Commands") applied to a
// core: MONITOR, REMOVE, SET, RESET, FAILOVER, CKQUORUM, SIMULATE-FAILURE, CONFIG SET, DEBUG
// <param> <ms>, FLUSHCONFIG. Each returns the exact Redis reply.
#include "sentinel/core/admin_request.h"
#include "sentinel/core/core_state.h"
#include "sentinel/core/wire_value.h"

namespace vigil::sentinel {

WireValue ApplyAdmin(CoreState& state, const AdminRequest& request);

// CKQUORUM's reply for `master` (also used by the read-only query path).
WireValue CheckQuorumReply(const CoreState& state, const MasterRecord& master);

}  // namespace vigil::sentinel
