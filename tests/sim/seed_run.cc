#include "tests/sim/seed_run.h"

#include <algorithm>

#include "tests/sim/world.h"

namespace vigil::sim {

namespace {

constexpr const char* kMasterName = "mymaster";

struct Shape {
  int sentinels = 3;
  int quorum = 2;
  int nodes = 3;
  Millis down_after{1000};
  Millis failover_timeout{3000};
  int parallel_syncs = 1;
  bool priority_zero = false;
};

Shape DrawShape(Prng& prng) {
  Shape s;
  s.sentinels = prng.Uniform(4) == 0 ? 5 : 3;
  s.quorum = s.sentinels == 5 ? 2 + static_cast<int>(prng.Uniform(2)) : 2;
  s.nodes = 3 + static_cast<int>(prng.Uniform(2));
  s.down_after = Millis(prng.Uniform(2) == 0 ? 1000 : 2000);
  s.failover_timeout = Millis(prng.Uniform(2) == 0 ? 3000 : 5000);
  s.parallel_syncs = 1 + static_cast<int>(prng.Uniform(2));
  s.priority_zero = prng.Uniform(4) == 0;
  return s;
}

WorldOptions MakeWorldOptions(uint64_t seed, Prng& prng, bool print) {
  WorldOptions o;
  o.seed = seed;
  o.print_trace = print;
  o.network.min_latency = Millis(0);
  o.network.max_latency = Millis(1 + static_cast<int64_t>(prng.Uniform(4)));
  o.network.spike_probability = prng.Uniform(2) == 0 ? 0.0 : 0.01;
  o.network.spike_latency = Millis(150);
  o.network.cut_probability = prng.Uniform(2) == 0 ? 0.0 : 0.0005;
  // Shorter TILT so a pause late in the chaos phase cannot outlast the heal phase.
  o.core.timers.tilt_period = Millis(5000);
  return o;
}

std::vector<std::string> AllHosts(World& w) {
  std::vector<std::string> hosts;
  for (auto& n : w.nodes()) hosts.push_back(n->addr.host);
  for (auto& s : w.sentinels()) hosts.push_back(s->addr.host);
  if (w.clients() != nullptr) hosts.push_back(kClientHost);
  return hosts;
}

int CurrentMasterNode(World& w) {
  for (auto& n : w.nodes()) {
    if (n->up() && n->is_master()) return n->index;
  }
  return -1;
}

// One fault, chosen and timed by the world's generator. Restarts are scheduled, not awaited.
void InjectFault(World& w, bool operator_failovers, std::vector<int64_t>* crash_times) {
  Prng& p = w.prng();
  int nodes = static_cast<int>(w.nodes().size());
  int sentinels = static_cast<int>(w.sentinels().size());
  Millis later(500 + static_cast<int64_t>(p.Uniform(6000)));
  switch (p.Uniform(operator_failovers ? 12 : 10)) {
    case 0:
    case 1: {  // crash the current master, usually bring it back later
      int m = CurrentMasterNode(w);
      if (m < 0) return;
      w.CrashNode(m);
      crash_times->push_back(w.now().ms);
      if (p.Uniform(3) != 0) w.Schedule(w.now() + later, [&w, m] { w.RestartNode(m); });
      return;
    }
    case 2: {
      int i = static_cast<int>(p.Uniform(nodes));
      if (!w.nodes()[i]->up()) return;
      w.CrashNode(i);
      w.Schedule(w.now() + later, [&w, i] { w.RestartNode(i); });
      return;
    }
    case 3: {  // symmetric partition into two random groups
      std::vector<std::vector<std::string>> groups(2);
      for (const std::string& h : AllHosts(w)) groups[p.Uniform(2)].push_back(h);
      w.Partition(groups);
      w.Schedule(w.now() + later, [&w] { w.Heal(); });
      return;
    }
    case 4: {  // asymmetric: one direction between two hosts
      std::vector<std::string> hosts = AllHosts(w);
      std::string a = hosts[p.Uniform(hosts.size())], b = hosts[p.Uniform(hosts.size())];
      if (a != b) w.Block(a, b);
      return;
    }
    case 5: {
      int i = static_cast<int>(p.Uniform(sentinels));
      if (!w.sentinels()[i]->up()) return;
      w.CrashSentinel(i);
      w.Schedule(w.now() + later, [&w, i] { w.RestartSentinel(i); });
      return;
    }
    case 6: {  // a pause long enough for TILT
      int i = static_cast<int>(p.Uniform(sentinels));
      if (!w.sentinels()[i]->up() || w.sentinels()[i]->paused()) return;
      w.PauseSentinel(i, true);
      Millis pause(2100 + static_cast<int64_t>(p.Uniform(2500)));
      w.Schedule(w.now() + pause, [&w, i] { w.PauseSentinel(i, false); });
      return;
    }
    case 7: {
      int i = static_cast<int>(p.Uniform(nodes));
      if (!w.nodes()[i]->up() || w.nodes()[i]->paused()) return;
      w.PauseNode(i, true);
      Millis pause(500 + static_cast<int64_t>(p.Uniform(3000)));
      w.Schedule(w.now() + pause, [&w, i] { w.PauseNode(i, false); });
      return;
    }
    case 10:
    case 11: {
      // An operator's SENTINEL FAILOVER ... COORDINATED. The plain form is left out on purpose:
      // as in Redis it takes a new epoch without asking for votes, so a sentinel on the minority
      // side of a partition and an elected leader on the majority side can both lead the same
      // epoch, which the election checker rightly reports.
      int i = static_cast<int>(p.Uniform(sentinels));
      if (!w.sentinels()[i]->up()) return;
      w.trace().Add(w.now(), w.sentinels()[i]->name, "operator: SENTINEL FAILOVER COORDINATED");
      (void)w.sentinels()[i]->Admin({"failover", kMasterName, "coordinated"});
      return;
    }
    case 8:
    case 9:
    default: {
      std::vector<std::string> hosts = AllHosts(w);
      w.CutConnections(hosts[p.Uniform(hosts.size())]);
      return;
    }
  }
}

void HealEverything(World& w) {
  w.Heal();
  for (auto& n : w.nodes()) {
    if (!n->up()) w.RestartNode(n->index);
    if (n->paused()) w.PauseNode(n->index, false);
  }
  for (auto& s : w.sentinels()) {
    if (!s->up()) w.RestartSentinel(s->index);
    if (s->paused()) w.PauseSentinel(s->index, false);
  }
}

}  // namespace

SeedResult RunSeed(uint64_t seed, const SeedOptions& options) {
  Prng shape_prng(seed ^ 0x5eed5eed5eedULL);
  Shape shape = DrawShape(shape_prng);
  WorldOptions world_options = MakeWorldOptions(seed, shape_prng, options.print_trace);
  world_options.core.schedule_ticks = options.schedule_ticks;
  if (options.fencing) {
    world_options.fence_timeout = shape.down_after / 2;
    world_options.writers = 2;
    shape.quorum = std::max(shape.quorum, shape.sentinels / 2 + 1);
  }
  World w(world_options);
  int master = w.AddNode(-1);
  for (int i = 1; i < shape.nodes; ++i) {
    w.AddNode(master, shape.priority_zero && i == 1 ? 0 : 100 - i);
  }
  w.AddSentinels(shape.sentinels, kMasterName, master, shape.quorum, shape.down_after,
                 shape.failover_timeout, shape.parallel_syncs);

  SeedResult result;
  result.seed = seed;
  result.shape =
      std::to_string(shape.sentinels) + " sentinels quorum " + std::to_string(shape.quorum) + ", " +
      std::to_string(shape.nodes) + " nodes, down-after " +
      std::to_string(shape.down_after.count()) + " failover-timeout " +
      std::to_string(shape.failover_timeout.count()) +
      (options.fencing ? " fence-timeout " + std::to_string(world_options.fence_timeout.count())
                       : std::string());

  w.RunFor(Millis(5000));  // discovery: replicas from INFO, sentinels from hellos
  std::vector<int64_t> crash_times;
  MonoTime chaos_end = w.now() + options.chaos;
  while (w.now() < chaos_end) {
    w.RunFor(Millis(1000 + static_cast<int64_t>(w.prng().Uniform(5000))));
    if (w.now() < chaos_end) InjectFault(w, options.operator_failovers, &crash_times);
  }
  HealEverything(w);
  w.RunFor(options.heal);
  w.checkers().CheckConverged(w, kMasterName);

  result.trace_hash = w.trace().hash();
  result.trace_lines = w.trace().lines();
  result.violations = w.checkers().violations();
  for (auto& n : w.nodes()) {
    result.partial_syncs += n->partial_syncs();
    result.full_syncs += n->full_syncs();
    result.failover_handoffs += n->failover_handoffs();
  }
  const Checkers& c = w.checkers();
  result.writes_acked = c.writes_acked();
  result.writes_refused = c.writes_refused();
  result.writes_fenced = c.writes_fenced();
  result.writes_unarmed = c.writes_unarmed();
  result.writes_outside_proof = c.writes_outside_proof();
  result.writes_unadopted = c.writes_unadopted();
  result.writes_stale = c.writes_stale();
  return result;
}

}  // namespace vigil::sim

