#include "tests/sim/sim_datanode.h"

#include "common/base/ascii_case.h"
#include "common/base/decimal.h"
#include "tests/sim/world.h"

namespace vigil::sim {

using vigil::EqualsIgnoreCase;

SimDataNode::SimDataNode(World& world, int index_in, vigil::HostPort addr_in,
                         std::optional<vigil::HostPort> replicaof, int priority_in)
    : index(index_in),
      addr(std::move(addr_in)),
      name("n" + std::to_string(index_in + 1)),
      priority(priority_in),
      world_(world),
      ids_(0x5eed0000u + uint64_t(index_in)),
      run_id_(world.prng().HexId40()),
      master_(replicaof),
      config_replicaof_(replicaof) {
  history_.Restart(ids_.HexId40());
  StartFence();
}

std::string SimDataNode::RenderInfo() {
  MonoTime now = world_.now();
  std::string s = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nrun_id:" + run_id_ +
                  "\r\ntcp_port:" + std::to_string(addr.port) + "\r\n\r\n# Replication\r\n";
  if (is_master()) {
    s += "role:master\r\n";
    int n = 0;
    std::string lines;
    const datanode::MasterFsm attached = AttachedReplicas();
    for (const auto& [id, r] : attached.replicas()) {
      lines += "slave" + std::to_string(n++) + ":ip=" + r.ip() +
               ",port=" + std::to_string(r.listening_port) +
               ",state=online,offset=" + std::to_string(r.ack_offset) + ",lag=0\r\n";
    }
    s += "connected_slaves:" + std::to_string(n) + "\r\n" + lines;
  } else {
    s += "role:slave\r\nmaster_host:" + master_->host +
         "\r\nmaster_port:" + std::to_string(master_->port) +
         "\r\nmaster_link_status:" + (link_up_ ? "up" : "down") +
         "\r\nmaster_last_io_seconds_ago:0\r\nmaster_sync_in_progress:0\r\n" +
         "slave_read_repl_offset:" + std::to_string(offset()) +
         "\r\nslave_repl_offset:" + std::to_string(offset()) + "\r\n";
    if (!link_up_) {
      int64_t down = link_lost_at_ ? (now - *link_lost_at_).count() / 1000 : -1;
      s += "master_link_down_since_seconds:" + std::to_string(down) + "\r\n";
    }
    s += "slave_priority:" + std::to_string(priority) +
         "\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n";
  }
  const datanode::ReplicationIds& ids = history_.ids();
  s += std::string("master_failover_state:") + failover_.StateName() +
       "\r\nmaster_replid:" + ids.replid + "\r\nmaster_replid2:" + ids.replid2 +
       "\r\nmaster_repl_offset:" + std::to_string(offset()) +
       "\r\nsecond_repl_offset:" + std::to_string(ids.second_replid_offset) + "\r\n" +
       RenderFenceInfo() + "\r\n# CPU\r\nused_cpu_sys:0.000000\r\n";
  return s;
}

void SimDataNode::OnRequest(uint64_t conn, const Message& message) {
  // Service::Execute feeds the fence with each command before running it.
  for (const sentinel::Argv& argv : message.argvs) FeedFence(conn, argv);
  if (HoldWrite(conn, message)) return;
  if (message.argvs.size() > 1) return ExecuteBlock(conn, message);
  Message reply;
  reply.kind = Message::Kind::kReply;
  reply.request = message.request;
  reply.replies.push_back(Execute(conn, message.argvs.at(0)));
  world_.Send(conn, false, std::move(reply));
}

void SimDataNode::ExecuteBlock(uint64_t conn, const Message& message) {
  Message reply;
  reply.kind = Message::Kind::kReply;
  reply.request = message.request;
  bool in_multi = false;
  std::vector<const sentinel::Argv*> queued;
  for (const sentinel::Argv& argv : message.argvs) {
    if (EqualsIgnoreCase(argv[0], "MULTI")) {
      in_multi = true;
      reply.replies.push_back(resp::Value::Simple("OK"));
    } else if (EqualsIgnoreCase(argv[0], "EXEC")) {
      std::vector<resp::Value> results;
      for (const sentinel::Argv* q : queued) results.push_back(Execute(conn, *q));
      reply.replies.push_back(resp::Value::Array(std::move(results)));
      in_multi = false;
      queued.clear();
    } else if (in_multi) {
      queued.push_back(&argv);
      reply.replies.push_back(resp::Value::Simple("QUEUED"));
    } else {
      reply.replies.push_back(Execute(conn, argv));
    }
  }
  world_.Send(conn, false, std::move(reply));
}

resp::Value SimDataNode::SlaveOf(const sentinel::Argv& argv) {
  if (argv.size() != 3) return resp::Value::Error("ERR wrong number of arguments");
  if (failover_.active())
    return resp::Value::Error("ERR REPLICAOF not allowed while failing over.");
  if (EqualsIgnoreCase(argv[1], "NO") && EqualsIgnoreCase(argv[2], "ONE")) {
    if (!is_master()) {
      Promote("promoted to master");
    } else {
      // Already a master (restarted as one): nothing changes here, but a sentinel's failover
      // chose it, which makes it the newest master for the checkers.
      promoted_at_ = world_.now();
    }
    world_.checkers().OnPromotion(world_.now(), *this);
    return resp::Value::Simple("OK");
  }
  int port = 0;
  if (!vigil::ParsePort(argv[2], &port)) return resp::Value::Error("ERR Invalid master port");
  vigil::HostPort target{argv[1], port};
  if (master_ && *master_ == target)
    return resp::Value::Simple("OK Already connected to specified master");
  world_.trace().Add(world_.now(), name, "replicaof " + vigil::FormatHostPort(target));
  if (is_master()) {
    // A master's own history, minus the tail that carries no data
    // (datanode/replication/DESIGN.md, "Rejoining after a failover").
    if (history_.DiscardNonDataTail() > 0) DropReplicas();
    const datanode::ReplicationIds& ids = history_.ids();
    psync_from_ = datanode::ReplPosition{history_.restored_id_unseen() ? ids.replid2 : ids.replid,
                                         history_.offset()};
  }
  master_ = target;
  link_up_ = false;
  link_lost_at_.reset();
  sync_ready_at_.reset();
  return resp::Value::Simple("OK");
}

resp::Value SimDataNode::FailoverTo(const sentinel::Argv& a) {
  datanode::FailoverRequest request;
  int port = 0;
  if (a.size() != 6 || !EqualsIgnoreCase(a[1], "TO") || !EqualsIgnoreCase(a[4], "TIMEOUT") ||
      !vigil::ParsePort(a[3], &port) || !vigil::ParseInt64(a[5], &request.timeout_ms)) {
    return resp::Value::Error("ERR syntax error");
  }
  request.has_target = true;
  request.host = a[2];
  request.port = port;
  std::vector<datanode::FailoverAction> actions;
  const std::string error = failover_.Request(request, !is_master(), AttachedReplicas(),
                                              world_.now().ms, offset(), &actions);
  if (!error.empty()) return resp::Value::Error(error);
  world_.trace().Add(world_.now(), name, "FAILOVER to " + a[2] + ":" + a[3] + ": writes paused");
  ExecuteFailover(actions);
  return resp::Value::Simple("OK");
}

int64_t SimDataNode::KillClients(uint64_t caller, bool pubsub) {
  int64_t killed = 0;
  for (uint64_t id : world_.ServerConns(addr)) {
    SimConn* c = world_.FindConn(id);
    if (c == nullptr || c->subscribed != pubsub) continue;
    if (!pubsub && id == caller) continue;  // SKIPME yes
    world_.CloseConnection(id, true, false);
    ++killed;
  }
  return killed;
}

resp::Value SimDataNode::Execute(uint64_t conn, const sentinel::Argv& a) {
  const std::string& cmd = a.at(0);
  if (EqualsIgnoreCase(cmd, "PING")) return resp::Value::Simple("PONG");
  if (EqualsIgnoreCase(cmd, "INFO")) return resp::Value::Bulk(RenderInfo());
  if (EqualsIgnoreCase(cmd, "SET")) return ClientWrite(a);
  if (EqualsIgnoreCase(cmd, "SLAVEOF") || EqualsIgnoreCase(cmd, "REPLICAOF")) return SlaveOf(a);
  if (EqualsIgnoreCase(cmd, "FAILOVER")) return FailoverTo(a);
  if (EqualsIgnoreCase(cmd, "SUBSCRIBE") && a.size() == 2) {
    if (SimConn* c = world_.FindConn(conn)) c->subscribed = true;
    return resp::Value::Array(
        {resp::Value::Bulk("subscribe"), resp::Value::Bulk(a[1]), resp::Value::Integer(1)});
  }
  if (EqualsIgnoreCase(cmd, "PUBLISH") && a.size() == 3) {
    int64_t receivers = 0;
    if (a[1] == sentinel::kHelloChannel) {
      for (uint64_t id : world_.ServerConns(addr)) {
        SimConn* c = world_.FindConn(id);
        if (c == nullptr || !c->subscribed) continue;
        Message push;
        push.kind = Message::Kind::kPush;
        push.payload = a[2];
        world_.Send(id, false, std::move(push));
        ++receivers;
      }
    }
    Feed(a);  // PUBLISH is propagated, as in Redis
    return resp::Value::Integer(receivers);
  }
  if (EqualsIgnoreCase(cmd, "CONFIG") && a.size() == 2 && EqualsIgnoreCase(a[1], "REWRITE")) {
    config_replicaof_ = master_;
    world_.trace().Add(
        world_.now(), name,
        "config rewritten: " +
            (master_ ? "replicaof " + vigil::FormatHostPort(*master_) : std::string("master")));
    return resp::Value::Simple("OK");
  }
  if (EqualsIgnoreCase(cmd, "CLIENT") && a.size() == 4 && EqualsIgnoreCase(a[1], "KILL")) {
    return resp::Value::Integer(KillClients(conn, EqualsIgnoreCase(a[3], "pubsub")));
  }
  if (EqualsIgnoreCase(cmd, "SCRIPT")) {
    return resp::Value::Error("NOTBUSY No scripts in execution right now.");
  }
  return resp::Value::Error("ERR unknown command '" + cmd + "'");
}

}  // namespace vigil::sim
