#include "tests/sim/fence_checker.h"

#include <algorithm>

#include "common/base/host_port.h"
#include "tests/sim/event_text.h"
#include "tests/sim/world.h"

namespace vigil::sim {
namespace {

// How long before a failover starts a peer's SDOWN opinion can still count for its ODOWN: the
// 5 s an answer is valid, plus its flight.
constexpr Millis kAnswerValidity{5000 + 500};

// The smallest number of known sentinels whose every majority meets every quorum of `quorum`
// among `n`: maj(k) + quorum > n.
size_t KnownNeeded(size_t n, size_t quorum) {
  for (size_t k = 1; k <= n; ++k) {
    if (k / 2 + 1 + quorum > n) return k;
  }
  return n + 1;
}

}  // namespace

std::vector<std::string> FenceChecker::OnEvent(MonoTime now, const SimSentinel& s,
                                               const sentinel::Event& e) {
  const std::string& id = s.myid();
  if (e.type == "+sdown" || e.type == "-sdown") {
    const std::string addr = EventAddress(e.message, "master");
    if (addr.empty()) return {};
    std::vector<Window>& ws = windows_[addr];
    if (e.type == "+sdown") {
      ws.push_back({id, now, std::nullopt});
      return {};
    }
    for (auto it = ws.rbegin(); it != ws.rend(); ++it) {
      if (it->sentinel == id && !it->end) {
        it->end = now;
        break;
      }
    }
  } else if (e.type == "+try-failover") {
    Failover f = Describe(now, EventAddress(e.message, "master"));
    if (const sentinel::MasterRecord* m = s.core()->FindMaster(e.master)) {
      f.forced = m->failover.forced && !m->failover.coordinated;
      f.coordinated = m->failover.coordinated;
    }
    last_try_[id] = f;
  } else if (e.type == "+selected-slave") {
    auto it = last_try_.find(id);
    const std::string replica = EventAddress(e.message, "slave");
    if (it != last_try_.end() && !replica.empty()) selected_[replica] = it->second;
  } else if (e.type == "+promoted-slave") {
    const std::string addr = EventAddress(e.message, "slave");
    if (!addr.empty()) chosen_[addr] = now;
    return Adopted(now, addr);
  } else if (e.type == "+switch-master") {
    // "<name> <old ip> <old port> <new ip> <new port>"
    std::vector<std::string> w = EventWords(e.message);
    if (w.size() >= 5) return Adopted(now, w[3] + ":" + w[4]);
  }
  return {};
}

std::optional<MonoTime> FenceChecker::Chosen(const SimDataNode& node) const {
  auto it = chosen_.find(FormatHostPort(node.addr));
  if (it == chosen_.end()) return std::nullopt;
  return it->second;
}

std::optional<MonoTime> FenceChecker::Authority(const SimDataNode& node) const {
  std::optional<MonoTime> at = node.promoted_at();
  const std::optional<MonoTime> chosen = Chosen(node);
  if (chosen && (!at || *at < *chosen)) at = chosen;
  return at;
}

std::vector<std::string> FenceChecker::Adopted(MonoTime now, const std::string& addr) {
  std::vector<std::string> out;
  if (addr.empty()) return out;
  adopted_[addr] = now;
  for (auto& [key, c] : candidates_) {
    if (c.confirmed || c.y_addr != addr || c.promoted > now) continue;
    c.confirmed = true;
    stale_ += c.writes;
    out.push_back(c.report + " (adopted by the sentinels at t=" + std::to_string(now.ms) + ")");
  }
  return out;
}

uint64_t FenceChecker::unadopted() const {
  uint64_t n = 0;
  for (const auto& [key, c] : candidates_) n += c.confirmed ? 0 : c.writes;
  return n;
}

FenceChecker::Failover FenceChecker::Describe(MonoTime now, const std::string& addr) const {
  Failover f;
  f.at = now;
  f.addr = addr;
  auto it = windows_.find(addr);
  if (it == windows_.end()) return f;
  std::set<std::string> down_now;
  for (const Window& w : it->second) {
    if (!w.end) down_now.insert(w.sentinel);
    if (!w.end || *w.end >= now - kAnswerValidity) {
      f.earliest_window = f.earliest_window ? std::min(*f.earliest_window, w.start) : w.start;
    }
  }
  f.sdown_now = int(down_now.size());
  return f;
}

void FenceChecker::OnSentinelCrash(MonoTime now, const SimSentinel& s) {
  // Its opinions die with it (the answers it gave still count at peers, within kAnswerValidity).
  for (auto& [addr, ws] : windows_) {
    for (Window& w : ws) {
      if (w.sentinel == s.myid() && !w.end) w.end = now;
    }
  }
}

void FenceChecker::OnPromotion(MonoTime now, const SimDataNode& node) {
  Promotion p;
  p.node = node.name;
  p.addr = FormatHostPort(node.addr);
  p.at = now;
  if (auto it = selected_.find(p.addr); it != selected_.end()) {
    p.failover = it->second;
    selected_.erase(it);
  }
  promotions_.push_back(p);
}

std::string FenceChecker::OutsideProof(World& world, const SimDataNode& node) const {
  const MonoTime now = world.now();
  size_t quorum = world.sentinels().size();
  for (const auto& s : world.sentinels()) {
    for (const auto& pm : s->persisted().masters)
      quorum = std::min(quorum, size_t(pm.config.quorum));
  }
  const size_t n = world.sentinels().size();
  if (quorum < n / 2 + 1) return "quorum below a majority";
  const std::optional<MonoTime> covered = node.fence_known_since(KnownNeeded(n, quorum));
  // The failovers of this node's address since it became master: if the fence could not see
  // what started one of them, it had no reason to rise, and nothing later lowers that.
  const std::string addr = FormatHostPort(node.addr);
  const std::optional<MonoTime> mine = Authority(node);
  for (const Promotion& p : promotions_) {
    if (p.at > now || (mine && p.at <= *mine) || !p.failover || p.failover->addr != addr) continue;
    const Failover& f = *p.failover;
    if (f.coordinated) continue;
    if (f.forced) return "SENTINEL FAILOVER promoted " + p.node + " without an ODOWN";
    if (!covered || (f.earliest_window && *f.earliest_window < *covered)) {
      return "the fence knew too few sentinels when the SDOWN behind " + p.node +
             "'s promotion began";
    }
    if (f.sdown_now < int(quorum)) {
      return "the ODOWN behind " + p.node + "'s promotion counted a stale down answer";
    }
  }
  return "";
}

std::vector<std::string> FenceChecker::OnWriteAcked(World& world, const SimDataNode& node,
                                                    bool fence_consulted) {
  std::vector<std::string> out;
  const MonoTime now = world.now();
  const datanode::SentinelFence& fence = node.fence();
  if (!fence_consulted || fence.fenced()) {
    out.push_back(node.name + " acknowledged a write " +
                  (fence_consulted ? "with its fence up" : "without asking its fence"));
  }
  const std::optional<MonoTime> mine = Authority(node);
  std::vector<const SimDataNode*> newer;
  std::map<const SimDataNode*, MonoTime> since;  // the first time each became newer than us
  for (const auto& other : world.nodes()) {
    // A crashed node keeps its role here: it comes back as what it was, and the sentinels may
    // already have switched to it.
    if (other.get() == &node || !other->is_master()) continue;
    std::optional<MonoTime> theirs;
    for (const std::optional<MonoTime>& t : {other->promoted_at(), Chosen(*other)}) {
      if (t && *t <= now && (!mine || *mine < *t) && (!theirs || *t < *theirs)) theirs = t;
    }
    if (theirs) {
      newer.push_back(other.get());
      since[other.get()] = *theirs;
    }
  }
  if (newer.empty()) return out;
  if (!fence.armed(now) && node.fence_restored() == 0) {
    ++unarmed_;
    return out;
  }
  if (const std::string why = OutsideProof(world, node); !why.empty()) {
    ++outside_proof_;
    if (traced_.insert({node.name, newer.front()->name, since[newer.front()].ms}).second) {
      world.trace().Add(now, node.name,
                        "acknowledged a write after " + newer.front()->name +
                            "'s promotion, outside the fence's proof: " + why);
    }
    return out;
  }
  for (const SimDataNode* other : newer) {
    const MonoTime theirs = since[other];
    Candidate& c = candidates_[{node.name, other->name, theirs.ms}];
    ++c.writes;
    if (c.writes > 1) {
      if (c.confirmed) ++stale_;
      continue;
    }
    c.y_addr = FormatHostPort(other->addr);
    c.promoted = theirs;
    const datanode::SentinelFence::RaiseRecord& r = fence.last_raise();
    c.report = node.name + " (master " +
               (mine ? "since t=" + std::to_string(mine->ms) : std::string("from the start")) +
               ") acknowledged a write at t=" + std::to_string(now.ms) + " after " + other->name +
               " was promoted at t=" + std::to_string(theirs.ms) +
               (other->up() ? "" : " (crashed since)") +
               "; fence known=" + std::to_string(fence.sentinels_known()) +
               " reached=" + std::to_string(fence.sentinels_reached(now)) + " contacts " +
               fence.DescribeContacts(now) + "; raises=" + std::to_string(fence.raises()) +
               " last " + datanode::FenceCauseName(r.cause) +
               " at t=" + std::to_string(fence.raised_at().ms);
    auto adopted = adopted_.find(c.y_addr);
    if (adopted != adopted_.end() && adopted->second >= theirs) {
      c.confirmed = true;
      ++stale_;
      out.push_back(c.report +
                    " (adopted by the sentinels at t=" + std::to_string(adopted->second.ms) + ")");
    }
  }
  return out;
}

}  // namespace vigil::sim
