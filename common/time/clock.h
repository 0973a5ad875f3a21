#pragma once
// The clock seam: shells and servers take a Clock& so tests can drive time by hand.
#include <cstdint>

#include "common/time/mono_time.h"

namespace vigil {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;        // monotonic
  virtual int64_t UnixMillis() const = 0;  // wall clock, for expiry and INFO fields
};

// The process clock: CLOCK_MONOTONIC and CLOCK_REALTIME.
class SystemClock final : public Clock {
 public:
  MonoTime Now() const override;
  int64_t UnixMillis() const override;
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_ms = 1'700'000'000'000) : unix_ms_(unix_ms) {}
  MonoTime Now() const override { return now_; }
  int64_t UnixMillis() const override { return unix_ms_; }
  void Advance(Millis d) {
    now_ += d;
    unix_ms_ += d.count();
  }

 private:
  MonoTime now_{0};
  int64_t unix_ms_;
};

}  // namespace vigil
