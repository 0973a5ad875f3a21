#include "datanode/store/chained_table.h"

#include <atomic>

namespace vigil::datanode {
namespace {

// Written by the loop thread when a fork child starts or is reaped (and once in the child);
// relaxed is enough, readers only need to see it eventually and on the same thread in practice.
std::atomic<TableResizePolicy> g_policy{TableResizePolicy::kEnable};
// Fixed until the server sets a random one at start-up (tests keep the fixed one).
std::atomic<uint64_t> g_seed{0x9e3779b97f4a7c15ULL};

}  // namespace

TableResizePolicy CurrentTableResizePolicy() {
  return g_policy.load(std::memory_order_relaxed);
}

void SetTableResizePolicy(TableResizePolicy policy) {
  g_policy.store(policy, std::memory_order_relaxed);
}

uint64_t ProcessHashSeed() {
  return g_seed.load(std::memory_order_relaxed);
}

void SetProcessHashSeed(uint64_t seed) {
  g_seed.store(seed, std::memory_order_relaxed);
}

}  // namespace vigil::datanode
