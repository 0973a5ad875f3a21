#include "sentinel/core/wire.h"

#include <type_traits>
#include "common/base/ascii_case.h"
#include "common/base/decimal.h"

namespace vigil::sentinel {

namespace {

std::string Renamed(const RenameMap& renames, const std::string& name) {
  auto it = renames.find(name);
  return it == renames.end() ? name : it->second;
}

std::vector<Argv> RenderBlock(const ReconfigureCommand& block, const RenameMap& renames) {
  Argv slaveof{Renamed(renames, "SLAVEOF")};
  if (block.replicaof) {
    slaveof.push_back(block.replicaof->host);
    slaveof.push_back(std::to_string(block.replicaof->port));
  } else {
    slaveof.push_back("NO");
    slaveof.push_back("ONE");
  }
  std::string client = Renamed(renames, "CLIENT");
  return {
      {Renamed(renames, "MULTI")},
      slaveof,
      {Renamed(renames, "CONFIG"), "REWRITE"},
      {client, "KILL", "TYPE", "normal"},
      {client, "KILL", "TYPE", "pubsub"},
      {Renamed(renames, "EXEC")},
  };
}

}  // namespace

std::vector<Argv> RenderCommand(const Command& command, const RenameMap& renames) {
  return std::visit(
      [&](const auto& c) -> std::vector<Argv> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, PingCommand>) {
          return {{Renamed(renames, "PING")}};
        } else if constexpr (std::is_same_v<T, InfoCommand>) {
          return {{Renamed(renames, "INFO")}};
        } else if constexpr (std::is_same_v<T, PublishHelloCommand>) {
          return {{Renamed(renames, "PUBLISH"), kHelloChannel, c.payload}};
        } else if constexpr (std::is_same_v<T, SubscribeHelloCommand>) {
          return {{Renamed(renames, "SUBSCRIBE"), kHelloChannel}};
        } else if constexpr (std::is_same_v<T, IsMasterDownByAddrCommand>) {
          Argv argv{Renamed(renames, "SENTINEL"),  "is-master-down-by-addr",        c.master.host,
                    std::to_string(c.master.port), std::to_string(c.current_epoch), c.runid};
          if (c.coordinated) argv.push_back("COORDINATED");
          return {argv};
        } else if constexpr (std::is_same_v<T, ReconfigureCommand>) {
          return RenderBlock(c, renames);
        } else if constexpr (std::is_same_v<T, FailoverToCommand>) {
          return {{Renamed(renames, "FAILOVER"), "TO", c.target.host, std::to_string(c.target.port),
                   "TIMEOUT", std::to_string(c.timeout_ms)}};
        } else if constexpr (std::is_same_v<T, RewriteConfigCommand>) {
          return {{Renamed(renames, "CONFIG"), "REWRITE"}};
        } else {
          return {{Renamed(renames, "SCRIPT"), "KILL"}};
        }
      },
      command);
}

namespace {

bool Is(const Argv& argv, std::initializer_list<const char*> words) {
  if (argv.size() != words.size()) return false;
  size_t i = 0;
  for (const char* w : words) {
    if (w[0] != '\0' && !EqualsIgnoreCase(argv[i], w)) return false;
    ++i;
  }
  return true;
}

Result<Command> ParseBlock(const std::vector<Argv>& a) {
  if (a.size() != 6 || !Is(a[0], {"MULTI"}) || !Is(a[2], {"CONFIG", "REWRITE"}) ||
      !Is(a[3], {"CLIENT", "KILL", "TYPE", "normal"}) ||
      !Is(a[4], {"CLIENT", "KILL", "TYPE", "pubsub"}) || !Is(a[5], {"EXEC"})) {
    return Status::Error("not a reconfiguration block");
  }
  ReconfigureCommand block;
  if (Is(a[1], {"SLAVEOF", "NO", "ONE"})) return Command(block);
  int port = 0;
  if (!Is(a[1], {"SLAVEOF", "", ""}) || !ParsePort(a[1][2], &port)) {
    return Status::Error("bad SLAVEOF in block");
  }
  block.replicaof = HostPort{a[1][1], port};
  return Command(block);
}

Result<Command> ParseSingle(const Argv& a) {
  if (Is(a, {"PING"})) return Command(PingCommand{});
  if (Is(a, {"INFO"})) return Command(InfoCommand{});
  if (Is(a, {"SCRIPT", "KILL"})) return Command(ScriptKillCommand{});
  if (Is(a, {"CONFIG", "REWRITE"})) return Command(RewriteConfigCommand{});
  if (a.size() == 2 && EqualsIgnoreCase(a[0], "SUBSCRIBE") && a[1] == kHelloChannel) {
    return Command(SubscribeHelloCommand{});
  }
  if (a.size() == 3 && EqualsIgnoreCase(a[0], "PUBLISH") && a[1] == kHelloChannel) {
    return Command(PublishHelloCommand{a[2]});
  }
  if (Is(a, {"FAILOVER", "TO", "", "", "TIMEOUT", ""})) {
    FailoverToCommand c;
    c.target.host = a[2];
    uint64_t timeout = 0;
    if (!ParsePort(a[3], &c.target.port) || !ParseUint64(a[5], &timeout)) {
      return Status::Error("bad FAILOVER arguments");
    }
    c.timeout_ms = static_cast<int64_t>(timeout);
    return Command(c);
  }
  bool coordinated_vote =
      Is(a, {"SENTINEL", "is-master-down-by-addr", "", "", "", "", "COORDINATED"});
  if (coordinated_vote || Is(a, {"SENTINEL", "is-master-down-by-addr", "", "", "", ""})) {
    IsMasterDownByAddrCommand c;
    c.master.host = a[2];
    c.runid = a[5];
    c.coordinated = coordinated_vote;
    if (!ParsePort(a[3], &c.master.port) || !ParseUint64(a[4], &c.current_epoch)) {
      return Status::Error("bad is-master-down-by-addr arguments");
    }
    return Command(c);
  }
  return Status::Error("unknown command " + (a.empty() ? std::string("(empty)") : a[0]));
}

}  // namespace

