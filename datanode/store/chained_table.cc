#include "datanode/store/chained_table.h"

#include <atomic>
#include <random>

namespace vigil::datanode {
namespace {

// Written by the loop thread when a fork child starts or is reaped (and once in the child);
// relaxed is enough, readers only need to see it eventually and on the same thread in practice.
std::atomic<TableResizePolicy> g_policy{TableResizePolicy::kEnable};

}  // namespace

TableResizePolicy CurrentTableResizePolicy() {
  return g_policy.load(std::memory_order_relaxed);
}

void SetTableResizePolicy(TableResizePolicy policy) {
  g_policy.store(policy, std::memory_order_relaxed);
}

uint64_t ProcessHashSeed() {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (uint64_t(rd()) << 32) ^ uint64_t(rd());
  }();
  return seed;
}

}  // namespace vigil::datanode
