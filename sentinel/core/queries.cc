#include "sentinel/core/queries.h"

#include <type_traits>

#include "common/base/glob.h"
#include "common/base/host_port.h"
#include "sentinel/core/admin_apply.h"
#include "sentinel/core/sentinel_core.h"

namespace vigil::sentinel {

std::string FlagsOf(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri) {
  std::vector<const char*> flags;
  const Link* link = state.links.Find(ri.link);
  bool is_master = ri.kind == InstanceKind::kMaster;
  if (ri.s_down) flags.push_back("s_down");
  if (ri.o_down) flags.push_back("o_down");
  if (is_master) flags.push_back("master");
  if (ri.kind == InstanceKind::kReplica) flags.push_back("slave");
  if (ri.kind == InstanceKind::kSentinel) flags.push_back("sentinel");
  if (link == nullptr || link->Disconnected()) flags.push_back("disconnected");
  if (ri.master_down) flags.push_back("master_down");
  if (is_master && master.failover.in_progress()) flags.push_back("failover_in_progress");
  if (ri.promoted) flags.push_back("promoted");
  if (ri.reconf_sent) flags.push_back("reconf_sent");
  if (ri.reconf_inprog) flags.push_back("reconf_inprog");
  if (ri.reconf_done) flags.push_back("reconf_done");
  if (is_master && master.failover.forced) flags.push_back("force_failover");
  if (ri.script_kill_sent) flags.push_back("script_kill_sent");
  std::string out;
  for (const char* f : flags) {
    if (!out.empty()) out += ',';
    out += f;
  }
  return out;
}

namespace {

std::string Ms(Millis d) {
  return std::to_string(d.count());
}

void AddDataNodeFields(const MasterRecord& master, const InstanceRecord& ri, MonoTime now,
                       FieldList& f) {
  f.emplace_back("info-refresh", ri.info_refresh ? Ms(now - *ri.info_refresh) : "0");
  f.emplace_back("role-reported", ri.role_reported == ReportedRole::kSlave ? "slave" : "master");
  f.emplace_back("role-reported-time", Ms(now - ri.role_reported_time));
  if (ri.kind == InstanceKind::kMaster) {
    f.emplace_back("config-epoch", std::to_string(master.config_epoch));
    f.emplace_back("num-slaves", std::to_string(master.replicas.size()));
    f.emplace_back("num-other-sentinels", std::to_string(master.sentinels.size()));
    f.emplace_back("quorum", std::to_string(master.config.quorum));
    f.emplace_back("failover-timeout", Ms(master.config.failover_timeout));
    f.emplace_back("parallel-syncs", std::to_string(master.config.parallel_syncs));
    if (!master.config.notification_script.empty()) {
      f.emplace_back("notification-script", master.config.notification_script);
    }
    if (!master.config.client_reconfig_script.empty()) {
      f.emplace_back("client-reconfig-script", master.config.client_reconfig_script);
    }
    return;
  }
  f.emplace_back("master-link-down-time", std::to_string(ri.master_link_down_ms));
  f.emplace_back("master-link-status", ri.slave_master_link_up ? "ok" : "err");
  f.emplace_back("master-host", ri.slave_master_host.empty() ? "?" : ri.slave_master_host);
  f.emplace_back("master-port", std::to_string(ri.slave_master_port));
  f.emplace_back("slave-priority", std::to_string(ri.slave_priority));
  f.emplace_back("slave-repl-offset", std::to_string(ri.slave_repl_offset));
  f.emplace_back("replica-announced", ri.replica_announced ? "1" : "0");
}

}  // namespace

FieldList DescribeFields(const CoreState& state, const MasterRecord& master,
                         const InstanceRecord& ri, MonoTime now) {
  FieldList f;
  const Link* link = state.links.Find(ri.link);
  f.emplace_back("name", ri.name);
  f.emplace_back("ip", state.AnnouncedHost(ri.addr, ri.link));
  f.emplace_back("port", std::to_string(ri.addr.port));
  f.emplace_back("runid", ri.runid);
  f.emplace_back("flags", FlagsOf(state, master, ri));
  f.emplace_back("link-pending-commands", std::to_string(link ? link->pending_commands : 0));
  f.emplace_back("link-refcount", std::to_string(link ? link->refcount : 0));
  if (ri.kind == InstanceKind::kMaster && master.failover.in_progress()) {
    f.emplace_back("failover-state", std::string(FailoverStateName(master.failover.state)));
  }
  LinkHealth health = link ? link->health : LinkHealth::Fresh(now);
  f.emplace_back("last-ping-sent", health.act_ping_time ? Ms(now - *health.act_ping_time) : "0");
  f.emplace_back("last-ok-ping-reply", Ms(now - health.last_avail_time));
  f.emplace_back("last-ping-reply", Ms(now - health.last_pong_time));
  if (ri.s_down && ri.s_down_since) f.emplace_back("s-down-time", Ms(now - *ri.s_down_since));
  if (ri.o_down && ri.o_down_since) f.emplace_back("o-down-time", Ms(now - *ri.o_down_since));
  f.emplace_back("down-after-milliseconds", Ms(master.config.down_after));
  if (ri.kind != InstanceKind::kSentinel) {
    AddDataNodeFields(master, ri, now, f);
  } else {
    f.emplace_back("last-hello-message",
                   ri.last_hello_time ? Ms(now - *ri.last_hello_time) : Ms(now - ri.created));
    f.emplace_back("voted-leader", ri.leader.empty() ? "?" : ri.leader);
    f.emplace_back("voted-leader-epoch", std::to_string(ri.leader_epoch));
  }
  return f;
}

namespace {

resp::Value ToMap(const FieldList& fields) {
  std::vector<resp::Value> out;
  out.reserve(fields.size() * 2);
  for (const auto& [k, v] : fields) {
    out.push_back(resp::Value::Bulk(k));
    out.push_back(resp::Value::Bulk(v));
  }
  return resp::Value::Array(std::move(out));
}

resp::Value NoSuchMaster() {
  return resp::Value::Error("ERR No such master with that name");
}

resp::Value InfoCache(const CoreState& state, const InfoCacheQuery& q, MonoTime now) {
  std::vector<resp::Value> out;
  for (const std::string& name : q.names) {
    auto it = state.masters.find(name);
    if (it == state.masters.end()) continue;
    const MasterRecord& master = it->second;
    auto entry = [&](const InstanceRecord& ri) {
      // Redis quirk kept: ages are measured against the master's INFO time.
      int64_t age =
          master.instance.info_refresh ? (now - *master.instance.info_refresh).count() : 0;
      return resp::Value::Array({resp::Value::Integer(age), ri.info_text.empty()
                                                                ? resp::Value::NullBulk()
                                                                : resp::Value::Bulk(ri.info_text)});
    };
    std::vector<resp::Value> infos{entry(master.instance)};
    for (const auto& [rname, replica] : master.replicas) infos.push_back(entry(replica));
    out.push_back(resp::Value::Bulk(name));
    out.push_back(resp::Value::Array(std::move(infos)));
  }
  return resp::Value::Array(std::move(out));
}

resp::Value ConfigGet(const CoreState& state, const ConfigGetQuery& q) {
  const GlobalSettings& g = state.globals;
  FieldList all = {
      {"resolve-hostnames", g.resolve_hostnames ? "yes" : "no"},
      {"announce-hostnames", g.announce_hostnames ? "yes" : "no"},
      {"announce-ip", g.announce_ip},
      {"announce-port", std::to_string(g.announce_port)},
      {"sentinel-user", g.sentinel_user},
      {"sentinel-pass", g.sentinel_pass},
  };
  FieldList matched;
  for (const auto& kv : all) {
    if (GlobMatch(q.pattern, kv.first, true)) matched.push_back(kv);
  }
  return ToMap(matched);
}

template <typename Fn>
resp::Value WithMaster(const CoreState& state, const std::string& name, Fn fn) {
  auto it = state.masters.find(name);
  return it == state.masters.end() ? NoSuchMaster() : fn(it->second);
}

}  // namespace

resp::Value AnswerQuery(const CoreState& state, const AdminQuery& query, MonoTime now) {
  return std::visit(
      [&](const auto& q) -> resp::Value {
        using T = std::decay_t<decltype(q)>;
        if constexpr (std::is_same_v<T, MastersQuery>) {
          std::vector<resp::Value> out;
          for (const auto& [name, m] : state.masters) {
            out.push_back(ToMap(DescribeFields(state, m, m.instance, now)));
          }
          return resp::Value::Array(std::move(out));
        } else if constexpr (std::is_same_v<T, MasterQuery>) {
          return WithMaster(state, q.name, [&](const MasterRecord& m) {
            return ToMap(DescribeFields(state, m, m.instance, now));
          });
        } else if constexpr (std::is_same_v<T, ReplicasQuery> ||
                             std::is_same_v<T, SentinelsQuery>) {
          return WithMaster(state, q.name, [&](const MasterRecord& m) {
            std::vector<resp::Value> out;
            const auto& table = std::is_same_v<T, ReplicasQuery> ? m.replicas : m.sentinels;
            for (const auto& [n, ri] : table) {
              if (ri.kind == InstanceKind::kReplica && !ri.replica_announced) continue;
              out.push_back(ToMap(DescribeFields(state, m, ri, now)));
            }
            return resp::Value::Array(std::move(out));
          });
        } else if constexpr (std::is_same_v<T, GetMasterAddrQuery>) {
          auto it = state.masters.find(q.name);
          if (it == state.masters.end()) return resp::Value::NullArray();
          const MasterRecord& m = it->second;
          const HostPort& addr = m.CurrentAddress();
          const InstanceRecord* promoted = m.promoted_replica();
          LinkId link = promoted != nullptr && SameAddress(promoted->addr, addr) ? promoted->link
                                                                                 : m.instance.link;
          return resp::Value::Array({resp::Value::Bulk(state.AnnouncedHost(addr, link)),
                                     resp::Value::Bulk(std::to_string(addr.port))});
        } else if constexpr (std::is_same_v<T, MyIdQuery>) {
          return resp::Value::Bulk(state.myid);
        } else if constexpr (std::is_same_v<T, InfoCacheQuery>) {
          return InfoCache(state, q, now);
        } else if constexpr (std::is_same_v<T, DebugGetQuery>) {
          std::vector<resp::Value> out;
          for (const auto& [k, v] : ListTimers(state.options.timers)) {
            out.push_back(resp::Value::Bulk(k));
            out.push_back(resp::Value::Bulk(std::to_string(v)));
          }
          return resp::Value::Array(std::move(out));
        } else if constexpr (std::is_same_v<T, ConfigGetQuery>) {
          return ConfigGet(state, q);
        } else {
          return WithMaster(state, q.name,
                            [&](const MasterRecord& m) { return CheckQuorumReply(state, m); });
        }
      },
      query);
}

resp::Value SentinelCore::Query(MonoTime now, const AdminQuery& query) const {
  return AnswerQuery(state_, query, now);
}

}  // namespace vigil::sentinel
