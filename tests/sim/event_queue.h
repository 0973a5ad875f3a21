#pragma once
// EventQueue: the simulator's single source of "what happens next", ordered by (time, sequence)
// so events at the same virtual millisecond run in the order they were scheduled. Together with
// the seeded generators this makes every run of a seed identical.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "common/time/mono_time.h"

namespace vigil::sim {

class EventQueue {
 public:
  using Fn = std::function<void()>;

  void At(MonoTime t, Fn fn) { heap_.push(Item{t, next_seq_++, std::move(fn)}); }

  // Runs the earliest event if it is due at or before `limit`; sets *now to its time.
  bool RunNext(MonoTime limit, MonoTime* now) {
    if (heap_.empty() || heap_.top().t > limit) return false;
    Item item = heap_.top();
    heap_.pop();
    *now = item.t;
    item.fn();
    return true;
  }

  size_t size() const { return heap_.size(); }

 private:
  struct Item {
    MonoTime t;
    uint64_t seq;
    Fn fn;
  };
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };
  std::priority_queue<Item, std::vector<Item>, Later> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace vigil::sim
