#include "datanode/config/keyspace_event_flags.h"

#include <gtest/gtest.h>

#include "common/config/option_registry.h"
#include "datanode/config/datanode_config.h"

namespace vigil::datanode {
namespace {

TEST(KeyspaceEventFlags, ParsesEveryClassLetter) {
  EXPECT_EQ(notify::ParseFlags(""), 0);
  EXPECT_EQ(notify::ParseFlags("K"), notify::kKeyspace);
  EXPECT_EQ(notify::ParseFlags("E"), notify::kKeyevent);
  EXPECT_EQ(notify::ParseFlags("g$lshzxetmdn"),
            notify::kGeneric | notify::kString | notify::kList | notify::kSet | notify::kHash |
                notify::kZset | notify::kExpired | notify::kEvicted | notify::kStream |
                notify::kKeyMiss | notify::kModule | notify::kNew);
  EXPECT_EQ(notify::ParseFlags("A"), notify::kAll);
  EXPECT_EQ(notify::ParseFlags("AA"), notify::kAll);
}

TEST(KeyspaceEventFlags, RefusesUnknownLetters) {
  EXPECT_EQ(notify::ParseFlags("KEx!"), -1);
  EXPECT_EQ(notify::ParseFlags("a"), -1);
  EXPECT_EQ(notify::ParseFlags(" K"), -1);
}

TEST(KeyspaceEventFlags, RendersRedisCanonicalOrder) {
  EXPECT_EQ(notify::FlagsToString(0), "");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("gKE")), "gKE");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("$lshzxeKE")), "$lshzxeKE");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("KA")), "AK");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("EA")), "AE");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("mEKnt")), "tnKEm");
  // A covers every data class; `n` and `m` stay outside it, and next to A only m is shown.
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("An")), "A");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("Am")), "Am");
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("dn")), "dn");
  // Every class spelled out is A.
  EXPECT_EQ(notify::FlagsToString(notify::ParseFlags("g$lshzxetd")), "A");
}

TEST(KeyspaceEventFlags, ConfigSetAndGetUseRedisTexts) {
  DatanodeConfig c;
  config::OptionRegistry r;
  RegisterDatanodeOptions(&c, &r);
  ASSERT_TRUE(r.SetFromClient("notify-keyspace-events", "KEA").ok());
  EXPECT_EQ(c.notify_keyspace_events, notify::kAll | notify::kKeyspace | notify::kKeyevent);
  auto got = r.Get({"notify-keyspace-events"});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "AKE");
  Status st = r.SetFromClient("notify-keyspace-events", "KQ");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  EXPECT_EQ(r.Get({"notify-keyspace-events"})[0].second, "AKE");  // unchanged
  ASSERT_TRUE(r.SetFromClient("notify-keyspace-events", "").ok());
  EXPECT_EQ(r.Get({"notify-keyspace-events"})[0].second, "");
}

}  // namespace
}  // namespace vigil::datanode