namespace vigil::sim {

FailoverTiming MeasureFailover(uint64_t seed, bool event_driven) {
  Prng p(seed);
  WorldOptions o;
  o.seed = seed;
  o.network.max_latency = Millis(1);
  o.core.event_driven = event_driven;
  World w(o);
  int master = w.AddNode(-1);
  w.AddNode(master, 100);
  w.AddNode(master, 100);
  w.AddSentinels(3, kMasterName, master, 2, Millis(1000), Millis(5000));
  w.RunFor(Millis(12000 + static_cast<int64_t>(p.Uniform(1000))));
  MonoTime kill = w.now();
  w.CrashNode(master);
  FailoverTiming t;
  MonoTime deadline = kill + Millis(20000);
  while (w.now() < deadline) {
    w.RunFor(Millis(10));
    bool all_switched = true;
    for (auto& s : w.sentinels()) {
      all_switched &= !(s->core()->FindMaster(kMasterName)->instance.addr == w.nodes()[0]->addr);
    }
    if (all_switched) break;
  }
  for (auto& n : w.nodes()) {
    if (n->promoted_at() && *n->promoted_at() > kill) {
      t.promoted = true;
      t.promotion_after_kill_ms = (*n->promoted_at() - kill).count();
    }
  }
  w.RunFor(Millis(1000));
  MonoTime restart = w.now();
  w.RestartNode(master);
  SimDataNode& old = *w.nodes()[master];
  while (w.now() < restart + Millis(30000) && old.is_master()) w.RunFor(Millis(10));
  if (!old.is_master()) t.old_master_demoted_after_restart_ms = (w.now() - restart).count();
  return t;
}

}  // namespace vigil::sim
