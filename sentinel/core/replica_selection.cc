#include "sentinel/core/replica_selection.h"
#include "common/base/ascii_case.h"

namespace vigil::sentinel {

bool IsEligible(const ReplicaView& r, const SelectionContext& ctx) {
  if (r.down || r.disconnected) return false;
  if (r.since_valid_reply > ctx.ping_period * 5) return false;
  if (r.priority == 0) return false;
  Millis info_validity = ctx.master_sdown ? ctx.ping_period * 5 : ctx.info_period * 3;
  if (!r.info_age || *r.info_age > info_validity) return false;
  Millis max_link_down = (ctx.master_sdown ? ctx.master_down_for : Millis(0)) + ctx.down_after * 10;
  return r.master_link_down_ms <= max_link_down.count();
}

bool RanksBefore(const ReplicaView& a, const ReplicaView& b) {
  if (a.priority != b.priority) return a.priority < b.priority;
  if (a.repl_offset != b.repl_offset) return a.repl_offset > b.repl_offset;
  if (a.runid.empty() != b.runid.empty()) return !a.runid.empty();
  int cmp = CompareIgnoreCase(a.runid, b.runid);
  if (cmp != 0) return cmp < 0;
  return a.name < b.name;  // total order, so the choice never depends on map layout
}

std::optional<std::string> PickReplica(const std::vector<ReplicaView>& replicas,
                                       const SelectionContext& ctx) {
  const ReplicaView* best = nullptr;
  for (const ReplicaView& r : replicas) {
    if (!IsEligible(r, ctx)) continue;
    if (best == nullptr || RanksBefore(r, *best)) best = &r;
  }
  if (best == nullptr) return std::nullopt;
  return best->name;
}

InstanceRecord* SelectReplica(CoreState& state, MasterRecord& master) {
  SelectionContext ctx;
  ctx.master_sdown = master.instance.s_down;
  if (ctx.master_sdown && master.instance.s_down_since) {
    ctx.master_down_for = state.now - *master.instance.s_down_since;
  }
  ctx.down_after = master.config.down_after;
  ctx.ping_period = state.timers().ping_period;
  ctx.info_period = state.timers().info_period;

  std::vector<ReplicaView> views;
  views.reserve(master.replicas.size());
  for (const auto& [name, ri] : master.replicas) {
    const Link& link = state.LinkOf(ri);
    ReplicaView v;
    v.name = name;
    v.runid = ri.runid;
    v.down = ri.s_down || ri.o_down;
    v.disconnected = link.Disconnected();
    v.since_valid_reply = state.now - link.health.last_avail_time;
    if (ri.info_refresh) v.info_age = state.now - *ri.info_refresh;
    v.priority = ri.slave_priority;
    v.master_link_down_ms = ri.master_link_down_ms;
    v.repl_offset = ri.slave_repl_offset;
    views.push_back(std::move(v));
  }
  std::optional<std::string> pick = PickReplica(views, ctx);
  if (!pick) return nullptr;
  return &master.replicas.at(*pick);
}

}  // namespace vigil::sentinel
