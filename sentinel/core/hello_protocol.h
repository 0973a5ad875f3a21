#pragma once
// The hello protocol (docs/sentinel-behaviour.md, "Hello protocol"): publishing our view of each
// master every publish period, and reacting to peers' hellos: sentinel discovery and
// de-duplication, current-epoch adoption, and the config-epoch rule that makes observers switch to
// a newly promoted master.
#include <string_view>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// PUBLISHes a hello about `master` to `ri` (master, replica or sentinel). Returns false when the
// link is down or no local address is known yet.
bool SendHello(CoreState& state, MasterRecord& master, InstanceRecord& ri);

// After a promotion: make every instance of `master` hear the new configuration now (Vigil) or
// on the next tick (Redis timing).
void ForceHellos(CoreState& state, MasterRecord& master);

// Vigil: a hello now, outside the publish period, unless one went to `ri` in the last
// kPromptHelloGap. Used when our hello is the one a peer is waiting for (see sentinel_core.cc):
// once our pub/sub connection is subscribed, and when a hello arrives from a sentinel that was
// new to us, which is probably new to us because it did not hear our previous hello either.
void SendPromptHello(CoreState& state, MasterRecord& master, InstanceRecord& ri);

// Handles one hello payload. `pubsub_conn` is the pub/sub connection it came on (0: a PUBLISH
// to us), which applies Redis's own-id substring filter and, with the event-driven paths,
// answers a sentinel new to us with a prompt hello through the same node.
void ProcessHello(CoreState& state, std::string_view payload, ConnId pubsub_conn);

}  // namespace vigil::sentinel
