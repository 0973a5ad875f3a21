#pragma once
// ODOWN (docs/sentinel-behaviour.md, "ODOWN and is-master-down-by-addr"): gathering peers' opinions
// with is-master-down-by-addr, keeping them only while fresh, and deciding that enough sentinels
// agree the master is down. Also the answering side of the same command.
#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

struct OdownTally {
  int agreeing = 0;  // this sentinel plus peers whose fresh answer said "down"
  int quorum = 0;
  bool reached() const { return agreeing >= quorum; }
};

// Pure: counts agreement for a master this sentinel sees as SDOWN. Only answers younger than
// `validity` count (Redis expires them in the ask step, which runs after its ODOWN check and not
// at all in TILT, so a stale "down" could count).
OdownTally TallyOdown(const MasterRecord& master, MonoTime now, Millis validity);

// Sets or clears ODOWN with +odown / -odown.
void CheckObjectivelyDown(CoreState& state, MasterRecord& master);

enum class AskMode { kPeriodic, kForced };

// Expires stale peer answers, then (while the master is SDOWN) asks connected peers. Periodic
// asks wait ask-period since the last answer; Vigil re-asks a peer that has not agreed yet after
// fast-ask-period during the first moments of SDOWN.
void AskOtherSentinels(CoreState& state, MasterRecord& master, AskMode mode);

// Stores a peer's answer: its down opinion and, when not "*", its vote.
void OnIsMasterDownReply(CoreState& state, const MasterRecord& master, InstanceRecord& peer,
                         const HostPort& asked, const ReplyPayload& payload);

// Answers a peer's SENTINEL is-master-down-by-addr, voting when asked to.
resp::Value AnswerIsMasterDownByAddr(CoreState& state, const VoteRequestArgs& args);

}  // namespace vigil::sentinel
