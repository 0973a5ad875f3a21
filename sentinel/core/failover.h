#pragma once
// The failover state machine (docs/sentinel-behaviour.md, "Failover"): start, wait_start
// (election), select_slave, send_slaveof_noone, wait_promotion, reconf_slaves, update_config, with
// every timeout and abort and its event. One switch in StepFailover; one function per state.
#include <optional>

#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// Starts a failover when the master is ODOWN, none is running and the retry gap has passed.
// Returns true when one started (the caller then asks peers for votes at once).
bool StartFailoverIfNeeded(CoreState& state, MasterRecord& master);

// sentinelStartFailover: new epoch, +new-epoch, +try-failover, randomised start time.
void StartFailover(CoreState& state, MasterRecord& master);

// Advances the machine. With event-driven mode it keeps going while states change (Redis moves
// at most one state per tick). Never performs the final switch: see CompletePendingSwitches.
void RunFailoverStateMachine(CoreState& state, MasterRecord& master);

// Aborts a failover that has not passed wait_promotion.
void AbortFailover(CoreState& state, MasterRecord& master);

// update_config: +switch-master and the address change, for every master that reached it.
// Run only when no reference into a master's instance maps is held.
void CompletePendingSwitches(CoreState& state);

// The promoted replica reported role:master while we wait for it (wait_promotion).
void ConfirmPromotion(CoreState& state, MasterRecord& master, InstanceRecord& promoted);

// Sends the reconfiguration block (sentinelSendSlaveOf). nullopt = SLAVEOF NO ONE.
bool SendReconfigure(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                     const std::optional<HostPort>& replicaof);

// The block's reply. Vigil: a successful SLAVEOF is checked with an immediate INFO.
void OnReconfigureReply(CoreState& state, MasterRecord& master, InstanceRecord& ri,
                        const ReplyPayload& payload);

// After an INFO reply from a replica being repointed: ask again at once while it does not yet
// follow the new master with its link up (kRepointChainedPolls, coordinated_switchover.h).
void ContinueRepointPoll(CoreState& state, MasterRecord& master, InstanceRecord& ri);

}  // namespace vigil::sentinel
