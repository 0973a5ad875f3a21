#include "tests/sim/checkers.h"

#include "common/base/host_port.h"
#include "common/wire/sentinel_hello.h"
#include "tests/sim/event_text.h"
#include "tests/sim/world.h"

namespace vigil::sim {

using sentinel::Event;

void Checkers::Violation(MonoTime now, const std::string& what) {
  violations_.push_back("t=" + std::to_string(now.ms) + " " + what);
}

void Checkers::OnEvent(MonoTime now, const SimSentinel& s, const Event& e) {
  for (const std::string& v : fence_.OnEvent(now, s, e)) Violation(now, v);
  const std::string& id = s.myid();
  if (e.type == "+vote-for-leader") {
    std::vector<std::string> w = EventWords(e.message);
    uint64_t epoch = std::stoull(w.at(1));
    auto key = std::make_tuple(id, e.master, epoch);
    auto [it, inserted] = votes_.emplace(key, w[0]);
    if (!inserted && it->second != w[0]) {
      Violation(now, s.name + " voted twice in epoch " + w[1] + " for " + e.master + ": " +
                         it->second + " then " + w[0]);
    }
  } else if (e.type == "+elected-leader") {
    const sentinel::MasterRecord* m = s.core()->FindMaster(e.master);
    uint64_t epoch = m ? m->failover.epoch : 0;
    auto [it, inserted] = leaders_.emplace(std::make_pair(e.master, epoch), id);
    if (!inserted && it->second != id) {
      Violation(now, "two leaders for " + e.master + " in epoch " + std::to_string(epoch));
    }
  } else if (e.type == "+sdown" || e.type == "-sdown") {
    std::string addr = EventAddress(e.message, "master");
    if (addr.empty()) return;
    auto& windows = sdown_[{id, addr}];
    if (e.type == "+sdown") {
      windows.push_back({now, std::nullopt});
    } else if (!windows.empty() && !windows.back().end) {
      windows.back().end = now;
    }
  } else if (e.type == "+try-failover") {
    const sentinel::MasterRecord* m = s.core()->FindMaster(e.master);
    // Forced (SENTINEL FAILOVER) and coordinated switchovers of a healthy master need no ODOWN;
    // a coordinated one is still elected, which the one-leader-per-epoch check covers.
    if (m == nullptr || m->failover.forced || m->failover.coordinated) return;
    std::string addr = EventAddress(e.message, "master");
    // Peers' answers count for 5 s after they were given; allow for a reply's flight time.
    MonoTime since = now - Millis(5000 + 500);
    int agreeing = 0;
    for (const auto& [key, windows] : sdown_) {
      if (key.second != addr) continue;
      for (const SdownWindow& w : windows) {
        if (!w.end || *w.end >= since) {
          ++agreeing;
          break;
        }
      }
    }
    if (!m->instance.o_down || agreeing < m->config.quorum) {
      Violation(now, s.name + " started a failover of " + e.master + " with " +
                         std::to_string(agreeing) + " sentinels seeing it down, quorum " +
                         std::to_string(m->config.quorum));
    }
  }
}

void Checkers::OnPersist(const SimSentinel& s, const sentinel::PersistentState& next) {
  const sentinel::PersistentState& prev = s.persisted();
  if (prev.myid == next.myid && next.current_epoch < prev.current_epoch) {
    Violation(MonoTime{0}, s.name + " persisted a smaller current epoch");
  }
}

void Checkers::OnBatch(const SimSentinel& s) {
  const sentinel::SentinelCore* core = s.core();
  if (core == nullptr) return;
  uint64_t& seen = epochs_[core->myid()];
  if (core->current_epoch() < seen) {
    Violation(MonoTime{0}, s.name + " current epoch went back from " + std::to_string(seen) +
                               " to " + std::to_string(core->current_epoch()));
  }
  seen = std::max(seen, core->current_epoch());
  for (const auto& [name, m] : core->masters()) {
    uint64_t& config = config_epochs_[{core->myid(), name}];
    if (m.config_epoch < config) {
      Violation(MonoTime{0}, s.name + " config epoch of " + name + " went back");
    }
    config = std::max(config, m.config_epoch);
  }
}

void Checkers::OnRestart(const SimSentinel& s) {
  const sentinel::PersistentState& p = s.persisted();
  if (p.myid.empty()) return;
  epochs_[p.myid] = p.current_epoch;
  for (const auto& pm : p.masters) config_epochs_[{p.myid, pm.config.name}] = pm.config_epoch;
}

void Checkers::OnHelloSent(const SimSentinel& s, const std::string& payload) {
  std::optional<SentinelHello> hello = DecodeSentinelHello(payload);
  if (!hello) {
    Violation(MonoTime{0}, s.name + " sent a malformed hello: " + payload);
    return;
  }
  const sentinel::PersistentState& p = s.persisted();
  if (hello->current_epoch > p.current_epoch) {
    Violation(MonoTime{0}, s.name + " announced epoch " + std::to_string(hello->current_epoch) +
                               " before persisting it");
  }
  for (const auto& pm : p.masters) {
    if (pm.config.name != hello->master_name) continue;
    if (hello->master_config_epoch != pm.config_epoch || !(hello->master == pm.config.addr)) {
      Violation(MonoTime{0}, s.name + " announced " + hello->master_name + " at " +
                                 FormatHostPort(hello->master) + " config epoch " +
                                 std::to_string(hello->master_config_epoch) +
                                 " while its disk says " + FormatHostPort(pm.config.addr) +
                                 " config epoch " + std::to_string(pm.config_epoch));
    }
  }
}

void Checkers::OnVoteRequestSent(const SimSentinel& s, uint64_t epoch) {
  if (epoch > s.persisted().current_epoch) {
    Violation(MonoTime{0}, s.name + " asked for votes in epoch " + std::to_string(epoch) +
                               " before persisting it");
  }
}

void Checkers::OnVoteReplySent(const SimSentinel& s, const sentinel::VoteRequestArgs& args,
                               const resp::Value& reply) {
  if (reply.type != resp::Value::Type::kArray || reply.elements.size() != 3) return;
  const std::string& leader = reply.elements[1].str;
  uint64_t epoch = static_cast<uint64_t>(reply.elements[2].integer);
  if (leader == "*") return;
  for (const auto& pm : s.persisted().masters) {
    if (pm.config.addr.host == args.master.host && pm.config.addr.port == args.master.port &&
        pm.leader_epoch < epoch) {
      Violation(MonoTime{0}, s.name + " sent a vote for epoch " + std::to_string(epoch) +
                                 " before persisting it");
    }
  }
}

void Checkers::OnPromotion(MonoTime now, const SimDataNode& node) {
  fence_.OnPromotion(now, node);
  if (node.priority == 0) Violation(now, node.name + " has priority 0 but was promoted");
}

void Checkers::OnWriteRefused(bool fenced) {
  ++writes_refused_;
  if (fenced) ++writes_fenced_;
}

void Checkers::OnWriteAcked(World& world, const SimDataNode& node, bool fence_consulted) {
  ++writes_acked_;
  if (world.options().fence_timeout <= Millis(0)) return;
  for (const std::string& v : fence_.OnWriteAcked(world, node, fence_consulted)) {
    Violation(world.now(), v);
  }
}

void Checkers::CheckConverged(World& world, const std::string& name) {
  MonoTime now = world.now();
  std::optional<vigil::HostPort> agreed;
  for (auto& s : world.sentinels()) {
    if (!s->up()) continue;
    const sentinel::MasterRecord* m = s->core()->FindMaster(name);
    if (m == nullptr) {
      Violation(now, s->name + " does not monitor " + name);
      return;
    }
    vigil::HostPort addr = m->CurrentAddress();
    if (agreed && !(addr == *agreed)) {
      Violation(now, "sentinels disagree on the master: " + vigil::FormatHostPort(*agreed) +
                         " vs " + vigil::FormatHostPort(addr) + " (" + s->name + ")");
      return;
    }
    agreed = addr;
  }
  if (!agreed) return;
  SimDataNode* master = world.NodeAt(*agreed);
  if (master == nullptr || !master->up() || !master->is_master()) {
    Violation(now, "the agreed master " + vigil::FormatHostPort(*agreed) + " is not a master");
    return;
  }
  // A replica may follow the master through another replica (chained replication is legal
  // and Sentinel leaves replicas it never learned about alone), but every hop must be up.
  for (auto& node : world.nodes()) {
    if (node.get() == master || !node->up()) continue;
    SimDataNode* hop = node.get();
    for (size_t steps = 0; hop != master && hop != nullptr && steps < world.nodes().size();
         ++steps) {
      if (hop->is_master() || !hop->link_up()) {
        hop = nullptr;
        break;
      }
      hop = world.NodeAt(*hop->master());
    }
    if (hop != master) {
      Violation(now, node->name + " does not replicate from the agreed master " + master->name);
      continue;
    }
    // Same stream position, same history, same writes: the replica's dataset is the master's
    // as it was at that offset (the master may have written since).
    if (node->history().ids().replid != master->history().ids().replid) {
      Violation(now, node->name + " follows " + master->name + " under another replication id");
      continue;
    }
    const std::optional<uint64_t> expected = master->DigestAt(node->offset());
    if (node->offset() > master->offset() || (expected && *expected != node->digest())) {
      Violation(now, node->name + " at offset " + std::to_string(node->offset()) +
                         " holds other writes than " + master->name + " had there (master at " +
                         std::to_string(master->offset()) + ")");
    }
  }
}

}  // namespace vigil::sim
