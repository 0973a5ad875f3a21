#pragma once
// InstanceRecord: what one sentinel knows about one monitored master, replica or peer sentinel
// (Redis's sentinelRedisInstance minus the link, which lives in the LinkTable). Plain data; the
// rules that change it live in the modules named in sentinel/DESIGN.md.
#include <cstdint>
#include <optional>
#include <string>

#include "common/base/host_port.h"
#include "common/time/mono_time.h"
#include "sentinel/core/info_parser.h"
#include "sentinel/core/link_health.h"
#include "sentinel/core/timer_options.h"

namespace vigil::sentinel {

enum class InstanceKind { kMaster, kReplica, kSentinel };

struct InstanceRecord {
  InstanceKind kind = InstanceKind::kMaster;
  std::string name;  // master name, "ip:port" for a replica, runid for a sentinel
  HostPort addr;
  std::string runid;  // empty until INFO (data nodes) or the hello (sentinels) tells
  LinkId link = 0;
  MonoTime created{0};

  // Down states. s_down_since is kept after -sdown on purpose (docs/sentinel-behaviour.md,
  // "SDOWN").
  bool s_down = false;
  std::optional<MonoTime> s_down_since;
  bool o_down = false;
  std::optional<MonoTime> o_down_since;
  bool script_kill_sent = false;

  // Hello publishing towards this instance.
  std::optional<MonoTime> last_pub_time;
  bool hello_pending = false;
  std::optional<MonoTime> last_hello_sent;  // Vigil: rate of prompt hellos

  // Masters and replicas: INFO.
  std::optional<MonoTime> info_refresh;  // time of the last INFO reply
  bool info_pending = false;
  std::string info_text;  // cached for SENTINEL INFO-CACHE
  ReportedRole role_reported = ReportedRole::kMaster;
  MonoTime role_reported_time{0};
  MonoTime slave_conf_change_time{0};
  // Last convert-to-slave / fix-slave-config block: Vigil re-checks right after the reply, so
  // a node that accepts SLAVEOF but keeps claiming otherwise must not be hammered.
  std::optional<MonoTime> last_correction_time;
  // Vigil: the node's sentinel-fence-timeout from its INFO (0: it does not fence, as with
  // redis-server). While it reports role:master it is pinged often enough to keep its fence down.
  Millis fence_timeout{0};
  bool reboot = false;  // master-reboot-down-after-period bookkeeping
  MonoTime reboot_since{0};

  // Replicas.
  int64_t master_link_down_ms = 0;
  std::string slave_master_host;  // empty: unknown ("?")
  int slave_master_port = 0;
  bool slave_master_link_up = false;
  int slave_priority = kDefaultReplicaPriority;
  int64_t slave_repl_offset = 0;
  bool replica_announced = true;
  bool promoted = false;
  bool reconf_sent = false;
  bool reconf_inprog = false;
  bool reconf_done = false;
  MonoTime slave_reconf_sent_time{0};
  int repoint_polls_left = 0;  // back-to-back INFO polls left while it is being repointed

  // Peer sentinels.
  bool master_down = false;  // its last is-master-down-by-addr answer said 1
  MonoTime last_master_down_reply_time{0};
  std::string leader;  // whom it voted for (empty: none recorded)
  uint64_t leader_epoch = 0;
  std::optional<MonoTime> last_hello_time;
  bool ask_pending = false;
};

}  // namespace vigil::sentinel
