#pragma once
// Monotonic time as the pure cores see it: milliseconds from an arbitrary origin. The shells
// read the real clock once per event and hand the value in; the simulator hands in virtual time.
#include <chrono>
#include <cstdint>

namespace vigil {

using Millis = std::chrono::milliseconds;

struct MonoTime {
  int64_t ms = 0;

  static MonoTime FromMillis(int64_t v) { return MonoTime{v}; }
  friend auto operator<=>(const MonoTime&, const MonoTime&) = default;
  MonoTime operator+(Millis d) const { return MonoTime{ms + d.count()}; }
  MonoTime operator-(Millis d) const { return MonoTime{ms - d.count()}; }
  Millis operator-(MonoTime o) const { return Millis(ms - o.ms); }
  MonoTime& operator+=(Millis d) {
    ms += d.count();
    return *this;
  }
};

}  // namespace vigil
