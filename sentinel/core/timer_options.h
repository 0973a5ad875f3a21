#pragma once
// TimerOptions: every period and timeout of Redis Sentinel 7.0, with the 7.0 defaults
// (docs/sentinel-behaviour.md, "Timers and defaults").
// SENTINEL DEBUG changes them at run time; the simulator shortens them.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time/mono_time.h"

namespace vigil::sentinel {

struct TimerOptions {
  Millis ping_period{1000};
  Millis info_period{10000};
  Millis ask_period{1000};
  Millis publish_period{2000};
  Millis default_down_after{30000};
  Millis default_failover_timeout{180000};
  Millis tilt_trigger{2000};
  Millis tilt_period{30000};
  Millis slave_reconf_timeout{10000};
  Millis min_link_reconnect_period{15000};
  Millis election_timeout{10000};
  Millis script_max_runtime{60000};
  Millis script_retry_delay{30000};
  // Vigil only: how soon a peer that answered "not down" is asked again while our own SDOWN
  // holds (Redis waits ask_period). One 100 ms tick by default.
  Millis fast_ask_period{100};
};

// SENTINEL DEBUG parameter names, lower case (info-period, ping-period, ...). Returns false for an
// unknown name or a value <= 0, leaving `timers` unchanged.
bool SetTimerByName(TimerOptions* timers, std::string_view name, int64_t ms);

// The SENTINEL DEBUG listing: upper-case names in Redis's order with their values in ms.
std::vector<std::pair<std::string, int64_t>> ListTimers(const TimerOptions& timers);

// Redis constants that SENTINEL DEBUG cannot change.
inline constexpr Millis kMaxDesync{1000};
inline constexpr int kPendingCommandsPerRef = 100;
inline constexpr Millis kInfoPeriodFast{1000};
inline constexpr int kDefaultReplicaPriority = 100;
// Vigil: a node that fences (vigil-datanode's sentinel-fence-timeout F, read from its INFO) and
// reports role:master is pinged every F / kFencePingsPerTimeout (at least every
// kMinFencePingPeriod), so it sees several contacts per F; about every 300 ms for F = 1 s on the
// 100 ms tick. Every other instance keeps Redis's ping period: the faster PINGs cost CPU on both
// ends and buy nothing where nobody fences (wire-compatible either way: only more PINGs).
inline constexpr int64_t kFencePingsPerTimeout = 4;
inline constexpr Millis kMinFencePingPeriod{100};
// Vigil: when a periodic command (PING, INFO, hello) goes to a node, INFO and hello due within
// 1/kAlignSlackDivisor of their own period are sent with it (instance_monitor.cc).
inline constexpr int64_t kAlignSlackDivisor = 10;
// Vigil: a connect that failed within this time of being dialled (refused: the host is up, the
// process is not) is dialled again this long after, not a PING period after (OnLinkDown).
inline constexpr Millis kRefusedRetry{250};
// Vigil: prompt hellos (hello_protocol.h) to one instance are at least this far apart.
inline constexpr Millis kPromptHelloGap{100};
// Vigil: gap between staggered failover candidates (failover.cc, StartDelay).
inline constexpr Millis kStartStagger{250};

}  // namespace vigil::sentinel
