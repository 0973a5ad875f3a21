#pragma once
// One randomized simulation run: a world shaped by the seed (3 or 5 sentinels, 3 or 4 data nodes,
// timers, priorities), a chaos phase of seeded faults, a heal phase, and the checkers' verdict.
#include <cstdint>
#include <string>
#include <vector>

#include "common/time/mono_time.h"

namespace vigil::sim {

struct SeedOptions {
  bool print_trace = false;
  Millis chaos{20000};
  Millis heal{40000};
  // CoreOptions::schedule_ticks for every sentinel (off: Redis's walk of every instance).
  bool schedule_ticks = true;
  // The chaos also includes an operator's SENTINEL FAILOVER ... COORDINATED, so the data nodes'
  // FAILOVER handoff runs. Off by default: the fault draw of every other seed
  // (and of the regression seeds) stays as it was.
  bool operator_failovers = false;
  // The data nodes fence writes (sentinel-fence-timeout = down-after / 2, the largest value
  // datanode/DESIGN.md "Fencing" allows), writers on a client host replace the masters' own
  // writes, the client host joins the fault draws, and 5 sentinels use a quorum of 3 (a
  // majority, which the fence's guarantee needs). Off: every seed runs as it always did.
  bool fencing = false;
};

struct SeedResult {
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  uint64_t trace_lines = 0;
  std::vector<std::string> violations;
  std::string shape;  // a one-line description of the world, for reports
  // Crash-to-promotion latency minus down-after, for master crashes followed by a promotion.
  std::vector<int64_t> promotion_overhead_ms;
  // What the data nodes' replication did, summed over the nodes.
  int partial_syncs = 0;
  int full_syncs = 0;
  int failover_handoffs = 0;
  // Client writes as the nodes saw them (fencing runs): executed, refused (READONLY from a
  // replica or a fence), refused by a fence.
  uint64_t writes_acked = 0;
  uint64_t writes_refused = 0;
  uint64_t writes_fenced = 0;
  // Acknowledged by a superseded master (fence_checker.h): with an unarmed fence, outside the
  // proof's other premises, and inside them (violations).
  uint64_t writes_unarmed = 0;
  uint64_t writes_outside_proof = 0;
  uint64_t writes_unadopted = 0;  // the newer master's failover was abandoned
  uint64_t writes_stale = 0;
};

SeedResult RunSeed(uint64_t seed, const SeedOptions& options);

}  // namespace vigil::sim

namespace vigil::sim {

// A clean failover measurement: 3 sentinels (quorum 2), 3 nodes, down-after 1000 ms, the master
// killed at a random moment, then restarted 1 s after the last sentinel switched.
struct FailoverTiming {
  bool promoted = false;
  int64_t promotion_after_kill_ms = 0;               // the new master accepts writes
  int64_t old_master_demoted_after_restart_ms = -1;  // SLAVEOF <new> reached the old master
};

FailoverTiming MeasureFailover(uint64_t seed, bool event_driven);

}  // namespace vigil::sim
