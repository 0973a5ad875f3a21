#pragma once
// FenceChecker: the write fence's guarantee (datanode/DESIGN.md, "Fencing"), checked on every
// client write a node acknowledges, in worlds with WorldOptions::fence_timeout set.
//
// The property: no write is acknowledged by a master X at time t while another node Y, promoted
// at t_Y <= t after X became master (or, for an original master, at any time), is still a master
// or crashed as one: at most one writable master at any instant, so no acknowledged write is one
// a failover discards. X becomes master by promotion or, for this check, by any SLAVEOF NO ONE
// sent to it (a sentinel's failover that selects a node already master renews its authority).
// A fenced master acknowledging anything, or a write that skipped MayWrite, is reported too.
//
// Such a write is lost only if the sentinels adopt Y: a failover that times out before its
// leader sees the promotion is abandoned (the SLAVEOF NO ONE may even arrive after that, held in
// a partition), the sentinels keep X, X's fence may rightly lift, and Y is reconverted to a
// replica of X later. So a write is a violation once some sentinel adopts Y (+promoted-slave
// from the leader, whose hellos then name Y, or +switch-master to Y): at once if that already
// happened, else when it does. Writes on X after a promotion nobody adopts are only counted.
//
// The guarantee has premises; writes outside them are counted, never reported:
// - the fence is armed: some sentinel has announced itself to it since the node started or
//   changed role ("a master no sentinel has announced itself to never fences");
// - every sentinel's quorum is at least a majority;
// - the fence already knew enough sentinels that any majority of them meets every quorum
//   (maj(known) + quorum > N), from before the SDOWN windows that led to the failover began.
//   A restarted master gets them back from its membership file, written on the heartbeat; one
//   learned less than a heartbeat before a crash is lost, and its silence is invisible to the
//   restarted fence (the proof counts a silence only from a contact the fence has seen);
// - the failover's ODOWN rested on SDOWN opinions held at that moment: a leader counting a
//   peer's "down" answer up to 5 s old, given before that peer heard the master again, is the
//   case DESIGN.md names outside the proof.
// - the failover was not forced by an operator (SENTINEL FAILOVER needs no ODOWN); a
//   COORDINATED switchover is checked without these premises, since the FAILOVER handoff
//   demotes the old master before the new one promotes itself.
// A failover is tied to a promotion through the leader's +try-failover and +selected-slave.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/time/mono_time.h"
#include "sentinel/core/events.h"

namespace vigil::sim {

class SimDataNode;
class SimSentinel;
class World;

class FenceChecker {
 public:
  // Returns the violations that an adoption confirms.
  std::vector<std::string> OnEvent(MonoTime now, const SimSentinel& s, const sentinel::Event& e);
  void OnSentinelCrash(MonoTime now, const SimSentinel& s);
  void OnPromotion(MonoTime now, const SimDataNode& node);
  // Returns the violations of one acknowledged write.
  std::vector<std::string> OnWriteAcked(World& world, const SimDataNode& node,
                                        bool fence_consulted);

  // Writes acknowledged by a superseded master: with an unarmed fence, outside the proof's other
  // premises, and inside them (violations).
  uint64_t unarmed() const { return unarmed_; }
  uint64_t outside_proof() const { return outside_proof_; }
  uint64_t stale() const { return stale_; }
  // Writes on a master after the promotion of another node that no sentinel adopted (yet).
  uint64_t unadopted() const;

 private:
  struct Window {
    std::string sentinel;  // myid
    MonoTime start{0};
    std::optional<MonoTime> end;
  };
  // A failover as its leader started it: which master address, and what the sentinels held then.
  struct Failover {
    MonoTime at{0};
    std::string addr;   // "ip:port" of the master failed over
    int sdown_now = 0;  // sentinels with an SDOWN window on addr open at `at`
    // SENTINEL FAILOVER: no ODOWN, so outside the proof. A COORDINATED one is not: the FAILOVER
    // handoff demotes the old master before the new one promotes itself.
    bool forced = false;
    bool coordinated = false;
    // The earliest start among the windows on addr that could have fed the ODOWN (open at
    // some time within the 5 s a peer's answer counts, plus its flight).
    std::optional<MonoTime> earliest_window;
  };
  struct Promotion {
    std::string node;
    std::string addr;
    MonoTime at{0};
    std::optional<Failover> failover;
  };

  // Writes of master `x` after `y`'s promotion at `promoted`.
  struct Candidate {
    std::string y_addr;
    MonoTime promoted{0};
    uint64_t writes = 0;
    bool confirmed = false;
    std::string report;  // the first write, with the fence's state then
  };

  Failover Describe(MonoTime now, const std::string& addr) const;
  std::vector<std::string> Adopted(MonoTime now, const std::string& addr);
  // The last +promoted-slave naming `node`.
  std::optional<MonoTime> Chosen(const SimDataNode& node) const;
  // When `node` last became the newest master: its promotion, or a failover choosing it.
  std::optional<MonoTime> Authority(const SimDataNode& node) const;
  // Why a stale write by `node` is outside the fence's proof ("" when it is inside).
  std::string OutsideProof(World& world, const SimDataNode& node) const;

  std::map<std::string, std::vector<Window>> windows_;  // by master address
  std::map<std::string, Failover> last_try_;            // by leader myid
  std::map<std::string, Failover> selected_;            // by selected replica address
  std::vector<Promotion> promotions_;
  std::map<std::string, MonoTime> adopted_;  // address → last time a sentinel adopted it
  // Address → the last +promoted-slave for it: a leader's failover chose that node. A node that
  // already was a master (restarted as one) may be chosen without executing SLAVEOF NO ONE
  // (the leader sees role:master in its INFO first), yet it is the newest master from then on.
  // Only the leader's event counts: a sentinel learning of an old promotion late through a
  // hello (+switch-master) confers nothing.
  std::map<std::string, MonoTime> chosen_;
  // (x, y, y's promotion time).
  std::map<std::tuple<std::string, std::string, int64_t>, Candidate> candidates_;
  std::set<std::tuple<std::string, std::string, int64_t>> traced_;
  uint64_t unarmed_ = 0;
  uint64_t outside_proof_ = 0;
  uint64_t stale_ = 0;
};

}  // namespace vigil::sim
