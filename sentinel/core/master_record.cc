#include "sentinel/core/master_record.h"

#include <algorithm>

namespace vigil::sentinel {

InstanceRecord* MasterRecord::promoted_replica() {
  if (failover.promoted.empty()) return nullptr;
  auto it = replicas.find(failover.promoted);
  return it == replicas.end() ? nullptr : &it->second;
}

const InstanceRecord* MasterRecord::promoted_replica() const {
  if (failover.promoted.empty()) return nullptr;
  auto it = replicas.find(failover.promoted);
  return it == replicas.end() ? nullptr : &it->second;
}

const HostPort& MasterRecord::CurrentAddress() const {
  const InstanceRecord* promoted = promoted_replica();
  if (promoted != nullptr && failover.state >= FailoverState::kReconfSlaves) return promoted->addr;
  return instance.addr;
}

bool MasterRecord::LooksSane(MonoTime now, Millis info_period) const {
  return instance.role_reported == ReportedRole::kMaster && !instance.s_down && !instance.o_down &&
         instance.info_refresh.has_value() && now - *instance.info_refresh < info_period * 2;
}

uint64_t MasterRecord::NewestKnownEpoch() const {
  return std::max({config_epoch, leader_epoch, failover.epoch});
}

bool NoDownFor(const InstanceRecord& ri, Millis window, MonoTime now) {
  std::optional<MonoTime> most_recent = ri.s_down_since;
  if (ri.o_down_since && (!most_recent || *ri.o_down_since > *most_recent)) {
    most_recent = ri.o_down_since;
  }
  return !most_recent || now - *most_recent > window;
}

}  // namespace vigil::sentinel
