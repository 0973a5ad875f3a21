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
