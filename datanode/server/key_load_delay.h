#pragma once
// `key-load-delay`, a test knob Redis has too: loading sleeps after each key so tests can watch
// a server that is still loading. A positive value sleeps that many microseconds per key, a
// negative -N sleeps one microsecond every N keys (Redis's debugDelay). While the delays run,
// the loader must still answer clients, so the knob also says when it is time to pump events.
#include <chrono>
#include <cstdint>
#include <thread>

namespace vigil::datanode {

class KeyLoadDelay {
 public:
  explicit KeyLoadDelay(int64_t setting) : setting_(setting) {}

  bool enabled() const { return setting_ != 0; }

  // Sleeps as configured after one key. True about every 50 ms of accumulated sleep: the caller
  // serves clients then, so PINGs are answered (-LOADING) however slow the load is made.
  bool AfterKey() {
    if (setting_ == 0) return false;
    ++keys_;
    if (setting_ < 0 && keys_ % -setting_ != 0) return false;
    const int64_t us = setting_ > 0 ? setting_ : 1;
    std::this_thread::sleep_for(std::chrono::microseconds(us));
    slept_us_ += us;
    if (slept_us_ < kPumpEveryUs) return false;
    slept_us_ = 0;
    return true;
  }

 private:
  static constexpr int64_t kPumpEveryUs = 50'000;
  int64_t setting_;
  int64_t keys_ = 0;
  int64_t slept_us_ = 0;
};

}  // namespace vigil::datanode
