#pragma once
// Trace: the simulator's record of what happened, one line per observable step. Its 64-bit hash
// is the determinism fingerprint of a run: the same seed must give the same hash, always.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/time/mono_time.h"

namespace vigil::sim {

class Trace {
 public:
  explicit Trace(bool print) : print_(print) {}

  void Add(MonoTime t, std::string_view who, std::string_view what) {
    std::string line = std::to_string(t.ms) + " " + std::string(who) + " " + std::string(what);
    for (unsigned char c : line) {  // FNV-1a
      hash_ ^= c;
      hash_ *= 0x100000001b3ULL;
    }
    hash_ ^= '\n';
    hash_ *= 0x100000001b3ULL;
    ++lines_;
    if (print_) std::printf("%s\n", line.c_str());
  }

  uint64_t hash() const { return hash_; }
  uint64_t lines() const { return lines_; }

 private:
  bool print_;
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  uint64_t lines_ = 0;
};

}  // namespace vigil::sim
