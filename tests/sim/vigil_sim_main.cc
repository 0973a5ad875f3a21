// vigil-sim: runs the deterministic simulator over many seeds.
//
//   vigil-sim --seeds N [--seed S] [--trace]   run seeds S..S+N-1 (S defaults to 1)
//   ... --operator-failovers                    the chaos includes SENTINEL FAILOVER COORDINATED
//   ... --fencing                               nodes fence writes (timeout down-after / 2) and
//                                               writers on a client host write through sentinels
//   vigil-sim --seed S [--trace]                run one seed
//   vigil-sim --replay FILE                     run every seed listed in FILE (# comments)
//   vigil-sim --determinism K                   run K seeds twice and compare trace hashes
//   vigil-sim --measure N                       failover timing over N runs, Vigil vs Redis mode
//   vigil-sim --schedule-equivalence K          run K seeds with the tick schedule on and off
//                                               (sentinel/core/tick_schedule.h) and compare traces
//
// The last line is "seeds=<n> acked=<a> refused=<r> violations=<v>" (a, r: client writes the
// nodes executed and refused; 0 without --fencing, where masters write to themselves); the exit
// status is 0 only when v == 0. A failing seed prints itself with its violations, and replays
// identically with --seed.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tests/sim/seed_run.h"

namespace {

using vigil::sim::RunSeed;
using vigil::sim::SeedOptions;
using vigil::sim::SeedResult;

// The data nodes' replication and the client writes over a run.
struct SyncTally {
  int64_t partial = 0, full = 0, handoffs = 0;
  uint64_t acked = 0, refused = 0, fenced = 0, unarmed = 0, outside = 0, unadopted = 0, stale = 0;
  void Print() const {
    std::printf("syncs: partial=%" PRId64 " full=%" PRId64 " failover-handoffs=%" PRId64 "\n",
                partial, full, handoffs);
    if (acked + refused == 0) return;
    std::printf("writes: acked=%" PRIu64 " refused=%" PRIu64 " (fenced %" PRIu64
                "); acked after another node's promotion: unarmed fence %" PRIu64
                ", outside the proof %" PRIu64 ", promotion not adopted %" PRIu64
                ", violating %" PRIu64 "\n",
                acked, refused, fenced, unarmed, outside, unadopted, stale);
  }
} g_tally;

int Report(uint64_t seeds, uint64_t violations) {
  std::printf("seeds=%" PRIu64 " acked=%" PRIu64 " refused=%" PRIu64 " violations=%" PRIu64 "\n",
              seeds, g_tally.acked, g_tally.refused, violations);
  return violations == 0 ? 0 : 1;
}

uint64_t RunAndPrint(uint64_t seed, const SeedOptions& options) {
  SeedResult r = RunSeed(seed, options);
  g_tally.partial += r.partial_syncs;
  g_tally.full += r.full_syncs;
  g_tally.handoffs += r.failover_handoffs;
  g_tally.acked += r.writes_acked;
  g_tally.refused += r.writes_refused;
  g_tally.fenced += r.writes_fenced;
  g_tally.unarmed += r.writes_unarmed;
  g_tally.outside += r.writes_outside_proof;
  g_tally.unadopted += r.writes_unadopted;
  g_tally.stale += r.writes_stale;
  if (r.violations.empty()) return 0;
  std::printf("FAILED seed=%" PRIu64 " (%s) trace=%016" PRIx64 "\n", seed, r.shape.c_str(),
              r.trace_hash);
  for (const std::string& v : r.violations) std::printf("  %s\n", v.c_str());
  std::printf("  replay: vigil-sim --seed %" PRIu64 " --trace\n", seed);
  return r.violations.size();
}

int Replay(const char* path, const SeedOptions& options) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return 2;
  }
  uint64_t seeds = 0, violations = 0;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    line.erase(0, line.find_first_not_of(" \t"));
    if (line.empty()) continue;
    violations += RunAndPrint(std::strtoull(line.c_str(), nullptr, 10), options);
    ++seeds;
  }
  return Report(seeds, violations);
}

