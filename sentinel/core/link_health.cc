#include "sentinel/core/link_health.h"

#include <algorithm>

namespace vigil::sentinel {

LinkHealth LinkHealth::Fresh(MonoTime now) {
  LinkHealth h;
  h.act_ping_time = now;
  h.last_pong_time = now;
  h.last_avail_time = now;
  return h;
}

void LinkHealth::OnPingSent(MonoTime now) {
  last_ping_time = now;
  if (!act_ping_time) act_ping_time = now;
}

bool IsValidPingReply(std::string_view text) {
  return text.starts_with("PONG") || text.starts_with("LOADING") || text.starts_with("MASTERDOWN");
}

bool LinkHealth::OnPingReply(std::string_view text, MonoTime now) {
  last_pong_time = now;
  if (!IsValidPingReply(text)) return false;
  last_avail_time = now;
  act_ping_time.reset();
  return true;
}

void LinkHealth::OnCommandConnectionLost(MonoTime now) {
  if (!act_ping_time) act_ping_time = now;
}

Millis LinkHealth::Unresponsive(bool disconnected, MonoTime now, Millis fast_ping_period) const {
  if (act_ping_time) {
    const Millis since_ping = now - *act_ping_time;
    if (fast_ping_period <= Millis(0)) return since_ping;
    return std::max(since_ping, std::min(now - last_avail_time, since_ping + fast_ping_period));
  }
  if (disconnected) return now - last_avail_time;
  return Millis(0);
}

std::optional<MonoTime> LinkHealth::DownAt(bool disconnected, Millis down_after,
                                           Millis fast_ping_period) const {
  const Millis just_over = down_after + Millis(1);
  if (act_ping_time && fast_ping_period > Millis(0)) {
    return std::max(last_avail_time + just_over, *act_ping_time + just_over - fast_ping_period);
  }
  if (act_ping_time) return *act_ping_time + just_over;
  if (disconnected) return last_avail_time + just_over;
  return std::nullopt;
}

}  // namespace vigil::sentinel
