#include "tests/sim/sim_sentinel.h"

#include <type_traits>

#include "common/base/ascii_case.h"
#include "sentinel/core/admin_commands.h"
#include "tests/sim/world.h"

namespace vigil::sim {

using namespace vigil::sentinel;

SimSentinel::SimSentinel(World& world, int index_in, HostPort addr_in, PersistentState initial,
                         uint64_t seed)
    : index(index_in),
      addr(std::move(addr_in)),
      name("s" + std::to_string(index_in + 1)),
      world_(world),
      initial_(initial),
      persisted_(std::move(initial)),
      seed_(seed) {
  Restart(false);
}

void SimSentinel::Restart(bool new_identity) {
  ++incarnation_;
  if (new_identity) persisted_ = initial_;  // the state file is lost: config only
  CoreOptions options = world_.options().core;
  options.port = addr.port;
  world_.checkers().OnRestart(*this);
  core_ = std::make_unique<SentinelCore>(options, persisted_, seed_ + incarnation_ * 7919);
  paused_ = false;
  core_->Tick(world_.now());
  myid_ = core_->myid();
  Drain();
}

void SimSentinel::Crash() {
  core_.reset();
  paused_ = false;
  conns_.clear();
  core_conn_.clear();
  sent_.clear();
  tokens_.clear();
}

void SimSentinel::Tick() {
  if (!core_ || paused_) return;
  core_->Tick(world_.now());
  Drain();
}

void SimSentinel::Step(const Input& input) {
  if (!core_) return;
  core_->Step(world_.now(), input);
  Drain();
}

void SimSentinel::Drain() {
  // Ready can be produced repeatedly: an action (a crash) may end the process.
  while (core_) {
    Ready ready = core_->TakeReady();
    if (ready.empty()) return;
    WriteState(ready);
    for (const Event& e : ready.events) {
      std::string line = ToString(e);
      world_.trace().Add(world_.now(), name, line);
      world_.checkers().OnEvent(world_.now(), *this, e);
      world_.LogEvent(name, line);
    }
    if (core_) world_.checkers().OnBatch(*this);
    for (const Action& a : ready.actions) {
      if (!core_) break;
      Execute(a);
    }
  }
}

void SimSentinel::WriteState(Ready& ready) {
  // The simulated disk obeys the core's rule like the real one: what the core defers is lost
  // by a crash, and a restart reads only what was written.
  if (!ready.write) return;
  world_.checkers().OnPersist(*this, *ready.write);
  persisted_ = *ready.write;
  core_->StateWritten(true, ready);
}

void SimSentinel::Execute(const Action& action) {
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, ConnectAction>) {
          uint64_t id = world_.OpenConnection(index, addr.host, a);
          conns_[a.conn] = id;
          core_conn_[id] = a.conn;
        } else if constexpr (std::is_same_v<T, CloseAction>) {
          auto it = conns_.find(a.conn);
          if (it == conns_.end()) return;
          core_conn_.erase(it->second);
          world_.CloseConnection(it->second, false, true);
          conns_.erase(it);
        } else if constexpr (std::is_same_v<T, SendAction>) {
          auto it = conns_.find(a.conn);
          if (it == conns_.end()) return;
          sent_[a.request] = a.command;
          if (const auto* hello = std::get_if<PublishHelloCommand>(&a.command)) {
            world_.checkers().OnHelloSent(*this, hello->payload);
          } else if (const auto* ask = std::get_if<IsMasterDownByAddrCommand>(&a.command);
                     ask != nullptr && ask->runid != "*") {
            world_.checkers().OnVoteRequestSent(*this, ask->current_epoch);
          }
          Message m;
          m.kind = Message::Kind::kRequest;
          m.request = a.request;
          m.argvs = RenderCommand(a.command, a.renames);
          world_.Send(it->second, true, std::move(m));
        } else if constexpr (std::is_same_v<T, ReplyToClient>) {
          auto it = tokens_.find(a.token);
          if (it == tokens_.end()) {
            admin_replies_[a.token] = a.reply;
            return;
          }
          Message m;
          m.kind = Message::Kind::kReply;
          m.request = it->second.second;
          m.replies.push_back(a.reply);
          world_.Send(it->second.first, false, std::move(m));
          tokens_.erase(it);
        } else if constexpr (std::is_same_v<T, RunScript>) {
          std::string line = "script";
          for (const auto& arg : a.argv) line += " " + arg;
          world_.trace().Add(world_.now(), name, line);
        } else {
          world_.trace().Add(world_.now(), name, "exit " + std::to_string(a.code));
          world_.CrashSentinel(index);
        }
      },
      action);
}