int Determinism(uint64_t count, const SeedOptions& options) {
  uint64_t mismatches = 0;
  for (uint64_t seed = 1; seed <= count; ++seed) {
    SeedResult a = RunSeed(seed, options);
    SeedResult b = RunSeed(seed, options);
    if (a.trace_hash != b.trace_hash || a.trace_lines != b.trace_lines) {
      std::printf("NONDETERMINISTIC seed=%" PRIu64 " %016" PRIx64 " vs %016" PRIx64 "\n", seed,
                  a.trace_hash, b.trace_hash);
      ++mismatches;
    }
  }
  return Report(count, mismatches);
}

int ScheduleEquivalence(uint64_t count, SeedOptions options) {
  uint64_t mismatches = 0;
  for (uint64_t seed = 1; seed <= count; ++seed) {
    options.schedule_ticks = true;
    SeedResult scheduled = RunSeed(seed, options);
    options.schedule_ticks = false;
    SeedResult walked = RunSeed(seed, options);
    if (scheduled.trace_hash != walked.trace_hash || scheduled.trace_lines != walked.trace_lines) {
      std::printf("SCHEDULE DIFFERS seed=%" PRIu64 " %016" PRIx64 " vs %016" PRIx64 "\n", seed,
                  scheduled.trace_hash, walked.trace_hash);
      ++mismatches;
    }
    mismatches += scheduled.violations.size();
  }
  return Report(count, mismatches);
}

void PrintPercentiles(const char* label, std::vector<int64_t> v) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))]; };
  std::printf("%s: n=%zu min=%" PRId64 " p50=%" PRId64 " p90=%" PRId64 " max=%" PRId64 " ms\n",
              label, v.size(), v.front(), at(0.5), at(0.9), v.back());
}

int Measure(uint64_t runs) {
  for (bool event_driven : {true, false}) {
    std::vector<int64_t> promote, demote;
    uint64_t failed = 0;
    for (uint64_t seed = 1; seed <= runs; ++seed) {
      vigil::sim::FailoverTiming t = vigil::sim::MeasureFailover(seed, event_driven);
      if (!t.promoted) ++failed;
      if (t.promoted) promote.push_back(t.promotion_after_kill_ms - 1000);
      if (t.old_master_demoted_after_restart_ms >= 0) {
        demote.push_back(t.old_master_demoted_after_restart_ms);
      }
    }
    std::printf("%s (down-after 1000 ms, %" PRIu64 " runs, %" PRIu64 " without promotion)\n",
                event_driven ? "vigil event-driven" : "redis 7.0 timing", runs, failed);
    PrintPercentiles("  promotion after kill minus down-after", promote);
    PrintPercentiles("  old master demoted after its restart", demote);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  SeedOptions options;
  uint64_t seeds = 0, first = 1;
  bool single = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seeds") {
      seeds = std::strtoull(next(), nullptr, 10);
    } else if (arg == "--seed") {
      first = std::strtoull(next(), nullptr, 10);
      single = true;
    } else if (arg == "--trace") {
      options.print_trace = true;
    } else if (arg == "--operator-failovers") {
      options.operator_failovers = true;
    } else if (arg == "--fencing") {
      options.fencing = true;
    } else if (arg == "--replay") {
      return Replay(next(), options);
    } else if (arg == "--determinism") {
      return Determinism(std::strtoull(next(), nullptr, 10), options);
    } else if (arg == "--schedule-equivalence") {
      return ScheduleEquivalence(std::strtoull(next(), nullptr, 10), options);
    } else if (arg == "--measure") {
      return Measure(std::strtoull(next(), nullptr, 10));
    } else {
      std::fprintf(stderr, "usage: vigil-sim --seeds N [--seed S] [--trace]\n");
      return 2;
    }
  }
  if (seeds == 0) seeds = single ? 1 : 100;
  uint64_t violations = 0;
  for (uint64_t seed = first; seed < first + seeds; ++seed)
    violations += RunAndPrint(seed, options);
  g_tally.Print();
  return Report(seeds, violations);
}
