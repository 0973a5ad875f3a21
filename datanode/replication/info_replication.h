#pragma once
// The replication facts INFO and ROLE report, as one value, and their renderings: the INFO
// "# Replication" section with Redis 7.0.15's field names and order and the ROLE reply
// (docs/datanode-protocol.md, "INFO and ROLE"). Sentinel parses this text, so the shapes are tested
// against captures of a real 7.0 server. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/resp/reply_writer.h"
#include "datanode/replication/replication_ids.h"

namespace vigil::datanode {

struct ReplicaInfoLine {
  std::string ip;
  int64_t port = 0;
  std::string state;  // wait_bgsave | send_bulk | online
  int64_t offset = 0;
  int64_t lag = 0;
};

// Replica-only facts (role:slave).
struct MasterLinkInfo {
  std::string host;
  int64_t port = 0;
  std::string link_state = "connect";  // ROLE: none|connect|connecting|handshake|sync|connected
  bool link_up = false;
  int64_t last_io_seconds_ago = -1;  // -1 without a master client
  bool sync_in_progress = false;
  int64_t read_repl_offset = 0;
  int64_t repl_offset = 0;
  // While transferring a snapshot.
  int64_t sync_total_bytes = 0;  // 0 for EOF-format transfers
  int64_t sync_read_bytes = 0;
  int64_t sync_last_io_seconds_ago = 0;
  // While the link is not up: seconds since it went down, -1 if never up.
  int64_t link_down_since_seconds = -1;
  int64_t priority = 100;
  bool read_only = true;
  bool announced = true;
  // ROLE's last field: the replica offset, -1 without a master client.
  int64_t role_offset = -1;
};

struct ReplicationInfo {
  std::optional<MasterLinkInfo> master;  // set on replicas
  std::vector<ReplicaInfoLine> replicas;
  std::optional<int64_t> min_slaves_good_slaves;  // when min-replicas-* are both set
  std::string failover_state = "no-failover";
  ReplicationIds ids;
  int64_t master_repl_offset = 0;
  bool backlog_active = false;
  int64_t backlog_size = 1 << 20;
  int64_t backlog_first_byte_offset = 0;
  int64_t backlog_histlen = 0;
};

// The section's lines ("field:value\r\n"), without the "# Replication" header.
std::string RenderInfoReplication(const ReplicationInfo& info);
// ROLE: master → [master, offset, [[ip, port, offset]...]] (online replicas only);
// replica → [slave, host, port, state, offset].
void WriteRole(resp::ReplyWriter& w, const ReplicationInfo& info);

}  // namespace vigil::datanode
