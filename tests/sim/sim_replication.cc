// SimDataNode's replication: the real ReplicationHistory, DecidePsync and FailoverHandoff behind
// a modelled transport (see sim_datanode.h).
#include "common/base/ascii_case.h"
#include "common/base/decimal.h"
#include "common/resp/value.h"
#include "datanode/replication/stream_data_mark.h"
#include "tests/sim/sim_datanode.h"
#include "tests/sim/world.h"

namespace vigil::sim {
namespace {

// Writes carry about 100 bytes each, so offsets grow as they did in the model this replaced.
constexpr size_t kValueBytes = 60;
// The smallest backlog Redis allows: a replica cut off for ~15 s of writes needs a full sync.
constexpr int64_t kBacklogBytes = datanode::ReplicationHistory::kMinBacklogSize;
// A master PINGs its replicas every repl-ping-replica-period (10 s).
constexpr int64_t kPingEveryTicks = 100;

uint64_t Mix(uint64_t digest, std::string_view value) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : value) h = (h ^ uint8_t(c)) * 1099511628211ull;
  return (digest ^ h) * 0x9e3779b97f4a7c15ull + 1;
}

// The commands in `bytes`, which this simulator wrote as RESP multibulk. Returns false on a
// malformed stream (it cannot happen unless the stream is cut somewhere wrong).
struct StreamCommand {
  std::string_view bytes;
  std::vector<std::string_view> argv;
};
bool SplitCommands(std::string_view bytes, std::vector<StreamCommand>* out) {
  size_t pos = 0;
  auto line = [&](std::string_view* text) {
    size_t end = bytes.find("\r\n", pos);
    if (end == std::string_view::npos) return false;
    *text = bytes.substr(pos, end - pos);
    pos = end + 2;
    return true;
  };
  while (pos < bytes.size()) {
    const size_t start = pos;
    std::string_view head;
    int64_t n = 0;
    if (!line(&head) || head.empty() || head[0] != '*' || !ParseInt64(head.substr(1), &n)) {
      return false;
    }
    StreamCommand c;
    for (int64_t i = 0; i < n; ++i) {
      std::string_view len_text;
      int64_t len = 0;
      if (!line(&len_text) || len_text.empty() || len_text[0] != '$' ||
          !ParseInt64(len_text.substr(1), &len) || pos + size_t(len) + 2 > bytes.size()) {
        return false;
      }
      c.argv.push_back(bytes.substr(pos, size_t(len)));
      pos += size_t(len) + 2;
    }
    c.bytes = bytes.substr(start, pos - start);
    out->push_back(c);
  }
  return true;
}

}  // namespace

std::optional<uint64_t> SimDataNode::DigestAt(int64_t offset) const {
  auto it = digests_.upper_bound(offset);
  if (it == digests_.begin()) return std::nullopt;
  return std::prev(it)->second;
}

datanode::MasterFsm SimDataNode::AttachedReplicas() const {
  datanode::MasterFsm fsm;
  for (const auto& node : world_.nodes()) {
    if (!node->up() || node->is_master() || !node->link_up() || *node->master() != addr) continue;
    datanode::ReplicaRecord& r =
        fsm.Attach(uint64_t(node->index) + 1, node->addr.host, world_.now());
    r.listening_port = node->addr.port;
    r.state = datanode::ReplicaSyncState::kOnline;
    r.ack_offset = node->offset();
  }
  return fsm;
}

void SimDataNode::AppendCommand(std::string_view bytes, std::string_view command,
                                const std::string* value) {
  if (value != nullptr) digest_ = Mix(digest_, *value);
  if (history_.backlog() != nullptr || !is_master()) {
    history_.Append(bytes, datanode::CarriesNoData(command) ? 0 : bytes.size());
  }
  if (value != nullptr) {
    digests_[history_.offset()] = digest_;
    while (digests_.size() > 4096) digests_.erase(digests_.begin());
  }
}

void SimDataNode::Feed(const std::vector<std::string>& argv) {
  // FAILOVER pauses writes and may-replicate commands (PUBLISH) alike, as CLIENT PAUSE WRITE.
  if (!up_ || !is_master() || failover_.active()) return;
  const std::string bytes = resp::EncodeCommand(argv);
  const bool write = EqualsIgnoreCase(argv[0], "SET");
  AppendCommand(bytes, argv[0], write ? &argv[2] : nullptr);
}

