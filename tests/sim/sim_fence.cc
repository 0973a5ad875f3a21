// SimDataNode's write fence and client writes: the real datanode::SentinelFence, fed the way
// datanode/service/service_fence.cc and the server's 100 ms heartbeat feed it (see sim_datanode.h).
//
// Order at the end of a pause. A paused node neither ticks nor reads (World::Pump holds its
// input), so after the pause the fence sees a loop gap. The real server, woken by SIGCONT, runs
// the sockets' input and the overdue heartbeat in one event-loop pass, in an order we do not
// rely on: OnContact, OnHello and MayWrite all evaluate the gap since the last heartbeat before
// anything else (SentinelFence::Evaluate), so a gap longer than the timeout raises the fence
// before the queued input counts, whichever of the two the simulator runs first. The writes
// that waited in the sockets during such a pause are therefore refused, as on the real node.
#include <algorithm>

#include "common/base/ascii_case.h"
#include "datanode/replication/sentinel_hello.h"
#include "tests/sim/sim_datanode.h"
#include "tests/sim/world.h"

namespace vigil::sim {
namespace {

constexpr const char* kFencedError =
    "READONLY You can't write against a fenced master: fewer than a majority of its sentinels "
    "reached it within sentinel-fence-timeout, so a failover may be in progress.";

}  // namespace

bool SimDataNode::fencing() const {
  return world_.options().fence_timeout > Millis(0);
}

void SimDataNode::StartFence() {
  fence_ = datanode::SentinelFence{};
  fence_raises_ = 0;
  fence_lifts_ = 0;
  fence_role_master_ = true;  // a new SentinelFence's
  fence_started_ = world_.now();
  fence_known_since_.clear();
  if (!fencing()) return;
  datanode::FenceOptions options;
  options.timeout = world_.options().fence_timeout;
  options.reconfigure_grace = Millis(0);  // the start-up value: sentinels read INFO at once
  fence_.Reconfigure(options, world_.now());
  fence_restored_ = 0;
  if (is_master()) {
    // Service::RestoreFenceMembership: what the last heartbeat before the crash wrote. What
    // the file held counts as known for the checker's premises whatever the fence makes of it,
    // so a fence that failed to restore is caught, not excused as one that knew nobody.
    fence_.Restore(fence_disk_, world_.now());
    fence_restored_ = fence_disk_.sentinels.size();
    fence_known_since_ = fence_disk_known_since_;
    fence_known_since_.resize(std::min(fence_known_since_.size(), fence_restored_));
  }
  SyncFence();
}

void SimDataNode::SyncFence() {
  if (fence_role_master_ != is_master()) {
    fence_role_master_ = is_master();
    fence_started_ = world_.now();
    fence_known_since_.clear();  // SetRole forgets the sentinels
    fence_restored_ = 0;
  }
  fence_.SetRole(is_master());
}

void SimDataNode::FeedFence(uint64_t conn, const sentinel::Argv& argv) {
  if (!fencing() || argv.empty()) return;
  const SimConn* c = world_.FindConn(conn);
  if (c == nullptr) return;
  const std::string id = datanode::SentinelIdFromClientName(c->client_name);
  if (id.empty()) return;
  SyncFence();
  const MonoTime now = world_.now();
  // The real node asks TCP whether the sentinel has acknowledged our earlier replies; here, whether
  // the network carries our traffic to it now. Either way the contact read just before a cut
  // counts although its reply may never arrive: its sentinel's silence clock starts at the
  // previous reply, at most one ping period earlier.
  const bool heard_back = !world_.Blocked(addr.host, c->client_host);
  fence_.OnContact(now, id, heard_back);
  if (argv.size() == 3 && EqualsIgnoreCase(argv[0], "PUBLISH") &&
      argv[1] == datanode::kSentinelHelloChannel) {
    if (std::optional<SentinelHello> hello = datanode::ParseSentinelHello(argv[2])) {
      // The node's address as a sentinel names it: its listening port, and the local address of
      // the connection (no replica-announce-ip in the simulator).
      datanode::NodeAddress self;
      self.port = addr.port;
      self.ips.push_back(addr.host);
      fence_.OnHello(now, *hello, datanode::HelloNamesNode(*hello, self), heard_back);
    }
  }
  NoteFence();
}

void SimDataNode::FenceTick() {
  if (!fencing()) return;
  SyncFence();
  fence_.OnLoopTick(world_.now());
  NoteFence();
  // Service::PersistFenceMembership, on the same heartbeat: a crash loses what changed since.
  if (fence_.membership_changes() != fence_disk_changes_) {
    fence_disk_changes_ = fence_.membership_changes();
    fence_disk_ = fence_.Membership();
    fence_disk_known_since_ = fence_known_since_;
  }
}

void SimDataNode::NoteFence() {
  const MonoTime now = world_.now();
  const size_t known = std::max(fence_.sentinels_known(), fence_restored_);
  if (known < fence_known_since_.size()) fence_known_since_.resize(known);
  while (fence_known_since_.size() < known) fence_known_since_.push_back(now);
  if (fence_.raises() != fence_raises_) {
    fence_raises_ = fence_.raises();
    const datanode::SentinelFence::RaiseRecord& r = fence_.last_raise();
    world_.trace().Add(now, name,
                       std::string("+fence cause=") + datanode::FenceCauseName(r.cause) +
                           " reached=" + std::to_string(r.sentinels_reached) + "/" +
                           std::to_string(r.sentinels_known) + " " + r.contacts);
  }
  if (fence_.lifts() != fence_lifts_) {
    fence_lifts_ = fence_.lifts();
    if (!fence_.fenced()) {
      world_.trace().Add(now, name,
                         "-fence known=" + std::to_string(fence_.sentinels_known()) + " " +
                             fence_.DescribeContacts(now));
    }
  }
}

std::string SimDataNode::RenderFenceInfo() {
  if (!fencing()) return "";
  // After every Redis field of # Replication, as RenderReplicationSection writes it; the
  // sentinels pace their PINGs by fence_timeout_ms.
  SyncFence();
  const MonoTime now = world_.now();
  const std::optional<MonoTime> majority = fence_.last_majority();
  return "fenced:" + std::to_string(fence_.fenced() ? 1 : 0) +
         "\r\nfence_cause:" + datanode::FenceCauseName(fence_.cause()) +
         "\r\nfence_timeout_ms:" + std::to_string(fence_.timeout().count()) +
         "\r\nfence_armed:" + std::to_string(fence_.armed(now) ? 1 : 0) +
         "\r\nfence_sentinels_known:" + std::to_string(fence_.sentinels_known()) +
         "\r\nfence_sentinels_reached:" + std::to_string(fence_.sentinels_reached(now)) +
         "\r\nfence_last_majority_ms:" +
         std::to_string(majority ? std::max<int64_t>(0, (now - *majority).count()) : -1) + "\r\n";
}

resp::Value SimDataNode::ClientWrite(const sentinel::Argv& argv) {
  if (argv.size() != 3) return resp::Value::Error("ERR wrong number of arguments for 'set'");
  Checkers& checkers = world_.checkers();
  if (!is_master()) {
    checkers.OnWriteRefused(false);
    return resp::Value::Error("READONLY You can't write against a read only replica.");
  }
  bool fence_consulted = false;
  if (fencing()) {
    SyncFence();
    const bool allowed = fence_.MayWrite(world_.now());
    fence_consulted = true;
    NoteFence();
    if (!allowed) {
      checkers.OnWriteRefused(true);
      return resp::Value::Error(kFencedError);
    }
  }
  Feed(argv);
  checkers.OnWriteAcked(world_, *this, fence_consulted);
  return resp::Value::Simple("OK");
}

bool SimDataNode::HoldWrite(uint64_t conn, const Message& message) {
  // FAILOVER pauses clients' writes (CLIENT PAUSE WRITE); they run when it ends, on what is then
  // a replica (READONLY) or, if the handoff timed out, on the master still.
  if (!failover_.active() || message.argvs.size() != 1 ||
      !EqualsIgnoreCase(message.argvs[0].at(0), "SET")) {
    return false;
  }
  held_writes_.push_back({conn, message.request, message.argvs[0]});
  return true;
}

void SimDataNode::ReleaseHeldWrites() {
  std::vector<HeldWrite> held;
  held.swap(held_writes_);
  for (const HeldWrite& h : held) {
    const SimConn* c = world_.FindConn(h.conn);
    if (c == nullptr || c->state != SimConn::State::kUp) continue;  // the writer gave up
    Message reply;
    reply.kind = Message::Kind::kReply;
    reply.request = h.request;
    reply.replies.push_back(ClientWrite(h.argv));
    world_.Send(h.conn, false, std::move(reply));
  }
}

}  // namespace vigil::sim
