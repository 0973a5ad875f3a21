#pragma once
// The monitoring half of instance handling (docs/sentinel-behaviour.md, "Process and links",
// "Periodic traffic"): keep links connected, send PING, INFO and hellos on their periods, and fold
// link events and PING replies into LinkHealth. It runs in TILT too; nothing here decides anything
// about failures.
#include "sentinel/core/core_state.h"
#include "sentinel/core/inputs.h"

namespace vigil::sentinel {

// Opens missing connections, at most once per ping period per link. Port 0 is never connected.
void ReconnectInstance(CoreState& state, MasterRecord& master, InstanceRecord& ri);

// PING, INFO and hello when their periods have passed (and the pending cap allows).
void SendPeriodicCommands(CoreState& state, MasterRecord& master, InstanceRecord& ri);
// The PING gap when it is at most half of down-after (LinkHealth::Unresponsive counts such a
// link from its last valid reply), else 0 (Redis's clock).
Millis FastPingPeriodFor(const CoreState& state, const MasterRecord& master,
                         const InstanceRecord& ri);

// INFO now, unless one is already outstanding.
void SendInfoNow(CoreState& state, MasterRecord& master, InstanceRecord& ri);

// Which INFO period applies to `ri` right now (1 s in the cases listed in
// docs/sentinel-behaviour.md, "Timers and defaults").
Millis InfoPeriodFor(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri);

// Redis's min(down-after, ping-period); shorter for a node that fences (timer_options.h).
Millis PingPeriodFor(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri);

void OnLinkUp(CoreState& state, const LinkUp& up);
void OnLinkDown(CoreState& state, const LinkDown& down);
void OnPubSubActivity(CoreState& state, ConnId conn);

// A reply to PING (valid replies refresh availability; -BUSY on an SDOWN instance earns one
// SCRIPT KILL).
void OnPingReply(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                 const ReplyPayload& payload);

}  // namespace vigil::sentinel
