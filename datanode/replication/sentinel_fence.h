#pragma once
// SentinelFence: decides whether a master may acknowledge a write now, so that a master its
// sentinels can no longer reach stops taking writes before they can promote another node.
//
// The model (datanode/DESIGN.md "Fencing" has the timing argument):
// - The sentinels monitoring this node are the distinct run ids whose hellos, published through
//   this node, name this node as the master. Silence never removes one (a majority partitioned
//   away must not shrink the majority); a new run id announcing the same ip:port replaces the
//   old one (a restarted sentinel), and a role change forgets them all.
// - Contacts are commands on connections named `sentinel-<id>-cmd` (PING about every 300 ms from
//   vigil-sentinel, 1 s from redis-sentinel; INFO; the hello PUBLISH), but only while that
//   sentinel's TCP acknowledges our replies: a master whose outgoing packets are dropped still
//   hears its sentinels, yet to them it is silent.
// - The fence rises when fewer than a majority of the known sentinels made contact within
//   `timeout`, when the event loop did not run for longer than `timeout` (SIGSTOP, swap, a long
//   fork), or when a hello names another node as master with a newer config epoch.
// - Once up it stays up until a majority of the known sentinels each publish, after the fence
//   rose, hellos naming this node (with its config epoch) that span at least `lift_span` of
//   arrival time: PINGs and hellos queued in sockets during a pause or partition arrive in one
//   burst, so only a sentinel that still names this node a publish period later counts. When a
//   sentinel's current epoch moved during the fence an election took place; its result reaches
//   every sentinel through hellos within a few seconds, so that sentinel must keep naming this
//   node for `settle_span` instead.
// - A replica never fences, and neither does a master no sentinel has announced itself to.
//
// Time: everything is fed a MonoTime; contacts count at the time they are read. Input read after
// a loop gap shorter than the timeout is trusted: it waited less than the timeout, which is why
// the timeout must be at most half of down-after-milliseconds (DESIGN.md has the bound). A
// longer gap is a stall: the fence rises before that input counts for anything.
// Pure: no clock, no I/O; the server shell feeds it (server.cc).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/time/mono_time.h"
#include "datanode/replication/fence_membership.h"
#include "datanode/replication/sentinel_hello.h"

namespace vigil::datanode {

enum class FenceCause { kNone, kSentinelsLost, kLoopStalled, kSuperseded, kRestarted };
const char* FenceCauseName(FenceCause cause);

struct FenceOptions {
  Millis timeout{0};  // sentinel-fence-timeout; 0 = never fence (Redis behaviour)
  Millis lift_span{1000};
  Millis settle_span{6000};
  size_t max_sentinels = 64;  // hellos from further run ids are ignored
  // After a runtime change of the timeout the fence stays down this long: vigil-sentinel paces
  // its PINGs to a master by the fence_timeout_ms it reads in INFO, polled every 10 s, and until
  // then pings at the old pace, which the new timeout would read as sentinels lost.
  Millis reconfigure_grace{11000};
};

class SentinelFence {
 public:
  explicit SentinelFence(FenceOptions options = {});

  // A new configuration forgets everything learned (the way to drop a retired sentinel) and
  // keeps the fence down for `reconfigure_grace` from `now`.
  void Reconfigure(FenceOptions options, MonoTime now);
  // The node's role. A change (promotion, demotion) forgets the sentinels and lowers the fence.
  void SetRole(bool master);

  // The loop's periodic timer: the heartbeat that stall detection and crediting rely on.
  void OnLoopTick(MonoTime now);
  // Any command on a connection named sentinel-<id>-cmd. `heard_back` false: our earlier
  // replies on that connection were still unacknowledged by the sentinel's TCP when this input
  // was read, so the sentinel is not hearing us (a one-way cut): the contact does not count,
  // since that sentinel sees this master as silent and may be about to replace it.
  void OnContact(MonoTime now, std::string_view sentinel_id, bool heard_back = true);
  // A hello published through this node; `names_this_node` from HelloNamesNode. A hello that
  // was not `heard_back` counts neither as contact nor as evidence to lift the fence (one
  // naming another node still supersedes us).
  void OnHello(MonoTime now, const SentinelHello& hello, bool names_this_node,
               bool heard_back = true);

