// The INFO contract between the two servers: what vigil-datanode renders is what vigil-sentinel
// reads. Each side is also checked against captures of real Redis on its own; this test closes
// the loop, so a field renamed or reordered on one side cannot drift from the other unnoticed.
#include <gtest/gtest.h>

#include "datanode/replication/info_replication.h"
#include "sentinel/core/info_parser.h"
#include "tests/support/service_harness.h"

namespace vigil {
namespace {

std::string BulkBody(const std::string& raw) {
  // "$<len>\r\n<body>\r\n" → body
  size_t start = raw.find("\r\n");
  return raw.substr(start + 2, raw.size() - start - 4);
}

TEST(InfoContractTest, SentinelReadsTheDataNodesRunIdAndMasterRole) {
  testing::ServiceHarness h;
  sentinel::InfoReport r = sentinel::ParseInfo(BulkBody(h.Raw({"INFO"})));
  ASSERT_TRUE(r.run_id.has_value());
  EXPECT_EQ(r.run_id->size(), 40u);
  EXPECT_EQ(r.role, sentinel::ReportedRole::kMaster);
  EXPECT_TRUE(r.replicas.empty());
  EXPECT_FALSE(r.fence_timeout_ms.has_value());  // only while sentinel-fence-timeout is on
}

TEST(InfoContractTest, SentinelReadsTheFenceTimeoutWhileTheFenceIsOn) {
  testing::ServiceHarness h;
  ASSERT_EQ(h.Raw({"CONFIG", "SET", "sentinel-fence-timeout", "2500"}), "+OK\r\n");
  sentinel::InfoReport r = sentinel::ParseInfo(BulkBody(h.Raw({"INFO", "replication"})));
  EXPECT_EQ(r.fence_timeout_ms, 2500);
}

TEST(InfoContractTest, SentinelReadsEveryReplicaAMasterLists) {
  datanode::ReplicationInfo info;
  info.replicas.push_back({"127.0.0.1", 7001, "online", 1234, 0});
  info.replicas.push_back({"::1", 7002, "wait_bgsave", 0, 3});
  sentinel::InfoReport r =
      sentinel::ParseInfo("# Replication\r\n" + datanode::RenderInfoReplication(info));
  EXPECT_EQ(r.role, sentinel::ReportedRole::kMaster);
  ASSERT_EQ(r.replicas.size(), 2u);
  EXPECT_EQ(r.replicas[0], (HostPort{"127.0.0.1", 7001}));
  EXPECT_EQ(r.replicas[1], (HostPort{"::1", 7002}));
}

TEST(InfoContractTest, SentinelReadsAReplicasLinkPriorityOffsetAndAnnouncement) {
  datanode::ReplicationInfo info;
  datanode::MasterLinkInfo link;
  link.host = "127.0.0.1";
  link.port = 7000;
  link.link_up = true;
  link.last_io_seconds_ago = 1;
  link.repl_offset = 98765;
  link.priority = 42;
  link.announced = false;
  info.master = link;
  sentinel::InfoReport up =
      sentinel::ParseInfo("# Replication\r\n" + datanode::RenderInfoReplication(info));
  EXPECT_EQ(up.role, sentinel::ReportedRole::kSlave);
  EXPECT_EQ(up.master_host, "127.0.0.1");
  EXPECT_EQ(up.master_port, 7000);
  EXPECT_TRUE(up.master_link_up);
  EXPECT_EQ(up.slave_priority, 42);
  EXPECT_EQ(up.slave_repl_offset, 98765);
  EXPECT_EQ(up.replica_announced, false);
  EXPECT_EQ(up.master_link_down_ms, 0);

  info.master->link_up = false;
  info.master->link_down_since_seconds = 7;
  sentinel::InfoReport down =
      sentinel::ParseInfo("# Replication\r\n" + datanode::RenderInfoReplication(info));
  EXPECT_FALSE(down.master_link_up);
  EXPECT_EQ(down.master_link_down_ms, 7000);
}

}  // namespace
}  // namespace vigil
