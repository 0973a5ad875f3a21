#pragma once
// Coordinated switchover, SENTINEL FAILOVER <name> COORDINATED (Valkey 9's spelling): a planned
// change of master that loses no acknowledged write. Unlike plain SENTINEL FAILOVER it is not
// forced: the replying sentinel asks its peers for votes in a new epoch although the master is
// healthy (is-master-down-by-addr with a trailing COORDINATED). The elected leader selects a
// replica with the usual rules and sends the old master `FAILOVER TO <replica> TIMEOUT <ms>`:
// the data node pauses writes, waits for the replica to acknowledge its whole stream, and hands
// over with PSYNC FAILOVER, so the old master is the new one's replica at once. From the
// promoted replica's role:master on, the ordinary machine runs (config epoch, +switch-master,
// reconf_slaves). Every step is a state of failover.cc's machine; this file holds the steps
// that exist only for the coordinated variant. See sentinel/DESIGN.md,
// "Coordinated switchover".
#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// Upper bound of the TIMEOUT given to the data node: how long writes stay paused at worst when
// the handoff fails (the data node then resumes as master on its own).
inline constexpr Millis kHandoffTimeoutMax{5000};
// How long after the data node's own timeout the leader still waits for role:master.
inline constexpr Millis kHandoffGrace{1000};
// A repointed replica's INFO poll period until it follows the new master (Redis polls once a
// second): kRepointFastPeriod for the first kRepointFastWindow after SLAVEOF was sent (a partial
// resync takes a few round trips, and until the replicas follow, the leader's SENTINEL MASTERS
// still shows the old master, which is what redis-py reads), kHandoffInfoPeriod after that (a
// full resync of a large dataset can take minutes).
inline constexpr Millis kHandoffInfoPeriod{90};
inline constexpr Millis kRepointFastPeriod{10};
inline constexpr Millis kRepointFastWindow{1000};
// The periods above are only as fine as the 100 ms tick that sends periodic commands. So within
// kRepointFastWindow a repointed replica's INFO is also asked again as soon as the previous
// answer shows it not yet following the new master with its link up, this many times at most
// (the chain starts with the INFO sent on the reconfiguration block's reply). Without it the
// leader saw a partial resync that took 1 ms a whole tick later, and a shutdown handoff, which
// waits until every sentinel names the new master, held its clients' writes ~100 ms longer.
inline constexpr int kRepointChainedPolls = 100;
// The promoted replica's INFO poll period while a coordinated handoff runs, once the chained
// polls below are spent: the old master holds writes (a shutdown handoff even exits) until we
// see role:master, so every poll period adds to the outage clients see. Bounded by the handoff
// deadline (at most kHandoffTimeoutMax + kHandoffGrace).
inline constexpr Millis kPromotionInfoPeriod{10};

// Once the old master accepted FAILOVER, the promoted replica's INFO is asked again as soon as
// the previous answer still shows role:slave, this many times at most: the handoff takes a few
// round trips, so a poll paced by the round trip sees it almost at once, while the bound keeps
// a stuck handoff from turning into a busy loop (the tick poll above takes over).
inline constexpr int kHandoffChainedPolls = 100;

// Starts the switchover on this sentinel (new epoch, +try-failover, +coordinated-switchover) and
// asks every peer for its vote at once.
void StartCoordinatedSwitchover(CoreState& state, MasterRecord& master);

// True while votes for a coordinated switchover are being collected.
bool WantsCoordinatedVotes(const MasterRecord& master);

// False once enough peers refused the COORDINATED vote request (Redis peers answer it with an
// arity error) that no candidate can reach max(quorum, majority).
bool CoordinatedVoteWinnable(const MasterRecord& master);

// A peer's answer to a COORDINATED vote request was an error: remember the refusal and emit
// -coordinated-vote-refused with the peer's error text.
void OnCoordinatedVoteRefused(CoreState& state, MasterRecord& master, InstanceRecord& peer,
                              const std::string& error);

// send_failover: FAILOVER TO <promoted> TIMEOUT <ms> on the old master's command link.
void SendFailoverTo(CoreState& state, MasterRecord& master);

// The old master's answer to FAILOVER: an error aborts (the data node never paused).
void OnFailoverToReply(CoreState& state, MasterRecord& master, const ReplyPayload& payload);

// An INFO reply of `ri` arrived: during the handoff, asks the promoted replica again at once.
void ContinueHandoffPoll(CoreState& state, MasterRecord& master, InstanceRecord& ri);

// wait_promotion of a coordinated switchover: aborts once the handoff deadline passed.
void CheckHandoffDeadline(CoreState& state, MasterRecord& master);

// The TIMEOUT sent with FAILOVER TO for this master.
Millis HandoffTimeout(const MasterRecord& master);

}  // namespace vigil::sentinel
