#pragma once
// MasterRecord: one monitored master with its replicas, its peer sentinels, its epochs and its
// failover progress. Maps are ordered so every walk over them is deterministic.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sentinel/core/failover_state.h"
#include "sentinel/core/instance_record.h"
#include "sentinel/core/persistent_state.h"

namespace vigil::sentinel {

// Vigil: the address a switch moved away from, until that node is seen following the new
// master. A node there that reports role:master while nothing newer than `config_epoch` is known
// for this master is stale for sure, so it is converted at once instead of after Redis's 8 s.
struct StaleMaster {
  HostPort addr;
  uint64_t config_epoch = 0;
};

struct MasterRecord {
  MasterConfig config;      // config.addr always equals instance.addr
  InstanceRecord instance;  // the master itself
  uint64_t config_epoch = 0;
  uint64_t leader_epoch = 0;  // the epoch of our latest vote for this master
  std::string leader;         // whom we voted for (empty after a reset or restart)
  std::map<std::string, InstanceRecord> replicas;   // by "ip:port"
  std::map<std::string, InstanceRecord> sentinels;  // by runid
  FailoverProgress failover;
  FailoverCounters failover_counters;
  std::optional<StaleMaster> stale_master;
  // Vigil: the old master of a coordinated switchover we led. The data node's FAILOVER made it
  // our replica without touching its config file, so once it reports following us it gets the
  // usual SLAVEOF + CONFIG REWRITE block (a no-op SLAVEOF) and survives a restart as a replica.
  std::optional<HostPort> persist_demotion;
  // Vigil: the same for the new master of that switchover. FAILOVER promoted it without touching
  // its config file, which still says `replicaof <old master>`: restarted so, it would follow its
  // own replica, a cycle with no master that no failover can repair. Once it reports role:master
  // at its new address it gets CONFIG REWRITE (alone: the block's CLIENT KILLs would cut off the
  // clients that already followed +switch-master to it).
  bool persist_promotion = false;
  // Vigil: the tick skips this master until then (tick_schedule.h); CoreState::Wake resets it.
  MonoTime next_tick_work{INT64_MIN};

  InstanceRecord* promoted_replica();
  const InstanceRecord* promoted_replica() const;
  // The address clients must use: the promoted replica's from reconf_slaves on
  // (docs/sentinel-behaviour.md, "Failover").
  const HostPort& CurrentAddress() const;
  // SENTINEL MASTER's "master looks sane" (docs/sentinel-behaviour.md, "Reactions to INFO").
  bool LooksSane(MonoTime now, Millis info_period) const;
  // Highest epoch this sentinel knows any activity for on this master.
  uint64_t NewestKnownEpoch() const;
};

// True when no SDOWN/ODOWN started within the last `window` (sentinelRedisInstanceNoDownFor).
bool NoDownFor(const InstanceRecord& ri, Millis window, MonoTime now);

}  // namespace vigil::sentinel
