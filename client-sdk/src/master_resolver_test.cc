#include "client-sdk/src/master_resolver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace vigil::client {
namespace {

Options TestOptions() {
  Options o;
  o.sentinels = {Address{"127.0.0.1", 1}};
  o.master_name = "mym";
  return o;
}

TEST(MasterResolverTest, SwitchMasterDuringABackoffEndsThePause) {
  MasterResolver resolver(TestOptions(), [](LogLevel, const std::string&) {});
  const uint64_t seen = resolver.switch_master_events();
  std::thread sentinel([&] {
    // The event must arrive while the caller is already waiting.
    while (resolver.pausing() == 0) std::this_thread::yield();
    resolver.OnSwitchMaster(Address{"127.0.0.1", 26379}, Address{"127.0.0.1", 6380});
  });
  const auto start = std::chrono::steady_clock::now();
  resolver.PauseUnlessSwitched(seen, std::chrono::seconds(20));
  const auto waited = std::chrono::steady_clock::now() - start;
  sentinel.join();
  // Bounded far below the 20 s backoff.
  EXPECT_LT(waited, std::chrono::seconds(10));
}

TEST(MasterResolverTest, SwitchMasterBeforeThePauseBeganIsNotMissed) {
  MasterResolver resolver(TestOptions(), [](LogLevel, const std::string&) {});
  const uint64_t seen = resolver.switch_master_events();
  resolver.OnSwitchMaster(Address{"127.0.0.1", 26379}, Address{"127.0.0.1", 6380});
  const auto start = std::chrono::steady_clock::now();
  resolver.PauseUnlessSwitched(seen, std::chrono::seconds(20));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(MasterResolverTest, WithoutSwitchMasterThePauseLastsItsDelay) {
  MasterResolver resolver(TestOptions(), [](LogLevel, const std::string&) {});
  const auto start = std::chrono::steady_clock::now();
  resolver.PauseUnlessSwitched(resolver.switch_master_events(), std::chrono::milliseconds(100));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace vigil::client