void SimSentinel::OnConnected(uint64_t conn) {
  auto it = core_conn_.find(conn);
  if (it == core_conn_.end()) return;
  Step(LinkUp{it->second, addr.host});
}

void SimSentinel::OnDisconnected(uint64_t conn) {
  auto it = core_conn_.find(conn);
  if (it == core_conn_.end()) return;
  ConnId core_conn = it->second;
  core_conn_.erase(it);
  conns_.erase(core_conn);
  Step(LinkDown{core_conn});
}

void SimSentinel::OnClientMessage(uint64_t conn, const Message& message) {
  auto it = core_conn_.find(conn);
  if (it == core_conn_.end() || !core_) return;
  if (message.kind == Message::Kind::kPush) {
    Step(HelloReceived{it->second, message.payload});
    return;
  }
  auto sent = sent_.find(message.request);
  if (sent == sent_.end()) return;
  ReplyPayload payload = DecodeReply(sent->second, message.replies);
  sent_.erase(sent);
  Step(CommandReply{message.request, payload});
}

void SimSentinel::OnServerRequest(uint64_t conn, const Message& message) {
  if (!core_ || message.argvs.size() != 1) return;
  const Argv& a = message.argvs[0];
  auto reply = [&](resp::Value v) {
    Message m;
    m.kind = Message::Kind::kReply;
    m.request = message.request;
    m.replies.push_back(std::move(v));
    world_.Send(conn, false, std::move(m));
  };
  if (EqualsIgnoreCase(a[0], "PING")) return reply(resp::Value::Simple("PONG"));
  if (EqualsIgnoreCase(a[0], "PUBLISH") && a.size() == 3) {
    if (a[1] != kHelloChannel) {
      return reply(
          resp::Value::Error("ERR Only HELLO messages are accepted by Sentinel instances."));
    }
    Step(HelloReceived{0, a[2]});
    return reply(resp::Value::Integer(1));
  }
  if (EqualsIgnoreCase(a[0], "SENTINEL")) {
    Result<ParsedSentinelCommand> parsed = ParseSentinelCommand(a);
    if (!parsed.ok()) return reply(resp::Value::Error(parsed.error()));
    if (const auto* vote = std::get_if<VoteRequestArgs>(&parsed.value())) {
      ClientToken token = next_token_++;
      tokens_[token] = {conn, message.request};
      VoteRequest request{token, *vote};
      core_->Step(world_.now(), request);
      // The checker sees the answer before it leaves, with the state persisted so far.
      Ready peek = core_->TakeReady();
      WriteState(peek);
      for (const Action& act : peek.actions) {
        if (const auto* r = std::get_if<ReplyToClient>(&act); r && r->token == token) {
          world_.checkers().OnVoteReplySent(*this, *vote, r->reply);
        }
      }
      for (const Event& e : peek.events) {
        std::string line = ToString(e);
        world_.trace().Add(world_.now(), name, line);
        world_.checkers().OnEvent(world_.now(), *this, e);
        world_.LogEvent(name, line);
      }
      world_.checkers().OnBatch(*this);
      for (const Action& act : peek.actions) {
        if (!core_) break;
        Execute(act);
      }
      return Drain();
    }
    if (const auto* query = std::get_if<AdminQuery>(&parsed.value())) {
      return reply(core_->Query(world_.now(), *query));  // the writers' GET-MASTER-ADDR-BY-NAME
    }
    return reply(resp::Value::Error("ERR unsupported in the simulator"));
  }
  reply(resp::Value::Error("ERR unknown command '" + a[0] + "'"));
}

std::string SimSentinel::Admin(const std::vector<std::string>& argv) {
  if (!core_) return "(sentinel down)";
  std::vector<std::string> full{"SENTINEL"};
  full.insert(full.end(), argv.begin(), argv.end());
  Result<ParsedSentinelCommand> parsed = ParseSentinelCommand(full);
  if (!parsed.ok()) return "-" + parsed.error();
  if (const auto* query = std::get_if<AdminQuery>(&parsed.value())) {
    return DebugString(core_->Query(world_.now(), *query));
  }
  if (const auto* request = std::get_if<AdminRequest>(&parsed.value())) {
    ClientToken token = next_token_++;
    Step(AdminCommand{token, *request});
    auto it = admin_replies_.find(token);
    if (it == admin_replies_.end()) return "(no reply)";
    std::string out = DebugString(it->second);
    admin_replies_.erase(it);
    return out;
  }
  return "-ERR not supported by the scenario runner";
}

}  // namespace vigil::sim
