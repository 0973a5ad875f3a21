#include "sentinel/core/tilt.h"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(TiltTest, LateTickEntersAndPeriodEnds) {
  TiltDetector tilt;
  EXPECT_FALSE(tilt.OnTick(MonoTime{0}, Millis(2000)));
  EXPECT_FALSE(tilt.OnTick(MonoTime{100}, Millis(2000)));
  EXPECT_FALSE(tilt.active());
  EXPECT_TRUE(tilt.OnTick(MonoTime{2600}, Millis(2000)));  // a 2.5 s pause
  EXPECT_TRUE(tilt.active());
  EXPECT_FALSE(tilt.MaybeExit(MonoTime{32000}, Millis(30000)));
  EXPECT_TRUE(tilt.MaybeExit(MonoTime{32600}, Millis(30000)));
  EXPECT_FALSE(tilt.active());
}

TEST(TiltTest, BackwardsTimeAndRetriggerRestartThePeriod) {
  TiltDetector tilt;
  tilt.OnTick(MonoTime{5000}, Millis(2000));
  EXPECT_TRUE(tilt.OnTick(MonoTime{4000}, Millis(2000)));
  EXPECT_TRUE(tilt.OnTick(MonoTime{7000}, Millis(2000)));
  EXPECT_EQ(tilt.since(), MonoTime{7000});
  EXPECT_FALSE(tilt.MaybeExit(MonoTime{36000}, Millis(30000)));
}

}  // namespace
}  // namespace vigil::sentinel