void SimDataNode::Apply(std::string_view bytes) {
  std::vector<StreamCommand> commands;
  if (!SplitCommands(bytes, &commands)) {
    world_.checkers().Violation(world_.now(), name + " received a stream cut mid-command");
    return;
  }
  for (const StreamCommand& c : commands) {
    std::string value;
    const bool write = EqualsIgnoreCase(c.argv[0], "SET") && c.argv.size() == 3;
    if (write) value.assign(c.argv[2]);
    AppendCommand(c.bytes, c.argv[0], write ? &value : nullptr);
  }
}

void SimDataNode::Sync(SimDataNode& m) {
  if (m.is_master() && m.history_.backlog() == nullptr) {
    // The master's first replica: a new history begins, with a backlog to continue it.
    m.history_.SetBacklogSize(kBacklogBytes);
    m.history_.Restart(m.ids_.HexId40());
    m.history_.EnsureBacklog();
  }
  datanode::PsyncRequest request;
  if (psync_from_) {
    request.replid = psync_from_->replid;
    request.offset = psync_from_->offset + 1;
  } else {
    request.replid = "?";
  }
  const datanode::PsyncDecision d = m.history_.DecidePsync(request);
  const std::string& master_id = m.history_.ids().replid;
  if (d.kind == datanode::PsyncDecision::Kind::kContinue) {
    ++partial_syncs_;
    if (history_.ids().replid != master_id) {
      // +CONTINUE <new id>: our replicas must learn the new name too.
      history_.Shift(master_id);
      DropReplicas();
    }
    Apply(m.history_.backlog()->CopyFrom(d.from_offset));
    world_.trace().Add(world_.now(), name, "partial sync from " + m.name);
  } else {
    ++full_syncs_;
    // The snapshot: the master's dataset at its offset; our own replicas start over.
    history_.SetBacklogSize(kBacklogBytes);
    history_.Adopt(master_id, m.history_.offset());
    digest_ = m.digest_;
    digests_.clear();
    digests_[history_.offset()] = digest_;
    DropReplicas();
    world_.trace().Add(
        world_.now(), name,
        "full sync from " + m.name + (d.partial_attempt_failed ? " (" + d.reason + ")" : ""));
  }
  master_generation_ = m.generation_;
  psync_from_ = datanode::ReplPosition{master_id, history_.offset()};
}

void SimDataNode::FollowStream(SimDataNode& m) {
  const datanode::Backlog* backlog = m.history_.backlog();
  const int64_t next = offset() + 1;
  if (m.generation_ != master_generation_ || backlog == nullptr || m.offset() < offset() ||
      (m.offset() > offset() && !backlog->CanServe(next))) {
    // The master dropped its replicas (or its stream no longer continues ours): reconnect.
    LinkDown(world_.now());
    return;
  }
  if (m.offset() > offset()) Apply(backlog->CopyFrom(next));
  psync_from_ = datanode::ReplPosition{m.history_.ids().replid, history_.offset()};
}

bool SimDataNode::Reaches(const SimDataNode* m) const {
  return m != nullptr && m->up() && !m->paused() && !world_.Blocked(addr.host, m->addr.host) &&
         !world_.Blocked(m->addr.host, addr.host);
}

void SimDataNode::LinkDown(MonoTime now) {
  if (link_up_) {
    link_up_ = false;
    link_lost_at_ = now;
  }
  sync_ready_at_.reset();
}

void SimDataNode::ReplicationTick() {
  if (!up_ || paused_) return;
  MonoTime now = world_.now();
  FenceTick();  // the server's 100 ms fence timer
  if (failover_.active()) AdvanceFailover(now);
  if (!failover_.active()) ReleaseHeldWrites();
  if (is_master()) {
    if (failover_.active()) return;  // writes and PINGs are paused
    if (world_.clients() != nullptr) {
      if (++master_ticks_ % kPingEveryTicks == 0) Feed({"PING"});
      return;
    }
    Feed({"SET", "k" + std::to_string(writes_ % 1000),
          name + ":" + std::to_string(writes_) + std::string(kValueBytes, 'v')});
    if (++writes_ % kPingEveryTicks == 0) Feed({"PING"});
    return;
  }
  SimDataNode* m = world_.NodeAt(*master_);
  if (!Reaches(m) || now < broken_until_) return LinkDown(now);
  if (!link_up_) {
    if (!sync_ready_at_) {
      sync_ready_at_ = now + Millis(100 + static_cast<int64_t>(world_.prng().Uniform(500)));
    }
    if (now < *sync_ready_at_) return;
    sync_ready_at_.reset();
    Connect(*m);
    return;
  }
  FollowStream(*m);
}

