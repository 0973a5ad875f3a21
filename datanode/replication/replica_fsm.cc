#include "datanode/replication/replica_fsm.h"

#include <charconv>

namespace vigil::datanode {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Replies to PING that still let the handshake go on: the master wants AUTH first, or the
// user may not run PING; AUTH comes next anyway.
bool PingReplyAcceptable(std::string_view line) {
  return line.empty() || line[0] != '-' || StartsWith(line, "-NOAUTH") ||
         StartsWith(line, "-NOPERM") || StartsWith(line, "-ERR operation not permitted");
}

}  // namespace

const char* ReplicaLinkStateName(ReplicaLinkState s) {
  switch (s) {
    case ReplicaLinkState::kNone:
      return "none";
    case ReplicaLinkState::kConnect:
      return "connect";
    case ReplicaLinkState::kConnecting:
      return "connecting";
    case ReplicaLinkState::kHandshake:
    case ReplicaLinkState::kPsyncSent:
      return "handshake";
    case ReplicaLinkState::kTransfer:
      return "sync";
    case ReplicaLinkState::kConnected:
      return "connected";
  }
  return "none";
}

void ReplicaFsm::ReplicaOf(MonoTime now, std::string host, int64_t port,
                           std::optional<ReplPosition> history) {
  if (state_ != ReplicaLinkState::kNone && state_ != ReplicaLinkState::kConnect) {
    Emit(replica_action::Close{"master changed"});
  }
  pending_.clear();
  host_ = std::move(host);
  port_ = port;
  link_down_since_.reset();
  if (host_.empty()) {
    state_ = ReplicaLinkState::kNone;
    cached_.reset();
    return;
  }
  cached_ = std::move(history);
  state_ = ReplicaLinkState::kConnect;
  next_connect_ = now;
}

void ReplicaFsm::Fail(MonoTime now, std::string reason) {
  Emit(replica_action::Close{std::move(reason)});
  pending_.clear();
  state_ = ReplicaLinkState::kConnect;
  next_connect_ = now + options_.retry_period;
}

void ReplicaFsm::Tick(MonoTime now) {
  switch (state_) {
    case ReplicaLinkState::kNone:
      return;
    case ReplicaLinkState::kConnect:
      if (now >= next_connect_) {
        Emit(replica_action::Connect{host_, port_});
        state_ = ReplicaLinkState::kConnecting;
        last_io_ = now;
      }
      return;
    case ReplicaLinkState::kConnecting:
      if (options_.connect_timeout > Millis(0) && options_.connect_timeout < options_.timeout &&
          now - last_io_ > options_.connect_timeout) {
        Emit(replica_action::Close{"connection attempt unanswered, dialling again"});
        state_ = ReplicaLinkState::kConnect;
        next_connect_ = now;
        Tick(now);
        return;
      }
      if (now - last_io_ > options_.timeout) Fail(now, "Timeout connecting to the MASTER...");
      return;
    case ReplicaLinkState::kHandshake:
    case ReplicaLinkState::kPsyncSent:
    case ReplicaLinkState::kTransfer:
      if (now - last_io_ > options_.timeout) Fail(now, "Timeout connecting to the MASTER...");
      return;
    case ReplicaLinkState::kConnected:
      if (now - last_io_ > options_.timeout) {
        cached_ = ReplPosition{master_replid_, reploff_};
        link_down_since_ = now;
        Emit(replica_action::Close{"MASTER timeout: no data nor PING received..."});
        state_ = ReplicaLinkState::kConnect;
        next_connect_ = now;
        return;
      }
      if (now - last_ack_ >= options_.ack_period) {
        Emit(replica_action::Ack{reploff_});
        last_ack_ = now;
      }
      return;
  }
}

void ReplicaFsm::LinkUp(MonoTime now) {
  if (state_ != ReplicaLinkState::kConnecting) return;
  last_io_ = now;
  state_ = ReplicaLinkState::kHandshake;
  pending_ = {Pending::kPing};
  Emit(replica_action::Send{{"PING"}});
}

void ReplicaFsm::LinkDown(MonoTime now) {
  if (state_ == ReplicaLinkState::kNone || state_ == ReplicaLinkState::kConnect) return;
  pending_.clear();
  if (state_ == ReplicaLinkState::kConnected) {
    // The cached master: what we applied is still a valid prefix of the master's history.
    cached_ = ReplPosition{master_replid_, reploff_};
    link_down_since_ = now;
    next_connect_ = now;
  } else {
    next_connect_ = now + options_.retry_period;
  }
  state_ = ReplicaLinkState::kConnect;
}

void ReplicaFsm::SendHandshake() {
  // Pipelined in one write, answered in order
  // (docs/datanode-protocol.md, "Replica handshake", step 2).
  if (!options_.masterauth.empty()) {
    if (options_.masteruser.empty()) {
      Emit(replica_action::Send{{"AUTH", options_.masterauth}});
    } else {
      Emit(replica_action::Send{{"AUTH", options_.masteruser, options_.masterauth}});
    }
    pending_.push_back(Pending::kAuth);
  }
  Emit(replica_action::Send{
      {"REPLCONF", "listening-port", std::to_string(options_.listening_port)}});
  pending_.push_back(Pending::kPort);
  if (!options_.announce_ip.empty()) {
    Emit(replica_action::Send{{"REPLCONF", "ip-address", options_.announce_ip}});
    pending_.push_back(Pending::kIp);
  }
  Emit(replica_action::Send{{"REPLCONF", "capa", "eof", "capa", "psync2"}});
  pending_.push_back(Pending::kCapa);
}

