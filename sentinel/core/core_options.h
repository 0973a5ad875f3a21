#pragma once
// CoreOptions: start-up settings of a sentinel core that are not runtime state.
#include <cstddef>

#include "sentinel/core/timer_options.h"

namespace vigil::sentinel {

struct CoreOptions {
  int port = 26379;  // announced in hellos unless GlobalSettings::announce_port is set
  bool deny_scripts_reconfig = true;
  TimerOptions timers;
  // Vigil's event-driven paths (spec deviations listed in sentinel/DESIGN.md). Off gives Redis
  // 7.0 timing, which the simulator uses for comparisons.
  bool event_driven = true;
  // Vigil: the tick handles a master only when it has something due (tick_schedule.h). Off walks
  // every instance on every tick, as Redis does; the results are the same, only slower.
  bool schedule_ticks = true;
  // Bounds (house rule: everything is bounded; going over is a handled case).
  size_t max_masters = 1024;
  size_t max_replicas_per_master = 256;
  size_t max_sentinels_per_master = 128;
};

}  // namespace vigil::sentinel