void SimDataNode::Connect(SimDataNode& m) {
  // A replica without its own master link refuses to serve a sync (NOMASTERLINK).
  if (!m.is_master() && !m.link_up() && !psync_failover_) return;
  if (psync_failover_) {
    // PSYNC <replid> <offset> FAILOVER: the target promotes itself if the id is its master's.
    psync_failover_ = false;
    if (m.is_master() || m.history_.ids().replid != psync_from_->replid) return;
    m.PromoteByFailover();
    world_.trace().Add(world_.now(), name, "handed over to " + m.name);
    link_up_ = true;
    const int full_before = full_syncs_;
    Sync(m);
    if (full_syncs_ != full_before) {
      world_.checkers().Violation(world_.now(),
                                  name + " needed a full sync after handing over to " + m.name);
    }
    ++failover_handoffs_;
    return;
  }
  link_up_ = true;
  Sync(m);
}

void SimDataNode::Promote(const std::string& why) {
  master_.reset();
  link_up_ = false;
  history_.Shift(ids_.HexId40());
  DropReplicas();  // they reconnect and continue through replid2
  promoted_at_ = world_.now();
  world_.trace().Add(world_.now(), name, why);
}

void SimDataNode::AdvanceFailover(MonoTime now) {
  std::vector<datanode::FailoverAction> actions;
  failover_.Tick(now.ms, offset(), history_.ids().replid, AttachedReplicas(), link_up_, &actions);
  ExecuteFailover(actions);
}

void SimDataNode::ExecuteFailover(const std::vector<datanode::FailoverAction>& actions) {
  for (const datanode::FailoverAction& action : actions) {
    if (const auto* h = std::get_if<datanode::failover_action::HandOver>(&action)) {
      // We follow the target at once (ConnectNow), asking PSYNC ... FAILOVER.
      master_ = vigil::HostPort{h->host, int(h->port)};
      psync_from_ = h->position;
      psync_failover_ = true;
      link_up_ = false;
      link_lost_at_.reset();
      sync_ready_at_.reset();
      if (SimDataNode* t = world_.NodeAt(*master_); Reaches(t)) Connect(*t);
    } else if (const auto* p = std::get_if<datanode::failover_action::Promote>(&action)) {
      Promote(p->why);
    } else if (const auto* e = std::get_if<datanode::failover_action::End>(&action)) {
      world_.trace().Add(world_.now(), name, "FAILOVER ended: " + e->why);
    }
  }
}

void SimDataNode::PromoteByFailover() {
  Promote("promoted to master by FAILOVER");
  world_.checkers().OnPromotion(world_.now(), *this);
}

void SimDataNode::Crash() {
  failover_ = datanode::FailoverHandoff{};
  held_writes_.clear();
  up_ = false;
  paused_ = false;
  link_up_ = false;
}

void SimDataNode::Restart() {
  up_ = true;
  paused_ = false;
  run_id_ = world_.prng().HexId40();
  master_ = config_replicaof_;  // whatever the last CONFIG REWRITE left in its config file
  link_up_ = false;
  link_lost_at_.reset();
  sync_ready_at_.reset();
  // Back from its persistence files with the position they carried: a replica continues its
  // master's history, a master starts one of its own and keeps the old as replid2.
  const datanode::ReplPosition saved{history_.ids().replid, history_.offset()};
  history_.Restart(ids_.HexId40());
  history_.Restore(saved.replid, saved.offset, master_.has_value());
  psync_from_ = saved;
  DropReplicas();
  StartFence();  // a new process: the sentinels it knows come back from the membership file
}

void SimDataNode::BreakReplicationFor(Millis d) {
  broken_until_ = world_.now() + d;
}

}  // namespace vigil::sim
