#include "sentinel/shell/sentinel_commands.h"

#include <unistd.h>

#include <type_traits>

#include "common/base/ascii_case.h"
#include "sentinel/core/admin_commands.h"
#include "sentinel/shell/script_runner.h"

namespace vigil::sentinel {

void WriteWire(resp::ReplyWriter& w, const resp::Value& v, ReplyShape shape) {
  // The core answers in RESP2 shapes; RESP3 clients get maps where `shape` says so.
  using T = resp::Value::Type;
  switch (v.type) {
    case T::kSimple:
      w.Simple(v.str);
      return;
    case T::kError:
    case T::kBlobError:
      w.Error(v.str);
      return;
    case T::kInteger:
    case T::kBool:
      w.Integer(v.integer);
      return;
    case T::kBulk:
    case T::kVerbatim:
    case T::kDouble:
    case T::kBigNumber:
      w.Bulk(v.str);
      return;
    case T::kNull:
      if (v.null_array) {
        w.NullArray();
      } else {
        w.Null();
      }
      return;
    case T::kArray:
    case T::kSet:
    case T::kPush:
    case T::kMap:
      break;
  }
  if (shape == ReplyShape::kMap && v.elements.size() % 2 == 0) {
    w.Map(v.elements.size() / 2);
  } else {
    w.Array(v.elements.size());
  }
  ReplyShape inner = shape == ReplyShape::kArrayOfMaps ? ReplyShape::kMap : ReplyShape::kPlain;
  for (const resp::Value& e : v.elements) WriteWire(w, e, inner);
}

namespace {

const char* const kHelp[] = {
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum needed",
    "    to failover a master and the majority needed to authorize the failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    List pending scripts.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Print this help.",
};

resp::Value Help() {
  std::vector<resp::Value> lines;
  for (const char* l : kHelp) lines.push_back(resp::Value::Simple(l));
  return resp::Value::Array(std::move(lines));
}

resp::Value PendingScripts(const SentinelHost& host) {
  std::vector<resp::Value> out;
  MonoTime now = host.Now();
  for (const ScriptRunner::Job& j : host.scripts().jobs()) {
    std::vector<resp::Value> argv;
    for (const auto& a : j.argv) argv.push_back(resp::Value::Bulk(a));
    bool running = j.pid > 0;
    int64_t t = running ? (now - j.start_time).count() : (j.start_time - now).count();
    if (t < 0) t = 0;
    out.push_back(resp::Value::Array({
        resp::Value::Bulk("argv"),
        resp::Value::Array(std::move(argv)),
        resp::Value::Bulk("flags"),
        resp::Value::Bulk(running ? "running" : "scheduled"),
        resp::Value::Bulk("pid"),
        resp::Value::Bulk(std::to_string(running ? j.pid : 0)),
        resp::Value::Bulk(running ? "run-time" : "run-delay"),
        resp::Value::Bulk(std::to_string(t)),
        resp::Value::Bulk("retry-num"),
        resp::Value::Bulk(std::to_string(j.retry_num)),
    }));
  }
  return resp::Value::Array(std::move(out));
}

ReplyShape ShapeOf(const AdminQuery& q) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, MastersQuery> || std::is_same_v<T, ReplicasQuery> ||
                      std::is_same_v<T, SentinelsQuery>) {
          return ReplyShape::kArrayOfMaps;
        } else if constexpr (std::is_same_v<T, MasterQuery> || std::is_same_v<T, DebugGetQuery> ||
                             std::is_same_v<T, ConfigGetQuery>) {
          return ReplyShape::kMap;
        } else {
          return ReplyShape::kPlain;
        }
      },
      q);
}

// The executable check Redis makes on SENTINEL SET's script options; the process has changed into
// `dir`, so a relative path resolves as it will when the script runs.
void CheckScripts(SetRequest& r) {
  for (size_t j = 0; j + 1 < r.args.size(); ++j) {
    std::string opt = ToLower(r.args[j]);
    if (opt != "notification-script" && opt != "client-reconfig-script") continue;
    const std::string& path = r.args[j + 1];
    if (!path.empty() && ::access(path.c_str(), X_OK) == -1) r.unrunnable_scripts.push_back(path);
  }
}

}  // namespace

SentinelOutcome RunSentinelCommand(SentinelHost& host, const std::vector<std::string>& argv,
                                   ClientToken token) {
  SentinelOutcome out;
  auto parsed = ParseSentinelCommand(argv);
  if (!parsed.ok()) {
    out.reply = resp::Value::Error(parsed.error());
    return out;
  }
  std::visit(
      [&](const auto& cmd) {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, AdminRequest>) {
          AdminRequest request = cmd;
          if (auto* set = std::get_if<SetRequest>(&request)) CheckScripts(*set);
          host.Submit(AdminCommand{token, std::move(request)});
          out.submitted = true;
        } else if constexpr (std::is_same_v<T, AdminQuery>) {
          out.reply = host.core().Query(host.Now(), cmd);
          out.shape = ShapeOf(cmd);
        } else if constexpr (std::is_same_v<T, VoteRequestArgs>) {
          host.Submit(VoteRequest{token, cmd});
          out.submitted = true;
        } else if constexpr (std::is_same_v<T, HelpRequest>) {
          out.reply = Help();
        } else if constexpr (std::is_same_v<T, PendingScriptsRequest>) {
          out.reply = PendingScripts(host);
          out.shape = ReplyShape::kArrayOfMaps;
        } else {
          out.reply = resp::Value::Array({resp::Value::Bulk("crash-after-election"),
                                          resp::Value::Bulk("crash-after-promotion")});
        }
      },
      parsed.value());
  return out;
}

}  // namespace vigil::sentinel