void ReplicaFsm::SendPsync() {
  if (cached_) {
    std::vector<std::string> argv{"PSYNC", cached_->replid, std::to_string(cached_->offset + 1)};
    if (psync_failover_) argv.push_back("FAILOVER");
    psync_failover_ = false;
    Emit(replica_action::Send{std::move(argv)});
  } else {
    Emit(replica_action::Send{{"PSYNC", "?", "-1"}});
  }
  state_ = ReplicaLinkState::kPsyncSent;
}

void ReplicaFsm::HandshakeReply(MonoTime now, std::string_view line) {
  if (state_ != ReplicaLinkState::kHandshake || pending_.empty()) return;
  last_io_ = now;
  Pending what = pending_.front();
  pending_.pop_front();
  switch (what) {
    case Pending::kPing:
      if (!PingReplyAcceptable(line)) return Fail(now, "Error reply to PING from master");
      SendHandshake();
      return;
    case Pending::kAuth:
      if (!line.empty() && line[0] == '-') return Fail(now, "Unable to AUTH to MASTER");
      break;
    case Pending::kPort:
    case Pending::kIp:
    case Pending::kCapa:
      break;  // errors are not fatal: older masters do not know every option
  }
  if (pending_.empty()) SendPsync();
}

void ReplicaFsm::PsyncReply(MonoTime now, std::string_view line) {
  if (state_ != ReplicaLinkState::kPsyncSent) return;
  last_io_ = now;
  if (StartsWith(line, "+FULLRESYNC")) {
    std::string_view rest = line.substr(std::string_view("+FULLRESYNC").size());
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    size_t sp = rest.find(' ');
    std::string replid(rest.substr(0, sp));
    int64_t offset = 0;
    if (sp != std::string_view::npos) {
      std::string_view num = rest.substr(sp + 1);
      std::from_chars(num.data(), num.data() + num.size(), offset);
    }
    if (replid.size() != 40) replid.clear();  // the next PSYNC must then fail
    cached_.reset();
    master_replid_ = replid;
    transfer_offset_ = offset;
    state_ = ReplicaLinkState::kTransfer;
    Emit(replica_action::BeginSnapshotLoad{replid, offset});
    return;
  }
  if (StartsWith(line, "+CONTINUE") && cached_) {
    std::string_view rest = line.substr(std::string_view("+CONTINUE").size());
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    std::string new_id(rest.substr(0, rest.find_first_of(" \r\n")));
    if (new_id.size() != 40) new_id = cached_->replid;
    if (new_id != cached_->replid) {
      Emit(replica_action::ShiftHistory{new_id});
      Emit(replica_action::DropSubReplicas{});
    }
    master_replid_ = new_id;
    reploff_ = cached_->offset;
    cached_.reset();
    state_ = ReplicaLinkState::kConnected;
    link_down_since_.reset();
    Emit(replica_action::ResumeStream{reploff_});
    Emit(replica_action::Ack{reploff_});
    last_ack_ = now;
    return;
  }
  if (StartsWith(line, "-NOMASTERLINK") || StartsWith(line, "-LOADING")) {
    return Fail(now, "Master is currently unable to PSYNC but should be in the future");
  }
  if (!line.empty() && line[0] == '-') {
    // A master without PSYNC: fall back to SYNC, whose payload comes without a +FULLRESYNC line.
    Emit(replica_action::Send{{"SYNC"}});
    cached_.reset();
    master_replid_.clear();
    transfer_offset_ = 0;
    state_ = ReplicaLinkState::kTransfer;
    Emit(replica_action::BeginSnapshotLoad{"", 0});
    return;
  }
  Fail(now, "Unexpected reply to PSYNC from master");
}

void ReplicaFsm::SnapshotLoaded(MonoTime now, bool ok) {
  if (state_ != ReplicaLinkState::kTransfer) return;
  if (!ok) return Fail(now, "Failed trying to load the MASTER synchronization DB");
  last_io_ = now;
  reploff_ = transfer_offset_;
  state_ = ReplicaLinkState::kConnected;
  link_down_since_.reset();
  Emit(replica_action::AdoptHistory{ReplPosition{master_replid_, reploff_}});
  Emit(replica_action::DropSubReplicas{});
  // The master holds the stream back until this first ACK (diskless framing).
  Emit(replica_action::Ack{reploff_});
  last_ack_ = now;
}

void ReplicaFsm::StreamApplied(MonoTime now, int64_t bytes) {
  if (state_ != ReplicaLinkState::kConnected) return;
  last_io_ = now;
  reploff_ += bytes;
}

void ReplicaFsm::GetAck(MonoTime now) {
  if (state_ != ReplicaLinkState::kConnected) return;
  Emit(replica_action::Ack{reploff_});
  last_ack_ = now;
}

}  // namespace vigil::datanode