  // Whether a write may execute now (raises the fence first if it is due).
  bool MayWrite(MonoTime now);

  // --- across restarts (fence_membership.h) ---
  // What to keep on disk; it changes when membership_changes() does.
  FenceMembership Membership() const;
  uint64_t membership_changes() const { return membership_changes_; }
  // A restarted master's memory of its sentinels (call after Reconfigure, as a master). They
  // count as known again at once but none as heard, so the fence is up (cause "restarted")
  // until a majority of them show, as after any raise, that they still name this node master.
  // An empty membership changes nothing: a node no sentinel knew starts unfenced.
  void Restore(const FenceMembership& membership, MonoTime now);

  // --- queries (INFO, logs) ---
  bool enabled() const { return options_.timeout.count() > 0; }
  // Whether the fence could rise now: enabled, a master, sentinels known, no grace running.
  bool armed(MonoTime now) const { return Active() && !InGrace(now); }
  Millis timeout() const { return options_.timeout; }
  bool fenced() const { return fenced_; }
  FenceCause cause() const { return cause_; }
  size_t sentinels_known() const { return members_.size(); }
  // Known sentinels with a contact inside the timeout at `now`.
  size_t sentinels_reached(MonoTime now) const;
  // The latest time at which a majority of the known sentinels had all made contact.
  std::optional<MonoTime> last_majority() const;
  // Counted so a shell can log what happened between its looks: the fence can rise on input
  // and be lifted (a demotion) before the shell's next tick. A stall while already fenced counts
  // as a raise too: it voids the evidence gathered so far.
  uint64_t raises() const { return raises_; }
  uint64_t lifts() const { return lifts_; }
  struct RaiseRecord {
    FenceCause cause = FenceCause::kNone;
    size_t sentinels_reached = 0;
    size_t sentinels_known = 0;
    std::string contacts;  // DescribeContacts at the raise
  };
  const RaiseRecord& last_raise() const { return last_raise_; }
  MonoTime raised_at() const { return raised_at_; }
  // "<id>:<ms since last contact or ->,..." for logs: which sentinel went quiet, and when.
  std::string DescribeContacts(MonoTime at) const;

 private:
  struct Member {
    std::string runid;
    std::string ip;
    int64_t port = 0;
    std::optional<MonoTime> last_contact;
    uint64_t current_epoch = 0;
    uint64_t epoch_at_fence = 0;
    std::optional<MonoTime> evidence_since;  // first hello naming us after the fence rose
    bool evidence_ready = false;
  };

  bool Active() const { return enabled() && master_ && !members_.empty(); }
  bool InGrace(MonoTime now) const { return grace_until_ && now < *grace_until_; }
  Member* Learn(const SentinelHello& hello);
  void NoteEvidence(Member& m, MonoTime at, const SentinelHello& hello);
  void NoteEpoch(Member& m, uint64_t current_epoch);
  void Evaluate(MonoTime now);
  void Raise(MonoTime now, FenceCause cause);
  void Forget();
  size_t Majority() const { return members_.size() / 2 + 1; }

  FenceOptions options_;
  bool master_ = true;
  std::optional<MonoTime> last_tick_;
  std::optional<MonoTime> grace_until_;
  std::map<std::string, Member> members_;  // by short id (run id prefix)
  std::set<std::string> master_names_;     // the names our sentinels monitor us under
  std::optional<uint64_t> config_epoch_;   // the newest config epoch naming this node
  bool fenced_ = false;
  FenceCause cause_ = FenceCause::kNone;
  MonoTime raised_at_{};
  uint64_t raises_ = 0;
  uint64_t lifts_ = 0;
  uint64_t membership_changes_ = 0;
  RaiseRecord last_raise_;
};

}  // namespace vigil::datanode
