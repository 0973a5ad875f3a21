#pragma once
// A small seeded generator (xoshiro256**). No global instance: every user owns one, seeded from
// the OS once in production and from the run seed in the simulator, so runs replay exactly.
#include <cstdint>
#include <string>

namespace vigil {

class Prng {
 public:
  explicit Prng(uint64_t seed) {
    // splitmix64 spreads a small seed over the whole state.
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound). Requires bound > 0.
  uint64_t Uniform(uint64_t bound) { return Next() % bound; }

  // 40 lowercase hex characters: the shape of Redis run ids and replication ids.
  std::string HexId40() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(40, '0');
    for (auto& c : id) c = kHex[Next() & 15];
    return id;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// 64 bits from the OS, for seeding production generators once at start-up.
uint64_t OsRandomSeed();

}  // namespace vigil
