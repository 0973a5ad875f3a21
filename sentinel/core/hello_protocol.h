#pragma once
// The hello protocol (spec §5): publishing our view of each master every publish period, and
// reacting to peers' hellos: sentinel discovery and de-duplication, current-epoch adoption, and
// the config-epoch rule that makes observers switch to a newly promoted master.
#include <string_view>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// PUBLISHes a hello about `master` to `ri` (master, replica or sentinel). Returns false when the
// link is down or no local address is known yet.
bool SendHello(CoreState& state, MasterRecord& master, InstanceRecord& ri);

// After a promotion: make every instance of `master` hear the new configuration now (Vigil) or
// on the next tick (Redis timing).
void ForceHellos(CoreState& state, MasterRecord& master);

// Handles one hello payload. `via_pubsub` applies Redis's own-id substring filter.
void ProcessHello(CoreState& state, std::string_view payload, bool via_pubsub);

}  // namespace vigil::sentinel
