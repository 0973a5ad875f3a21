#include "sentinel/core/tilt.h"

namespace vigil::sentinel {

bool TiltDetector::OnTick(MonoTime now, Millis trigger) {
  bool triggered = false;
  if (previous_tick_) {
    Millis delta = now - *previous_tick_;
    if (delta < Millis(0) || delta > trigger) {
      active_ = true;
      start_ = now;
      triggered = true;
    }
  }
  previous_tick_ = now;
  return triggered;
}

bool TiltDetector::MaybeExit(MonoTime now, Millis period) {
  if (!active_ || now - start_ < period) return false;
  active_ = false;
  return true;
}

}  // namespace vigil::sentinel
