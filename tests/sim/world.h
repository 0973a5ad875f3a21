#pragma once
// World: one deterministic universe for the simulator and the scenario tests. It owns the virtual
// clock and event queue, a TCP-like network with seeded faults (latency, cuts, partitions,
// pauses), N sentinel processes running the production SentinelCore, M simulated data nodes and,
// optionally, writers on a client host (sim_client.h) and the data nodes' write fence.
// Everything is driven from one thread by one seed.
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/random/prng.h"
#include "sentinel/core/wire.h"
#include "tests/sim/checkers.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_datanode.h"
#include "tests/sim/sim_sentinel.h"
#include "tests/sim/trace.h"

namespace vigil::sim {

using resp::Value;
using sentinel::Argv;
using vigil::HostPort;

struct NetworkOptions {
  Millis min_latency{0};
  Millis max_latency{2};
  double spike_probability = 0.0;  // a message takes up to spike_latency instead
  Millis spike_latency{200};
  double cut_probability = 0.0;  // per message: the connection is reset instead
  Millis connect_timeout{1000};
};

struct WorldOptions {
  uint64_t seed = 1;
  bool print_trace = false;
  NetworkOptions network;
  sentinel::CoreOptions core;  // for every sentinel
  Millis tick_period{100};
  bool keep_event_log = false;  // scenario tests read events back with TakeEvents()
  // The data nodes' sentinel-fence-timeout (datanode/replication/sentinel_fence.h); 0 = off, as
  // on a node without the option. DESIGN.md ("Fencing") wants it at most down-after / 2.
  Millis fence_timeout{0};
  // Writers on the client host kClientHost. 0: no clients, and a master writes to itself every
  // tick instead (the model the regression seeds were found with, kept bit for bit).
  int writers = 0;
};

inline constexpr const char* kClientHost = "10.0.2.1";

// A message on one direction of a connection.
struct Message {
  enum class Kind { kRequest, kReply, kPush };
  Kind kind = Kind::kRequest;
  uint64_t request = 0;  // matches a reply to its request
  std::vector<Argv> argvs;
  std::vector<resp::Value> replies;
  std::string payload;  // kPush: hello payload
};

struct SimConn {
  uint64_t id = 0;
  int client = 0;   // sentinel index, when writer < 0
  int writer = -1;  // the SimClients writer that opened it, or -1
  std::string client_host;
  std::string client_name;  // CLIENT SETNAME sent first (sentinel-<id>-cmd / -pubsub)
  HostPort server;
  sentinel::Channel channel = sentinel::Channel::kCommand;
  sentinel::ConnId core_conn = 0;
  enum class State { kConnecting, kUp, kClosed } state = State::kConnecting;
  bool subscribed = false;  // server side: SUBSCRIBE __sentinel__:hello seen
  struct Queue {
    std::deque<std::pair<MonoTime, Message>> items;
    MonoTime last_arrival{0};
    bool pump_scheduled = false;
  } to_server, to_client;
};

class World {
 public:
  explicit World(const WorldOptions& options);
  ~World();

  // --- building the world ---
  // Data nodes n1..nM: 10.0.0.<i>:6379. `master` < 0 makes node i a master, else a replica of it.
  int AddNode(int replica_of, int priority = 100);
  // Sentinels s1..sN: 10.0.1.<i>:26379, all monitoring `name` at node `master`.
  void AddSentinels(int count, const std::string& name, int master, int quorum, Millis down_after,
                    Millis failover_timeout, int parallel_syncs = 1);

  // --- time ---
  MonoTime now() const { return now_; }
  void RunFor(Millis d);
  void RunUntil(MonoTime t);