Result<Command> ParseCommand(const std::vector<Argv>& argvs) {
  if (argvs.size() == 6) return ParseBlock(argvs);
  if (argvs.size() != 1) return Status::Error("unexpected number of commands");
  return ParseSingle(argvs[0]);
}

namespace {

ReplyPayload DecodeSimple(const resp::Value& v) {
  if (v.type == resp::Value::Type::kSimple || v.type == resp::Value::Type::kError) {
    return SimpleReply{v.type == resp::Value::Type::kError, v.str};
  }
  // PUBLISH answers with an integer and SUBSCRIBE with an array: both mean success.
  if (v.type == resp::Value::Type::kInteger || v.type == resp::Value::Type::kArray) {
    return SimpleReply{false, DebugString(v)};
  }
  return MalformedReply{"unexpected " + DebugString(v)};
}

ReplyPayload DecodeVote(const resp::Value& v) {
  if (v.type == resp::Value::Type::kError) return SimpleReply{true, v.str};
  // Redis accepts exactly [integer, string, integer].
  if (v.type != resp::Value::Type::kArray || v.elements.size() != 3 ||
      v.elements[0].type != resp::Value::Type::kInteger || !v.elements[1].IsStringLike() ||
      v.elements[2].type != resp::Value::Type::kInteger) {
    return MalformedReply{"bad vote reply " + DebugString(v)};
  }
  VoteReply vote;
  vote.master_down = v.elements[0].integer == 1;
  vote.leader = v.elements[1].str;
  vote.leader_epoch = static_cast<uint64_t>(v.elements[2].integer);
  return vote;
}

ReplyPayload DecodeBlock(const std::vector<resp::Value>& replies) {
  if (replies.size() != 6) return MalformedReply{"block needs six replies"};
  const resp::Value& exec = replies[5];
  if (exec.type == resp::Value::Type::kError) return ReconfigureReply{false, exec.str};
  if (exec.type != resp::Value::Type::kArray || exec.elements.empty()) {
    return ReconfigureReply{false, "EXEC did not run: " + DebugString(exec)};
  }
  const resp::Value& slaveof = exec.elements[0];
  if (slaveof.type == resp::Value::Type::kError) return ReconfigureReply{false, slaveof.str};
  return ReconfigureReply{true, ""};
}

}  // namespace

ReplyPayload DecodeReply(const Command& command, const std::vector<resp::Value>& replies) {
  if (std::holds_alternative<ReconfigureCommand>(command)) return DecodeBlock(replies);
  if (replies.size() != 1) return MalformedReply{"expected one reply"};
  const resp::Value& v = replies[0];
  if (std::holds_alternative<InfoCommand>(command)) {
    if (v.type == resp::Value::Type::kBulk) return InfoReply{v.str};
    if (v.type == resp::Value::Type::kError) return SimpleReply{true, v.str};
    return MalformedReply{"INFO reply is not a bulk string"};
  }
  if (std::holds_alternative<IsMasterDownByAddrCommand>(command)) return DecodeVote(v);
  return DecodeSimple(v);
}

resp::Value EncodeVoteReply(const VoteReply& vote) {
  return resp::Value::Array({resp::Value::Integer(vote.master_down ? 1 : 0),
                             resp::Value::Bulk(vote.leader.empty() ? "*" : vote.leader),
                             resp::Value::Integer(static_cast<int64_t>(vote.leader_epoch))});
}

namespace {

resp::Value EncodeSimple(const Command& command, const SimpleReply& r) {
  if (r.is_error) return resp::Value::Error(r.text);
  if (std::holds_alternative<PublishHelloCommand>(command)) return resp::Value::Integer(1);
  if (std::holds_alternative<SubscribeHelloCommand>(command)) {
    return resp::Value::Array({resp::Value::Bulk("subscribe"), resp::Value::Bulk(kHelloChannel),
                               resp::Value::Integer(1)});
  }
  return resp::Value::Simple(r.text);
}

}  // namespace

std::vector<resp::Value> EncodeReply(const Command& command, const ReplyPayload& payload) {
  if (const auto* block = std::get_if<ReconfigureReply>(&payload)) {
    resp::Value slaveof =
        block->replicaof_ok ? resp::Value::Simple("OK") : resp::Value::Error(block->error);
    resp::Value exec = resp::Value::Array(
        {slaveof, resp::Value::Simple("OK"), resp::Value::Integer(0), resp::Value::Integer(0)});
    return {resp::Value::Simple("OK"),     resp::Value::Simple("QUEUED"),
            resp::Value::Simple("QUEUED"), resp::Value::Simple("QUEUED"),
            resp::Value::Simple("QUEUED"), exec};
  }
  if (const auto* info = std::get_if<InfoReply>(&payload)) return {resp::Value::Bulk(info->text)};
  if (const auto* vote = std::get_if<VoteReply>(&payload)) return {EncodeVoteReply(*vote)};
  if (const auto* simple = std::get_if<SimpleReply>(&payload)) {
    return {EncodeSimple(command, *simple)};
  }
  return {resp::Value::Error(std::get<MalformedReply>(payload).description)};
}

}  // namespace vigil::sentinel
