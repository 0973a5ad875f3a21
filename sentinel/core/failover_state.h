#pragma once
// FailoverState and FailoverProgress: where a master's failover stands on this sentinel
// (docs/sentinel-behaviour.md, "Failover"). The transitions are in failover.cc.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/time/mono_time.h"

namespace vigil::sentinel {

enum class FailoverState {
  kNone,
  kWaitStart,
  kSelectSlave,
  kSendSlaveofNoone,
  kSendFailover,  // coordinated switchover: FAILOVER TO <replica> to the old master
  kWaitPromotion,
  kReconfSlaves,
  kUpdateConfig,
};

// The names shown in the failover-state field.
std::string_view FailoverStateName(FailoverState state);

struct FailoverProgress {
  FailoverState state = FailoverState::kNone;
  MonoTime state_change_time{0};
  // Includes the random desync; nullopt means "long ago" (Redis's 0), so a failover may start.
  std::optional<MonoTime> start_time;
  uint64_t epoch = 0;    // failover_epoch: the epoch of our own attempt
  std::string promoted;  // name of the promoted replica, empty if none
  bool forced = false;   // SENTINEL FAILOVER
  // SENTINEL FAILOVER <name> COORDINATED: elected, handed over with the data node's FAILOVER.
  bool coordinated = false;
  std::set<std::string> refused_votes;  // peers that rejected the COORDINATED vote request
  MonoTime handoff_deadline{0};         // wait_promotion of a coordinated switchover ends here
  int handoff_polls_left = 0;           // back-to-back INFO polls of the promoted replica left
  bool in_progress() const { return state != FailoverState::kNone; }
};

// Failovers of one master this sentinel started (+try-failover), led to the end (+failover-end,
// +failover-end-for-timeout) and aborted (-failover-abort-*, -coordinated-abort-*), for the
// metrics endpoint.
struct FailoverCounters {
  uint64_t started = 0;
  uint64_t succeeded = 0;
  uint64_t aborted = 0;
  int64_t last_duration_ms = -1;  // of the last one started by +try-failover and ended
  MonoTime last_start{0};
  bool timing = false;  // a +try-failover is being timed

  void Started(MonoTime now) {
    ++started;
    last_start = now;
    timing = true;
  }
  void Succeeded(MonoTime now) {
    ++succeeded;
    if (timing) last_duration_ms = (now - last_start).count();
    timing = false;
  }
  void Aborted() {
    ++aborted;
    timing = false;
  }
};

}  // namespace vigil::sentinel