  // --- faults ---
  void CrashNode(int i);
  void RestartNode(int i);
  void PauseNode(int i, bool paused);
  void CrashSentinel(int i);
  // `new_identity`: the sentinel comes back with its configuration but a fresh myid and no
  // epochs or votes (as if its state file was lost).
  void RestartSentinel(int i, bool new_identity = false);
  void PauseSentinel(int i, bool paused);
  // Blocks traffic from host `from` to host `to` (one direction).
  void Block(const std::string& from, const std::string& to);
  // Splits all hosts into groups; traffic between groups is blocked both ways.
  void Partition(const std::vector<std::vector<std::string>>& groups);
  void Heal();
  // Resets every connection touching `host`.
  void CutConnections(const std::string& host);

  // --- observation ---
  std::vector<std::unique_ptr<SimSentinel>>& sentinels() { return sentinels_; }
  std::vector<std::unique_ptr<SimDataNode>>& nodes() { return nodes_; }
  SimClients* clients() { return clients_.get(); }
  // The master name the sentinels monitor (the first AddSentinels call's).
  const std::string& master_name() const { return master_name_; }
  SimDataNode* NodeAt(const HostPort& addr);
  SimSentinel* SentinelAt(const HostPort& addr);
  Trace& trace() { return trace_; }
  Checkers& checkers() { return checkers_; }
  Prng& prng() { return prng_; }
  const WorldOptions& options() const { return options_; }
  // Every sentinel event in emission order as "<sN> <type> <message>" (keep_event_log only).
  void LogEvent(const std::string& who, const std::string& line) {
    if (options_.keep_event_log) event_log_.push_back(who + " " + line);
  }
  std::vector<std::string> TakeEvents() {
    std::vector<std::string> out;
    out.swap(event_log_);
    return out;
  }
  // Replaces sentinel run ids by "<sN>" for readable output.
  std::string Readable(std::string text) const;

  // --- network, used by SimSentinel and SimDataNode ---
  // A sentinel's connection; `host` is its own (it may still be under construction).
  uint64_t OpenConnection(int sentinel_index, const std::string& host,
                          const sentinel::ConnectAction& action);
  // A writer's connection from the client host to `server` (a node or a sentinel).
  uint64_t OpenClientConnection(int writer, const HostPort& server);
  void Send(uint64_t conn, bool to_server, Message message);
  // Closes `conn`; the side(s) that did not initiate it learn of it after a latency.
  void CloseConnection(uint64_t conn, bool notify_client, bool notify_server);
  SimConn* FindConn(uint64_t conn);
  // All open connections served by the process at `addr`.
  std::vector<uint64_t> ServerConns(const HostPort& addr);
  void Schedule(MonoTime t, EventQueue::Fn fn) { queue_.At(t, std::move(fn)); }
  bool Blocked(const std::string& from, const std::string& to) const;

 private:
  Millis Latency();
  void NodeBeat(int index);
  void SentinelBeat(int index);
  void ClientBeat();
  void NotifyDisconnect(int client, int writer, uint64_t conn);
  bool ServerReachable(const SimConn& c) const;
  // The client process of `c` is running (writers always are).
  bool ClientReceiving(const SimConn& c) const;
  uint64_t NewConnection(const HostPort& server);
  void SchedulePump(SimConn& c, bool to_server, MonoTime at);
  void Pump(uint64_t conn, bool to_server);
  void Deliver(SimConn& c, bool to_server, Message message);
  void CompleteConnect(uint64_t conn);
  bool ProcessReceiving(const HostPort& addr) const;
  void CloseAllOf(const HostPort& addr, bool as_server, bool as_client_sentinel, int index);

  WorldOptions options_;
  Prng prng_;
  Trace trace_;
  Checkers checkers_;
  EventQueue queue_;
  MonoTime now_{0};
  std::vector<std::unique_ptr<SimSentinel>> sentinels_;
  std::vector<std::unique_ptr<SimDataNode>> nodes_;
  std::unique_ptr<SimClients> clients_;
  std::string master_name_;
  std::map<uint64_t, SimConn> conns_;
  uint64_t next_conn_ = 1;
  std::set<std::pair<std::string, std::string>> blocked_;
  std::vector<std::string> event_log_;
};

}  // namespace vigil::sim
