#include <sys/random.h>

#include <ctime>

#include "common/random/prng.h"

namespace vigil {

uint64_t OsRandomSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = uint64_t(ts.tv_nsec) ^ (uint64_t(ts.tv_sec) << 32);
  }
  return seed;
}

}  // namespace vigil
