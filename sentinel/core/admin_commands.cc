#include "sentinel/core/admin_commands.h"
#include "common/base/ascii_case.h"
#include "common/base/decimal.h"

namespace vigil::sentinel {

namespace {

using Argv = std::vector<std::string>;

Status WrongArity(const std::string& sub) {
  return Status::Error("ERR wrong number of arguments for 'sentinel|" + ToLower(sub) + "' command");
}

Result<ParsedSentinelCommand> ParseMonitor(const Argv& a) {
  MonitorRequest r;
  r.name = a[2];
  r.addr.host = a[3];
  int64_t port = 0, quorum = 0;
  if (!ParseInt64(a[5], &quorum)) return Status::Error("ERR Invalid quorum");
  if (!ParseInt64(a[4], &port)) return Status::Error("ERR Invalid port");
  if (port <= 0 || port > 65535) return Status::Error("ERR Invalid port number.");
  r.addr.port = static_cast<int>(port);
  r.quorum = quorum > 1'000'000 ? 1'000'000 : static_cast<int>(quorum);
  return ParsedSentinelCommand(AdminRequest(r));
}

Result<ParsedSentinelCommand> ParseVote(const Argv& a) {
  VoteRequestArgs v;
  v.master.host = a[2];
  int64_t port = 0;
  if (!ParseInt64(a[3], &port) || !ParseUint64(a[4], &v.epoch)) {
    return Status::Error("ERR value is not an integer or out of range");
  }
  v.master.port = static_cast<int>(port);
  v.runid = a[5];
  if (a.size() == 7) {
    if (!EqualsIgnoreCase(a[6], "coordinated")) return Status::Error("ERR syntax error");
    v.coordinated = true;
  }
  return ParsedSentinelCommand(v);
}

Result<ParsedSentinelCommand> ParseSimulateFailure(const Argv& a) {
  SimulateFailureRequest r;
  for (size_t j = 2; j < a.size(); ++j) {
    if (EqualsIgnoreCase(a[j], "crash-after-election")) {
      r.crash_after_election = true;
    } else if (EqualsIgnoreCase(a[j], "crash-after-promotion")) {
      r.crash_after_promotion = true;
    } else if (EqualsIgnoreCase(a[j], "help")) {
      return ParsedSentinelCommand(SimulateFailureHelpRequest{});
    } else {
      return Status::Error("ERR Unknown failure simulation specified");
    }
  }
  return ParsedSentinelCommand(AdminRequest(r));
}

Result<ParsedSentinelCommand> ParseConfig(const Argv& a) {
  const char* usage = "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.";
  if (a.size() == 4 && EqualsIgnoreCase(a[2], "GET")) {
    return ParsedSentinelCommand(AdminQuery(ConfigGetQuery{a[3]}));
  }
  if (a.size() == 5 && EqualsIgnoreCase(a[2], "SET")) {
    return ParsedSentinelCommand(AdminRequest(ConfigSetRequest{a[3], a[4]}));
  }
  return Status::Error(usage);
}

// Subcommands taking exactly one <name> argument.
Result<ParsedSentinelCommand> ParseNamed(const std::string& sub, const std::string& name) {
  if (sub == "master") return ParsedSentinelCommand(AdminQuery(MasterQuery{name}));
  if (sub == "replicas" || sub == "slaves") {
    return ParsedSentinelCommand(AdminQuery(ReplicasQuery{name}));
  }
  if (sub == "sentinels") return ParsedSentinelCommand(AdminQuery(SentinelsQuery{name}));
  if (sub == "get-master-addr-by-name") {
    return ParsedSentinelCommand(AdminQuery(GetMasterAddrQuery{name}));
  }
  if (sub == "ckquorum") return ParsedSentinelCommand(AdminQuery(CkQuorumRequest{name}));
  if (sub == "reset") return ParsedSentinelCommand(AdminRequest(ResetRequest{name}));
  if (sub == "failover") return ParsedSentinelCommand(AdminRequest(FailoverRequest{name}));
  return ParsedSentinelCommand(AdminRequest(RemoveRequest{name}));  // "remove"
}

// Valkey renamed the master-named subcommands; current clients (node-redis, Valkey's tools) send
// the new names, so both spellings reach the same handler. Arity errors name what was sent.
std::string CanonicalSubcommand(const std::string& lower) {
  if (lower == "primary") return "master";
  if (lower == "primaries") return "masters";
  if (lower == "get-primary-addr-by-name") return "get-master-addr-by-name";
  if (lower == "is-primary-down-by-addr") return "is-master-down-by-addr";
  return lower;
}

}  // namespace

Result<ParsedSentinelCommand> ParseSentinelCommand(const Argv& a) {
  if (a.size() < 2) return WrongArity("sentinel");
  const std::string sent = ToLower(a[1]);
  std::string sub = CanonicalSubcommand(sent);
  size_t n = a.size();
  if (sub == "masters" || sub == "myid" || sub == "flushconfig" || sub == "help" ||
      sub == "pending-scripts") {
    if (n != 2) return WrongArity(sent);
    if (sub == "masters") return ParsedSentinelCommand(AdminQuery(MastersQuery{}));
    if (sub == "myid") return ParsedSentinelCommand(AdminQuery(MyIdQuery{}));
    if (sub == "flushconfig") return ParsedSentinelCommand(AdminRequest(FlushConfigRequest{}));
    if (sub == "help") return ParsedSentinelCommand(HelpRequest{});
    return ParsedSentinelCommand(PendingScriptsRequest{});
  }
  if (sub == "failover" && n == 4) {
    if (!EqualsIgnoreCase(a[3], "coordinated")) return Status::Error("ERR syntax error");
    return ParsedSentinelCommand(AdminRequest(FailoverRequest{a[2], true}));
  }
  if (sub == "master" || sub == "replicas" || sub == "slaves" || sub == "sentinels" ||
      sub == "get-master-addr-by-name" || sub == "ckquorum" || sub == "reset" ||
      sub == "failover" || sub == "remove") {
    if (n != 3) return WrongArity(sent);
    return ParseNamed(sub, a[2]);
  }
  if (sub == "monitor")
    return n == 6 ? ParseMonitor(a) : Result<ParsedSentinelCommand>(WrongArity(sent));
  if (sub == "is-master-down-by-addr") {
    // Vigil also takes a seventh argument, COORDINATED
    // (sentinel/DESIGN.md, "Coordinated switchover").
    return n == 6 || n == 7 ? ParseVote(a) : Result<ParsedSentinelCommand>(WrongArity(sent));
  }
  if (sub == "set") {
    if (n < 5) return WrongArity(sent);
    return ParsedSentinelCommand(AdminRequest(SetRequest{a[2], Argv(a.begin() + 3, a.end()), {}}));
  }
  if (sub == "info-cache") {
    if (n < 3) return WrongArity(sent);
    return ParsedSentinelCommand(AdminQuery(InfoCacheQuery{Argv(a.begin() + 2, a.end())}));
  }
  if (sub == "simulate-failure") {
    if (n < 3) return WrongArity(sent);
    return ParseSimulateFailure(a);
  }
  if (sub == "config") {
    if (n < 3) return WrongArity(sent);
    return ParseConfig(a);
  }
  if (sub == "debug") {
    if (n == 2) return ParsedSentinelCommand(AdminQuery(DebugGetQuery{}));
    return ParsedSentinelCommand(AdminRequest(DebugSetRequest{Argv(a.begin() + 2, a.end())}));
  }
  return Status::Error("ERR unknown subcommand '" + a[1] + "'. Try SENTINEL HELP.");
}

}  // namespace vigil::sentinel
