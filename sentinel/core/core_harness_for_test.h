#pragma once
// A hand-driven shell for unit tests of SentinelCore: it accepts connections, answers commands
// like healthy data nodes and peers unless told otherwise, and keeps every batch for inspection.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sentinel/core/sentinel_core.h"

namespace vigil::sentinel::testing {

inline const std::string kMe(40, 'a');
inline const std::string kPeer2(40, 'b');
inline const std::string kPeer3(40, 'c');

inline std::string MasterInfo(const std::vector<HostPort>& replicas) {
  std::string s =
      "# Server\r\nrun_id:" + std::string(40, '1') + "\r\n# Replication\r\nrole:master\r\n";
  int n = 0;
  for (const auto& r : replicas) {
    s += "slave" + std::to_string(n++) + ":ip=" + r.host + ",port=" + std::to_string(r.port) +
         ",state=online,offset=1,lag=0\r\n";
  }
  return s;
}

inline std::string ReplicaInfo(const HostPort& master, bool link_up, int priority, int64_t offset,
                               char runid = '2') {
  return "# Server\r\nrun_id:" + std::string(40, runid) +
         "\r\n# Replication\r\nrole:slave\r\nmaster_host:" + master.host +
         "\r\nmaster_port:" + std::to_string(master.port) +
         "\r\nmaster_link_status:" + (link_up ? "up" : "down") +
         "\r\nslave_repl_offset:" + std::to_string(offset) +
         "\r\nslave_priority:" + std::to_string(priority) + "\r\nreplica_announced:1\r\n";
}

class CoreHarness {
 public:
  static PersistentState DefaultState() {
    PersistentState s;
    s.myid = kMe;
    PersistedMaster pm;
    pm.config.name = "mymaster";
    pm.config.addr = {"10.0.0.1", 6379};
    pm.config.quorum = 2;
    pm.config.down_after = Millis(1000);
    pm.config.failover_timeout = Millis(5000);
    pm.known_replicas = {{"10.0.0.2", 6379}, {"10.0.0.3", 6379}};
    pm.known_sentinels = {{{"10.0.1.2", 26379}, kPeer2}, {{"10.0.1.3", 26379}, kPeer3}};
    s.masters.push_back(pm);
    return s;
  }

  explicit CoreHarness(PersistentState state = DefaultState(), CoreOptions options = {})
      : core(options, std::move(state), 42) {}

  SentinelCore core;
  MonoTime now{100000};
  std::vector<Event> events;                   // everything emitted so far
  std::map<std::string, std::string> peer_ip;  // "host:port" -> address a connect reaches
  std::vector<Ready> batches;                  // every batch (`write` as asked for)
  bool write_ok = true;                        // false: every write fails
  std::optional<PersistentState> durable;      // last state written
  int writes = 0;                              // successful writes
  std::map<ConnId, ConnectAction> conns;       // open connections
  std::map<std::string, std::string> info;     // "ip:port" → INFO text to answer with
  // "ip:port" → called for each INFO instead (an instance whose answers change poll by poll).
  std::map<std::string, std::function<std::string()>> info_fn;
  std::map<std::string, bool> silent;  // "ip:port" → do not answer anything
  // "ip:port" → connects are never answered (SYNs lost): they fail at the shell's 1 s timeout.
  std::map<std::string, bool> unreachable;
  std::map<ConnId, MonoTime> hanging;  // connects waiting for that timeout
  // Peer answers to is-master-down-by-addr: runid → reply (default: not down, no vote). A
  // SimpleReply error stands for a peer that rejects the request.
  std::function<ReplyPayload(const std::string& peer_addr, const IsMasterDownByAddrCommand&)> vote;
  bool block_ok = true;
  std::string failover_error;  // non-empty: FAILOVER TO is answered with this error
  std::vector<std::pair<HostPort, Command>> sent;  // every command sent

  void Tick(Millis advance = Millis(100)) {
    now += advance;
    core.Tick(now);
    Pump();
    // The shell's connect timeout, checked after the core's tick as the runtime does.
    std::vector<ConnId> expired;
    for (auto it = hanging.begin(); it != hanging.end();) {
      if (now - it->second > Millis(1000)) {
        expired.push_back(it->first);
        it = hanging.erase(it);
      } else {
        ++it;
      }
    }
    for (ConnId id : expired) {
      conns.erase(id);
      Step(LinkDown{id});
    }
  }
  void Step(const Input& input) {
    core.Step(now, input);
    Pump();
  }
  // Runs ticks for `d`.
  void Run(Millis d) {
    for (Millis t(0); t < d; t += Millis(100)) Tick();
  }

  bool Saw(const std::string& line) const {
    for (const Event& e : events) {
      if (ToString(e) == line) return true;
    }
    return false;
  }
  bool SawType(const std::string& type) const {
    for (const Event& e : events) {
      if (e.type == type) return true;
    }
    return false;
  }

 private:
  void Pump() {
    std::vector<Input> replies;
    Ready r = core.TakeReady();
    if (r.write) {
      std::optional<PersistentState> write = r.write;
      core.StateWritten(write_ok, r);
      if (write_ok) {
        durable = write;
        ++writes;
      }
      r.write = std::move(write);  // kept for inspection
    }
    for (const Event& e : r.events) events.push_back(e);
    for (const Action& a : r.actions) Handle(a, replies);
    batches.push_back(std::move(r));
    for (const Input& in : replies) {
      core.Step(now, in);
      Pump();
    }
  }

  void Handle(const Action& a, std::vector<Input>& replies) {
    if (const auto* c = std::get_if<ConnectAction>(&a)) {
      conns[c->conn] = *c;
      if (unreachable[FormatHostPort(c->addr)]) {
        hanging[c->conn] = now;
        return;
      }
      if (silent[FormatHostPort(c->addr)]) return replies.push_back(LinkDown{c->conn});
      replies.push_back(LinkUp{c->conn, "10.9.9.9", peer_ip[FormatHostPort(c->addr)]});
    } else if (const auto* close = std::get_if<CloseAction>(&a)) {
      conns.erase(close->conn);
    } else if (const auto* s = std::get_if<SendAction>(&a)) {
      auto it = conns.find(s->conn);
      if (it == conns.end()) return;
      sent.emplace_back(it->second.addr, s->command);
      std::string addr = FormatHostPort(it->second.addr);
      if (silent[addr]) return;
      replies.push_back(CommandReply{s->request, Answer(addr, s->command)});
    }
  }

  ReplyPayload Answer(const std::string& addr, const Command& c) {
    if (std::holds_alternative<InfoCommand>(c)) {
      auto fn = info_fn.find(addr);
      return InfoReply{fn != info_fn.end() ? fn->second() : info[addr]};
    }
    if (const auto* ask = std::get_if<IsMasterDownByAddrCommand>(&c)) {
      if (vote) return vote(addr, *ask);
      return VoteReply{false, "*", 0};
    }
    if (std::holds_alternative<FailoverToCommand>(c)) {
      if (!failover_error.empty()) return SimpleReply{true, failover_error};
      return SimpleReply{false, "OK"};
    }
    if (std::holds_alternative<ReconfigureCommand>(c)) return ReconfigureReply{block_ok, ""};
    if (std::holds_alternative<PingCommand>(c)) return SimpleReply{false, "PONG"};
    return SimpleReply{false, "1"};
  }
};

}  // namespace vigil::sentinel::testing
