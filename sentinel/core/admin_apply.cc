#include "sentinel/core/admin_apply.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <type_traits>

#include "common/base/ascii_case.h"
#include "common/base/decimal.h"
#include "common/base/glob.h"
#include "sentinel/core/coordinated_switchover.h"
#include "sentinel/core/failover.h"
#include "sentinel/core/instance_registry.h"
#include "sentinel/core/odown.h"
#include "sentinel/core/replica_selection.h"

namespace vigil::sentinel {

namespace {

resp::Value Ok() {
  return resp::Value::Simple("OK");
}
resp::Value NoSuchMaster() {
  return resp::Value::Error("ERR No such master with that name");
}

resp::Value Monitor(CoreState& state, const MonitorRequest& r) {
  if (r.quorum <= 0) return resp::Value::Error("ERR Quorum must be 1 or greater.");
  if (!state.globals.resolve_hostnames && !IsIpLiteral(r.addr.host)) {
    return resp::Value::Error("ERR Invalid IP address or hostname specified");
  }
  if (state.masters.count(r.name) > 0) return resp::Value::Error("ERR Duplicate master name.");
  if (state.masters.size() >= state.options.max_masters) {
    return resp::Value::Error("ERR Too many monitored masters.");
  }
  MasterConfig config;
  config.name = r.name;
  config.addr = r.addr;
  config.quorum = r.quorum;
  config.down_after = state.timers().default_down_after;
  config.failover_timeout = state.timers().default_failover_timeout;
  MasterRecord& master = CreateMaster(state, config);
  state.MarkDirty();
  state.EmitFor(EventLevel::kWarning, "+monitor", master, master.instance,
                "quorum " + std::to_string(r.quorum));
  return Ok();
}

resp::Value Remove(CoreState& state, const RemoveRequest& r) {
  MasterRecord* master = state.FindMaster(r.name);
  if (master == nullptr) return NoSuchMaster();
  state.EmitFor(EventLevel::kWarning, "-monitor", *master, master->instance);
  DestroyMaster(state, r.name);
  state.MarkDirty();
  return Ok();
}

void DropDataNodeConnections(CoreState& state, MasterRecord& master) {
  auto drop = [&](InstanceRecord& ri) {
    Link& link = state.LinkOf(ri);
    state.CloseChannel(link, Channel::kCommand);
    state.CloseChannel(link, Channel::kPubSub);
    link.health.OnCommandConnectionLost(state.now);
  };
  drop(master.instance);
  for (auto& [name, replica] : master.replicas) drop(replica);
}

// One option of SENTINEL SET. Returns an error reply, or nullopt when applied. `consumed` is the
// number of values the option took.
std::optional<resp::Value> ApplySetOption(CoreState& state, MasterRecord& master,
                                          const SetRequest& r, size_t j, size_t* consumed);

resp::Value Set(CoreState& state, const SetRequest& r) {
  MasterRecord* master = state.FindMaster(r.name);
  if (master == nullptr) return NoSuchMaster();
  size_t j = 0;
  std::optional<resp::Value> error;
  while (j < r.args.size()) {
    size_t consumed = 0;
    error = ApplySetOption(state, *master, r, j, &consumed);
    if (error) break;
    state.MarkDirty();  // options before a failing one stay applied and are flushed
    j += 1 + consumed;
  }
  return error ? *error : Ok();
}

bool ParseDuration(const std::string& text, int64_t min, int64_t* out) {
  return ParseInt64(text, out) && *out >= min;
}

std::optional<resp::Value> ApplySetOption(CoreState& state, MasterRecord& master,
                                          const SetRequest& r, size_t j, size_t* consumed) {
  const std::vector<std::string>& args = r.args;
  const std::vector<std::string>& unrunnable_scripts = r.unrunnable_scripts;
  const std::string& option = args[j];
  size_t more = args.size() - j - 1;
  auto invalid = [&](const std::string& value) {
    return resp::Value::Error("ERR Invalid argument '" + value + "' for SENTINEL SET '" + option +
                              "'");
  };
  auto applied = [&](const std::string& shown) {
    state.EmitFor(EventLevel::kWarning, "+set", master, master.instance, option + " " + shown);
  };
  std::string opt = ToLower(option);
  if (opt == "rename-command" && more >= 2) {
    *consumed = 2;
    std::string from = args[j + 1], to = args[j + 2];
    std::string key = from;
    for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (EqualsIgnoreCase(from, to)) {
      master.config.renamed_commands.erase(key);
    } else {
      master.config.renamed_commands[key] = to;
    }
    applied(from + " " + to);
    return std::nullopt;
  }
  if (more < 1) {
    return resp::Value::Error("ERR Unknown option or number of arguments for SENTINEL SET '" +
                              option + "'");
  }
  *consumed = 1;
  const std::string& value = args[j + 1];
  int64_t n = 0;
  if (opt == "down-after-milliseconds") {
    if (!ParseDuration(value, 1, &n)) return invalid(value);
    master.config.down_after = Millis(n);
  } else if (opt == "failover-timeout") {
    if (!ParseDuration(value, 1, &n)) return invalid(value);
    master.config.failover_timeout = Millis(n);
  } else if (opt == "parallel-syncs") {
    if (!ParseDuration(value, 1, &n) || n > 1'000'000) return invalid(value);
    master.config.parallel_syncs = static_cast<int>(n);
  } else if (opt == "quorum") {
    if (!ParseDuration(value, 1, &n) || n > 1'000'000) return invalid(value);
    master.config.quorum = static_cast<int>(n);
  } else if (opt == "master-reboot-down-after-period") {
    if (!ParseDuration(value, 0, &n)) return invalid(value);
    master.config.master_reboot_down_after = Millis(n);
  } else if (opt == "auth-pass" || opt == "auth-user") {
    (opt == "auth-pass" ? master.config.auth_pass : master.config.auth_user) = value;
    DropDataNodeConnections(state, master);
    applied(opt == "auth-pass" ? "******" : value);
    return std::nullopt;
  } else if (opt == "notification-script" || opt == "client-reconfig-script") {
    if (state.options.deny_scripts_reconfig) {
      return resp::Value::Error(
          "ERR Reconfiguration of scripts path is denied for security reasons. Check the "
          "deny-scripts-reconfig configuration directive in your Sentinel configuration");
    }
    if (!value.empty() && std::find(unrunnable_scripts.begin(), unrunnable_scripts.end(), value) !=
                              unrunnable_scripts.end()) {
      return resp::Value::Error(opt == "notification-script"
                                    ? "ERR Notification script seems non existing or non executable"
                                    : "ERR Client reconfiguration script seems non existing or non "
                                      "executable");
    }
    (opt == "notification-script" ? master.config.notification_script
                                  : master.config.client_reconfig_script) = value;
  } else {
    return resp::Value::Error("ERR Unknown option or number of arguments for SENTINEL SET '" +
                              option + "'");
  }
  applied(value);
  return std::nullopt;
}

resp::Value Reset(CoreState& state, const ResetRequest& r) {
  int64_t count = 0;
  for (auto& [name, master] : state.masters) {
    if (!GlobMatch(r.pattern, name, false)) continue;
    ResetMaster(state, master, /*keep_sentinels=*/false);
    master.stale_master.reset();
    state.EmitFor(EventLevel::kWarning, "+reset-master", master, master.instance);
    ++count;
  }
  return resp::Value::Integer(count);
}

resp::Value Failover(CoreState& state, const FailoverRequest& r) {
  MasterRecord* master = state.FindMaster(r.name);
  if (master == nullptr) return NoSuchMaster();
  if (master->failover.in_progress())
    return resp::Value::Error("INPROG Failover already in progress");
  if (SelectReplica(state, *master) == nullptr) {
    return resp::Value::Error("NOGOODSLAVE No suitable replica to promote");
  }
  if (r.coordinated) {
    // Not forced: the peers vote first, although the master is healthy.
    StartCoordinatedSwitchover(state, *master);
    AskOtherSentinels(state, *master, AskMode::kForced);
    RunFailoverStateMachine(state, *master);
    return Ok();
  }
  StartFailover(state, *master);
  master->failover.forced = true;
  // Vigil: run the forced attempt now rather than at the next tick.
  if (state.options.event_driven) RunFailoverStateMachine(state, *master);
  return Ok();
}

}  // namespace

resp::Value CheckQuorumReply(const CoreState& state, const MasterRecord& master) {
  int64_t voters = static_cast<int64_t>(master.sentinels.size()) + 1;
  int64_t usable = 1;
  for (const auto& [runid, si] : master.sentinels) {
    if (!si.s_down && !si.o_down) ++usable;
  }
  bool no_quorum = usable < master.config.quorum;
  bool no_auth = usable < voters / 2 + 1;
  std::string head = std::to_string(usable) + " usable Sentinels. ";
  if (!no_quorum && !no_auth) {
    return resp::Value::Simple("OK " + head + "Quorum and failover authorization can be reached");
  }
  std::string text = "NOQUORUM " + head;
  if (no_quorum)
    text += "Not enough available Sentinels to reach the specified quorum for this master";
  if (no_quorum && no_auth) text += ". ";
  if (no_auth)
    text += "Not enough available Sentinels to reach the majority and authorize a failover";
  return resp::Value::Error(text);
}

namespace {

resp::Value ConfigSet(CoreState& state, const ConfigSetRequest& r) {
  std::string p = ToLower(r.parameter);
  GlobalSettings& g = state.globals;
  auto invalid = [&] {
    return resp::Value::Error("ERR Invalid value '" + r.value + "' to SENTINEL CONFIG SET '" +
                              r.parameter + "'");
  };
  auto yes_no = [&](bool* field) {
    std::string v = ToLower(r.value);
    if (v != "yes" && v != "no") return false;
    *field = v == "yes";
    return true;
  };
  if (p == "resolve-hostnames") {
    if (!yes_no(&g.resolve_hostnames)) return invalid();
  } else if (p == "announce-hostnames") {
    if (!yes_no(&g.announce_hostnames)) return invalid();
  } else if (p == "announce-ip") {
    g.announce_ip = r.value;
  } else if (p == "announce-port") {
    int port = 0;
    if (!ParsePort(r.value, &port)) return invalid();
    g.announce_port = port;
  } else if (p == "sentinel-user" || p == "sentinel-pass") {
    (p == "sentinel-user" ? g.sentinel_user : g.sentinel_pass) = r.value;
    for (auto& [name, master] : state.masters) {
      for (auto& [runid, si] : master.sentinels) {
        state.CloseChannel(state.LinkOf(si), Channel::kCommand);
      }
    }
  } else {
    return resp::Value::Error("ERR Invalid argument '" + r.parameter + "' to SENTINEL CONFIG SET");
  }
  state.MarkDirty();
  return Ok();
}

resp::Value DebugSet(CoreState& state, const DebugSetRequest& r) {
  TimerOptions updated = state.options.timers;
  for (size_t j = 0; j < r.args.size(); j += 2) {
    if (j + 1 >= r.args.size()) {
      return resp::Value::Error("ERR Unknown option or number of arguments for SENTINEL DEBUG '" +
                                r.args[j] + "'");
    }
    int64_t ms = 0;
    if (!ParseInt64(r.args[j + 1], &ms) || ms <= 0) {
      return resp::Value::Error("ERR Invalid argument '" + r.args[j + 1] +
                                "' for SENTINEL DEBUG '" + r.args[j] + "'");
    }
    if (!SetTimerByName(&updated, r.args[j], ms)) {
      return resp::Value::Error("ERR Unknown option or number of arguments for SENTINEL DEBUG '" +
                                r.args[j] + "'");
    }
  }
  state.options.timers = updated;
  return Ok();
}

}  // namespace

resp::Value ApplyAdmin(CoreState& state, const AdminRequest& request) {
  return std::visit(
      [&](const auto& r) -> resp::Value {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, MonitorRequest>) return Monitor(state, r);
        if constexpr (std::is_same_v<T, RemoveRequest>) return Remove(state, r);
        if constexpr (std::is_same_v<T, SetRequest>) return Set(state, r);
        if constexpr (std::is_same_v<T, ResetRequest>) return Reset(state, r);
        if constexpr (std::is_same_v<T, FailoverRequest>) return Failover(state, r);
        if constexpr (std::is_same_v<T, SimulateFailureRequest>) {
          state.simfailure = r;
          return Ok();
        }
        if constexpr (std::is_same_v<T, ConfigSetRequest>) return ConfigSet(state, r);
        if constexpr (std::is_same_v<T, DebugSetRequest>) return DebugSet(state, r);
        if constexpr (std::is_same_v<T, FlushConfigRequest>) {
          state.MarkDirty();
          return Ok();
        }
        if constexpr (std::is_same_v<T, CkQuorumRequest>) {
          const MasterRecord* master = state.FindMaster(r.name);
          return master ? CheckQuorumReply(state, *master) : NoSuchMaster();
        }
      },
      request);
}

}  // namespace vigil::sentinel
