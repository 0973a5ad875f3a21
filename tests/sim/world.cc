#include "tests/sim/world.h"

#include <algorithm>

namespace vigil::sim {

using sentinel::Channel;

World::World(const WorldOptions& options)
    : options_(options), prng_(options.seed), trace_(options.print_trace) {
  if (options.writers > 0) {
    clients_ = std::make_unique<SimClients>(*this, options.writers);
    // A fixed phase: a world without writers draws exactly what it drew before they existed.
    queue_.At(now_ + Millis(50), [this] { ClientBeat(); });
  }
}

World::~World() = default;

int World::AddNode(int replica_of, int priority) {
  int index = static_cast<int>(nodes_.size());
  HostPort addr{"10.0.0." + std::to_string(index + 1), 6379};
  std::optional<HostPort> master;
  if (replica_of >= 0) master = nodes_.at(replica_of)->addr;
  nodes_.push_back(std::make_unique<SimDataNode>(*this, index, addr, master, priority));
  // Replication runs on its own 100 ms beat, phase-shifted per node.
  queue_.At(now_ + Millis(1 + static_cast<int64_t>(prng_.Uniform(100))),
            [this, index] { NodeBeat(index); });
  return index;
}

void World::AddSentinels(int count, const std::string& name, int master, int quorum,
                         Millis down_after, Millis failover_timeout, int parallel_syncs) {
  if (master_name_.empty()) master_name_ = name;
  for (int k = 0; k < count; ++k) {
    int index = static_cast<int>(sentinels_.size());
    sentinel::PersistentState initial;
    sentinel::PersistedMaster pm;
    pm.config.name = name;
    pm.config.addr = nodes_.at(master)->addr;
    pm.config.quorum = quorum;
    pm.config.down_after = down_after;
    pm.config.failover_timeout = failover_timeout;
    pm.config.parallel_syncs = parallel_syncs;
    initial.masters.push_back(pm);
    HostPort addr{"10.0.1." + std::to_string(index + 1), 26379};
    uint64_t seed = prng_.Next();
    sentinels_.push_back(std::make_unique<SimSentinel>(*this, index, addr, initial, seed));
    queue_.At(now_ + Millis(static_cast<int64_t>(prng_.Uniform(100))),
              [this, index] { SentinelBeat(index); });
  }
}

void World::NodeBeat(int index) {
  nodes_[index]->ReplicationTick();
  queue_.At(now_ + Millis(100), [this, index] { NodeBeat(index); });
}

void World::ClientBeat() {
  clients_->Tick();
  queue_.At(now_ + Millis(100), [this] { ClientBeat(); });
}

void World::SentinelBeat(int index) {
  sentinels_[index]->Tick();
  queue_.At(now_ + options_.tick_period, [this, index] { SentinelBeat(index); });
}

void World::RunUntil(MonoTime t) {
  while (queue_.RunNext(t, &now_)) {
  }
  now_ = t;
}

void World::RunFor(Millis d) {
  RunUntil(now_ + d);
}

SimDataNode* World::NodeAt(const HostPort& addr) {
  for (auto& n : nodes_) {
    if (n->addr == addr) return n.get();
  }
  return nullptr;
}

SimSentinel* World::SentinelAt(const HostPort& addr) {
  for (auto& s : sentinels_) {
    if (s->addr == addr) return s.get();
  }
  return nullptr;
}

std::string World::Readable(std::string text) const {
  for (const auto& s : sentinels_) {
    const std::string& id = s->myid();
    if (id.empty()) continue;
    for (size_t pos = text.find(id); pos != std::string::npos; pos = text.find(id, pos)) {
      text.replace(pos, id.size(), "<" + s->name + ">");
    }
  }
  return text;
}

// ---------------------------------------------------------------------------- faults

void World::CrashNode(int i) {
  trace_.Add(now_, nodes_[i]->name, "crash");
  nodes_[i]->Crash();
  CloseAllOf(nodes_[i]->addr, true, false, -1);
}

void World::RestartNode(int i) {
  trace_.Add(now_, nodes_[i]->name, "restart");
  nodes_[i]->Restart();
}

void World::PauseNode(int i, bool paused) {
  trace_.Add(now_, nodes_[i]->name, paused ? "pause" : "resume");
  nodes_[i]->Pause(paused);
}

void World::CrashSentinel(int i) {
  if (!sentinels_[i]->up()) return;
  trace_.Add(now_, sentinels_[i]->name, "crash");
  checkers_.OnSentinelCrash(now_, *sentinels_[i]);
  sentinels_[i]->Crash();
  CloseAllOf(sentinels_[i]->addr, true, true, i);
}

void World::RestartSentinel(int i, bool new_identity) {
  if (sentinels_[i]->up()) return;
  trace_.Add(now_, sentinels_[i]->name, new_identity ? "restart new-identity" : "restart");
  sentinels_[i]->Restart(new_identity);
}

void World::PauseSentinel(int i, bool paused) {
  trace_.Add(now_, sentinels_[i]->name, paused ? "pause" : "resume");
  sentinels_[i]->Pause(paused);
}

void World::Block(const std::string& from, const std::string& to) {
  trace_.Add(now_, "net", "block " + from + "->" + to);
  blocked_.insert({from, to});
}

void World::Partition(const std::vector<std::vector<std::string>>& groups) {
  for (size_t a = 0; a < groups.size(); ++a) {
    for (size_t b = 0; b < groups.size(); ++b) {
      if (a == b) continue;
      for (const auto& x : groups[a]) {
        for (const auto& y : groups[b]) blocked_.insert({x, y});
      }
    }
  }
  trace_.Add(now_, "net", "partition into " + std::to_string(groups.size()));
}

void World::Heal() {
  trace_.Add(now_, "net", "heal");
  blocked_.clear();
}

void World::CutConnections(const std::string& host) {
  std::vector<uint64_t> victims;
  for (auto& [id, c] : conns_) {
    if (c.state == SimConn::State::kClosed) continue;
    if (c.server.host == host || c.client_host == host) victims.push_back(id);
  }
  trace_.Add(now_, "net", "cut " + host + " " + std::to_string(victims.size()));
  for (uint64_t id : victims) CloseConnection(id, true, true);
}

void World::CloseAllOf(const HostPort& addr, bool as_server, bool as_client_sentinel, int index) {
  std::vector<uint64_t> victims;
  for (auto& [id, c] : conns_) {
    if (c.state == SimConn::State::kClosed) continue;
    const bool sentinel_client = c.writer < 0 && c.client == index;
    if ((as_server && c.server == addr) || (as_client_sentinel && sentinel_client)) {
      victims.push_back(id);
    }
  }
  for (uint64_t id : victims) {
    SimConn& c = conns_.at(id);
    // The crashed side learns nothing; the other side sees the reset.
    bool client_crashed = as_client_sentinel && c.writer < 0 && c.client == index;
    CloseConnection(id, !client_crashed, client_crashed && c.server != addr);
  }
}

// --------------------------------------------------------------------------- network

bool World::Blocked(const std::string& from, const std::string& to) const {
  return !blocked_.empty() && blocked_.count({from, to}) > 0;
}

Millis World::Latency() {
  const NetworkOptions& n = options_.network;
  if (n.spike_probability > 0 && prng_.Uniform(1'000'000) < n.spike_probability * 1'000'000) {
    return Millis(1 + static_cast<int64_t>(prng_.Uniform(uint64_t(n.spike_latency.count()))));
  }
  int64_t span = (n.max_latency - n.min_latency).count();
  return n.min_latency + Millis(span > 0 ? static_cast<int64_t>(prng_.Uniform(span + 1)) : 0);
}

bool World::ProcessReceiving(const HostPort& addr) const {
  for (const auto& n : nodes_) {
    if (n->addr == addr) return n->up() && !n->paused();
  }
  for (const auto& s : sentinels_) {
    if (s->addr == addr) return s->up() && !s->paused();
  }
  return false;
}

bool World::ServerReachable(const SimConn& c) const {
  return !Blocked(c.client_host, c.server.host) && !Blocked(c.server.host, c.client_host);
}

bool World::ClientReceiving(const SimConn& c) const {
  return c.writer >= 0 || ProcessReceiving(sentinels_[c.client]->addr);
}

uint64_t World::NewConnection(const HostPort& server) {
  uint64_t id = next_conn_++;
  SimConn& c = conns_[id];
  c.id = id;
  c.server = server;
  queue_.At(now_ + Latency() + Latency(), [this, id] { CompleteConnect(id); });
  return id;
}

uint64_t World::OpenConnection(int sentinel_index, const std::string& host,
                               const sentinel::ConnectAction& action) {
  uint64_t id = NewConnection(action.addr);
  SimConn& c = conns_.at(id);
  c.client = sentinel_index;
  c.client_host = host;
  c.client_name = action.client_name;
  c.channel = action.channel;
  c.core_conn = action.conn;
  return id;
}

uint64_t World::OpenClientConnection(int writer, const HostPort& server) {
  uint64_t id = NewConnection(server);
  SimConn& c = conns_.at(id);
  c.writer = writer;
  c.client_host = kClientHost;
  return id;
}

void World::CompleteConnect(uint64_t id) {
  SimConn* c = FindConn(id);
  if (c == nullptr || c->state != SimConn::State::kConnecting) return;
  SimSentinel* client = c->writer < 0 ? sentinels_[c->client].get() : nullptr;
  if (client != nullptr && !client->up()) return;
  if (client != nullptr && client->paused()) {  // the process learns about it when it runs again
    queue_.At(now_ + Millis(50), [this, id] { CompleteConnect(id); });
    return;
  }
  bool server_exists = NodeAt(c->server) != nullptr || SentinelAt(c->server) != nullptr;
  bool server_up = (NodeAt(c->server) && NodeAt(c->server)->up()) ||
                   (SentinelAt(c->server) && SentinelAt(c->server)->up());
  if (!ServerReachable(*c)) {
    // SYN unanswered: the shell's connect timeout fires.
    queue_.At(now_ + options_.network.connect_timeout, [this, id] {
      SimConn* cc = FindConn(id);
      if (cc == nullptr || cc->state != SimConn::State::kConnecting) return;
      if (ServerReachable(*cc)) return CompleteConnect(id);
      CloseConnection(id, true, false);
    });
    return;
  }
  if (!server_exists || !server_up) {  // refused
    CloseConnection(id, true, false);
    return;
  }
  c->state = SimConn::State::kUp;  // a paused server's kernel still completes the handshake
  if (client != nullptr) {
    client->OnConnected(id);
  } else {
    clients_->OnConnected(c->writer, id);
  }
}

SimConn* World::FindConn(uint64_t conn) {
  auto it = conns_.find(conn);
  return it == conns_.end() ? nullptr : &it->second;
}

std::vector<uint64_t> World::ServerConns(const HostPort& addr) {
  std::vector<uint64_t> out;
  for (auto& [id, c] : conns_) {
    if (c.state == SimConn::State::kUp && c.server == addr) out.push_back(id);
  }
  return out;
}

void World::Send(uint64_t conn, bool to_server, Message message) {
  SimConn* c = FindConn(conn);
  if (c == nullptr || c->state != SimConn::State::kUp) return;
  if (options_.network.cut_probability > 0 &&
      prng_.Uniform(1'000'000) < options_.network.cut_probability * 1'000'000) {
    trace_.Add(now_, "net", "reset conn " + std::to_string(conn));
    CloseConnection(conn, true, true);
    return;
  }
  SimConn::Queue& q = to_server ? c->to_server : c->to_client;
  MonoTime arrival = std::max(now_ + Latency(), q.last_arrival);
  q.last_arrival = arrival;
  q.items.emplace_back(arrival, std::move(message));
  SchedulePump(*c, to_server, arrival);
}

void World::SchedulePump(SimConn& c, bool to_server, MonoTime at) {
  SimConn::Queue& q = to_server ? c.to_server : c.to_client;
  if (q.pump_scheduled) return;
  q.pump_scheduled = true;
  uint64_t id = c.id;
  queue_.At(at, [this, id, to_server] { Pump(id, to_server); });
}

void World::Pump(uint64_t id, bool to_server) {
  SimConn* c = FindConn(id);
  if (c == nullptr) return;
  SimConn::Queue& q = to_server ? c->to_server : c->to_client;
  q.pump_scheduled = false;
  while (!q.items.empty() && c->state == SimConn::State::kUp) {
    if (q.items.front().first > now_) return SchedulePump(*c, to_server, q.items.front().first);
    const std::string& client = c->client_host;
    bool blocked = to_server ? Blocked(client, c->server.host) : Blocked(c->server.host, client);
    bool receiving = to_server ? ProcessReceiving(c->server) : ClientReceiving(*c);
    if (blocked || !receiving) {
      // TCP keeps retrying: the bytes arrive once the path (or the process) is back.
      return SchedulePump(*c, to_server, now_ + Millis(50));
    }
    Message m = std::move(q.items.front().second);
    q.items.pop_front();
    Deliver(*c, to_server, std::move(m));
    c = FindConn(id);  // delivery may close connections
    if (c == nullptr) return;
  }
}

void World::Deliver(SimConn& c, bool to_server, Message message) {
  uint64_t id = c.id;
  if (!to_server) {
    if (c.writer >= 0) return clients_->OnReply(c.writer, id, message);
    sentinels_[c.client]->OnClientMessage(id, message);
    return;
  }
  if (SimDataNode* node = NodeAt(c.server)) {
    node->OnRequest(id, message);
  } else if (SimSentinel* s = SentinelAt(c.server)) {
    s->OnServerRequest(id, message);
  }
}

void World::CloseConnection(uint64_t id, bool notify_client, bool notify_server) {
  SimConn* c = FindConn(id);
  if (c == nullptr || c->state == SimConn::State::kClosed) return;
  bool was_up = c->state == SimConn::State::kUp;
  c->state = SimConn::State::kClosed;
  c->to_server.items.clear();
  c->to_client.items.clear();
  (void)notify_server;  // servers keep no per-connection state beyond SimConn itself
  if (notify_client) {
    int client = c->client;
    int writer = c->writer;
    queue_.At(now_ + (was_up ? Latency() : Millis(0)),
              [this, client, writer, id] { NotifyDisconnect(client, writer, id); });
  }
}

void World::NotifyDisconnect(int client, int writer, uint64_t id) {
  if (writer >= 0) return clients_->OnDisconnected(writer, id);
  SimSentinel& s = *sentinels_[client];
  if (!s.up()) return;
  if (s.paused()) {
    queue_.At(now_ + Millis(50),
              [this, client, writer, id] { NotifyDisconnect(client, writer, id); });
    return;
  }
  s.OnDisconnected(id);
}

}  // namespace vigil::sim
