#pragma once
// SimSentinel: one sentinel process in the simulator, i.e. the production SentinelCore plus the
// thin shell a real process would have: it persists Ready::persist before anything else, runs
// actions against the simulated network, answers PING / PUBLISH hello / is-master-down-by-addr
// from peers, and on a crash keeps only what was persisted.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/core/sentinel_core.h"
#include "sentinel/core/wire.h"

namespace vigil::sim {

class World;
struct Message;

class SimSentinel {
 public:
  SimSentinel(World& world, int index, vigil::HostPort addr, sentinel::PersistentState initial,
              uint64_t seed);

  const int index;
  const vigil::HostPort addr;
  const std::string name;  // "s1"

  bool up() const { return core_ != nullptr; }
  bool paused() const { return paused_; }
  const sentinel::SentinelCore* core() const { return core_.get(); }
  const sentinel::PersistentState& persisted() const { return persisted_; }
  // The myid of the running (or last) incarnation.
  const std::string& myid() const { return myid_; }

  void Tick();
  void Crash();
  void Restart(bool new_identity);
  void Pause(bool paused) { paused_ = paused; }

  // An admin command typed by a scenario ("failover mymaster"); returns the reply text.
  std::string Admin(const std::vector<std::string>& argv);

  // Network callbacks.
  void OnConnected(uint64_t conn);
  void OnDisconnected(uint64_t conn);
  void OnClientMessage(uint64_t conn, const Message& message);
  void OnServerRequest(uint64_t conn, const Message& message);

 private:
  void Step(const sentinel::Input& input);
  void Drain();
  // Writes what the batch asks for to the simulated disk and reports it to the core.
  void WriteState(sentinel::Ready& ready);
  void Execute(const sentinel::Action& action);

  World& world_;
  sentinel::PersistentState initial_;
  sentinel::PersistentState persisted_;
  std::unique_ptr<sentinel::SentinelCore> core_;
  std::string myid_;
  bool paused_ = false;
  uint64_t incarnation_ = 0;
  uint64_t seed_;
  std::map<sentinel::ConnId, uint64_t> conns_;      // core connection → network connection
  std::map<uint64_t, sentinel::ConnId> core_conn_;  // network connection → core connection
  std::map<sentinel::RequestId, sentinel::Command> sent_;
  std::map<sentinel::ClientToken, std::pair<uint64_t, uint64_t>> tokens_;  // → (conn, request)
  std::map<sentinel::ClientToken, resp::Value> admin_replies_;
  sentinel::ClientToken next_token_ = 1;
};

}  // namespace vigil::sim
