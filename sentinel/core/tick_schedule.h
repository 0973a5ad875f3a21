#pragma once
// When the 100 ms tick next has work for a master. Redis walks every instance of every master on
// every tick; with 1,000 masters that walk (link lookups, period checks, peer asks) was most of
// the sentinel's own CPU although almost every call did nothing. The tick now handles a master
// only once `MasterRecord::next_tick_work` has come, and recomputes it afterwards.
//
// The rule that keeps this exact: NextTickWork returns a time no later than the first tick at
// which handling the master could change anything (send, connect, close, emit, or a timed
// change of state), assuming no input arrives; inputs either register the deadline they create
// (NoteDeadline: PING and hello replies) or wake the master, as do cross-master effects
// (CoreState::Wake*), so the next tick handles it as before. A master that is anything but
// quiet (a link down or connecting, SDOWN/ODOWN, a failover, TILT) is handled on every tick.
// `CoreOptions::schedule_ticks = false` walks everything, as Redis does; the simulator checks
// that both give the same trace (vigil-sim --schedule-equivalence).
#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

MonoTime NextTickWork(const CoreState& state, const MasterRecord& master);

// When ri's next PING is due (its command connection up); the first tick after it sends it.
MonoTime PingDue(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri);
// When ri's next hello is due; `now` while none was published yet or one failed.
MonoTime HelloDue(const CoreState& state, const InstanceRecord& ri);

// An input created a deadline for `master` at `at`: the tick must not skip past it.
inline void NoteDeadline(MasterRecord& master, MonoTime at) {
  if (at < master.next_tick_work) master.next_tick_work = at;
}

}  // namespace vigil::sentinel
