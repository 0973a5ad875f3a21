#include "datanode/service/client_pause.h"

#include <algorithm>

namespace vigil::datanode {

bool ClientPause::Pause(PausePurpose purpose, int64_t end_ms, PauseType type, int64_t now_ms) {
  Event& e = events_[size_t(purpose)];
  if (!e.active) {
    e = Event{true, type, end_ms};
  } else {
    e.type = std::max(e.type, type);
    e.end_ms = std::max(e.end_ms, end_ms);
  }
  return Recompute(now_ms);
}

bool ClientPause::Unpause(PausePurpose purpose, int64_t now_ms) {
  Event& e = events_[size_t(purpose)];
  if (!e.active) return false;
  e = Event{};
  return Recompute(now_ms);
}

bool ClientPause::Refresh(int64_t now_ms) {
  if (!paused() || end_ms_ >= now_ms) return false;
  return Recompute(now_ms);
}

bool ClientPause::Holds(bool may_write_or_replicate, bool from_replica) const {
  if (from_replica) return false;
  return type_ == PauseType::kAll || (type_ == PauseType::kWrite && may_write_or_replicate);
}

bool ClientPause::Recompute(int64_t now_ms) {
  const PauseType old = type_;
  PauseType type = PauseType::kOff;
  for (Event& e : events_) {
    if (!e.active) continue;
    // Redis ends a pause once its end is strictly in the past.
    if (e.end_ms < now_ms) {
      e = Event{};
    } else {
      type = std::max(type, e.type);
    }
  }
  int64_t end = 0;
  for (const Event& e : events_) {
    if (e.active && e.type == type) end = std::max(end, e.end_ms);
  }
  type_ = type;
  end_ms_ = end;
  return type < old;
}

}  // namespace vigil::datanode
