#pragma once
// TiltDetector: Redis's protection against time jumps and long pauses (docs/sentinel-behaviour.md,
// "TILT"). A tick that arrives more than tilt-trigger after the previous one (or before it)
// suspends the acting half of the sentinel for tilt-period, because every timer it would act on is
// then untrustworthy.
#include <optional>

#include "common/time/mono_time.h"

namespace vigil::sentinel {

class TiltDetector {
 public:
  // Call once per tick. Returns true when this tick enters TILT or restarts its period.
  bool OnTick(MonoTime now, Millis trigger);
  // Call before acting. Returns true when TILT ends now (tilt-period passed since the trigger).
  bool MaybeExit(MonoTime now, Millis period);

  bool active() const { return active_; }
  MonoTime since() const { return start_; }

 private:
  std::optional<MonoTime> previous_tick_;
  bool active_ = false;
  MonoTime start_{0};
};

}  // namespace vigil::sentinel
