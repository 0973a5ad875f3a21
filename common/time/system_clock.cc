#include <ctime>

#include "common/time/clock.h"

namespace vigil {

MonoTime SystemClock::Now() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return MonoTime{int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000};
}

int64_t SystemClock::UnixMillis() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace vigil
