#include "sentinel/core/timer_options.h"

#include "common/base/ascii_case.h"
#include "common/base/host_port.h"

namespace vigil::sentinel {

namespace {

struct TimerField {
  const char* name;
  Millis TimerOptions::*field;
};

constexpr TimerField kTimerFields[] = {
    {"info-period", &TimerOptions::info_period},
    {"ping-period", &TimerOptions::ping_period},
    {"ask-period", &TimerOptions::ask_period},
    {"publish-period", &TimerOptions::publish_period},
    {"default-down-after", &TimerOptions::default_down_after},
    {"default-failover-timeout", &TimerOptions::default_failover_timeout},
    {"tilt-trigger", &TimerOptions::tilt_trigger},
    {"tilt-period", &TimerOptions::tilt_period},
    {"slave-reconf-timeout", &TimerOptions::slave_reconf_timeout},
    {"min-link-reconnect-period", &TimerOptions::min_link_reconnect_period},
    {"election-timeout", &TimerOptions::election_timeout},
    {"script-max-runtime", &TimerOptions::script_max_runtime},
    {"script-retry-delay", &TimerOptions::script_retry_delay},
};

}  // namespace

bool SetTimerByName(TimerOptions* timers, std::string_view name, int64_t ms) {
  if (ms <= 0) return false;
  for (const auto& f : kTimerFields) {
    if (EqualsIgnoreCase(name, f.name)) {
      timers->*(f.field) = Millis(ms);
      return true;
    }
  }
  return false;
}

std::vector<std::pair<std::string, int64_t>> ListTimers(const TimerOptions& timers) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& f : kTimerFields) {
    std::string upper(f.name);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    out.emplace_back(upper, (timers.*(f.field)).count());
  }
  return out;
}

}  // namespace vigil::sentinel
