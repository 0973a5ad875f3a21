#pragma once
// How much work freeing a value takes, as Redis 7.0's lazyfreeGetFreeEffort measures it: a
// number proportional to the allocations to give back, computed in constant time (a stream's
// groups are estimated from the first one). Values above kLazyFreeThreshold are worth handing to
// the background free thread; below it the hand-over costs more than freeing in place.
#include <cstddef>

#include "datanode/store/entry.h"

namespace vigil::datanode {

inline constexpr size_t kLazyFreeThreshold = 64;  // LAZYFREE_THRESHOLD

// Strings and compact encodings (listpack, intset) count 1: one allocation whatever they hold.
// Hash tables, skiplists and lists count their elements; a stream counts its nodes plus, for
// every consumer group, 1 + the first group's pending entries.
size_t FreeEffort(const Entry& e);

}  // namespace vigil::datanode
