#include "datanode/replication/master_fsm.h"

#include <cctype>
#include <charconv>
#include <vector>

#include "common/resp/request_parser.h"

namespace vigil::datanode {
namespace {

bool ParseI64(const std::string& s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool EqualsNoCase(const std::string& a, const char* b) {
  size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return i == a.size() && b[i] == '\0';
}

}  // namespace

const char* ReplicaSyncStateName(ReplicaSyncState s) {
  switch (s) {
    case ReplicaSyncState::kWaitBgsave:
      return "wait_bgsave";
    case ReplicaSyncState::kSendBulk:
      return "send_bulk";
    case ReplicaSyncState::kOnline:
      return "online";
  }
  return "unknown";
}

ReplicaRecord& MasterFsm::Attach(uint64_t client_id, std::string peer_ip, MonoTime now) {
  ReplicaRecord r;
  if (auto it = handshaking_.find(client_id); it != handshaking_.end()) {
    r = std::move(it->second);
    handshaking_.erase(it);
  }
  r.client_id = client_id;
  r.peer_ip = std::move(peer_ip);
  r.state = ReplicaSyncState::kWaitBgsave;
  r.attached_time = now;
  r.ack_time = now;
  return replicas_[client_id] = std::move(r);
}

ReplicaRecord& MasterFsm::Handshake(uint64_t client_id) {
  if (auto it = replicas_.find(client_id); it != replicas_.end()) return it->second;
  ReplicaRecord& r = handshaking_[client_id];
  r.client_id = client_id;
  return r;
}

const ReplicaRecord* MasterFsm::FindHandshake(uint64_t client_id) const {
  auto it = handshaking_.find(client_id);
  return it == handshaking_.end() ? nullptr : &it->second;
}

ReplicaRecord* MasterFsm::Find(uint64_t client_id) {
  auto it = replicas_.find(client_id);
  return it == replicas_.end() ? nullptr : &it->second;
}

const ReplicaRecord* MasterFsm::Find(uint64_t client_id) const {
  auto it = replicas_.find(client_id);
  return it == replicas_.end() ? nullptr : &it->second;
}

void MasterFsm::Remove(uint64_t client_id) {
  replicas_.erase(client_id);
  handshaking_.erase(client_id);
}

void MasterFsm::Clear() {
  replicas_.clear();
  handshaking_.clear();
}

Status MasterFsm::Replconf(uint64_t client_id, const std::vector<std::string>& args, MonoTime now,
                           bool* reply) {
  *reply = true;
  if (args.size() % 2 != 0) return Status::Error("ERR syntax error");
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string& opt = args[i];
    const std::string& val = args[i + 1];
    if (EqualsNoCase(opt, "ack")) {
      *reply = false;
      int64_t off = 0;
      if (ParseI64(val, &off)) OnAck(client_id, off, now);
      return Status::Ok();  // the remaining arguments (FACK) carry nothing we use
    }
    if (EqualsNoCase(opt, "getack")) {
      *reply = false;
      return Status::Ok();
    }
    ReplicaRecord& r = Handshake(client_id);
    if (EqualsNoCase(opt, "listening-port")) {
      int64_t port = 0;
      if (!ParseI64(val, &port))
        return Status::Error("ERR value is not an integer or out of range");
      r.listening_port = port;
    } else if (EqualsNoCase(opt, "ip-address")) {
      if (val.size() >= 256) {
        return Status::Error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                             std::to_string(val.size()) + " bytes");
      }
      r.announced_ip = val;
    } else if (EqualsNoCase(opt, "capa")) {
      if (EqualsNoCase(val, "eof")) r.capa_eof = true;
      if (EqualsNoCase(val, "psync2")) r.capa_psync2 = true;
    } else if (EqualsNoCase(opt, "rdb-only")) {
      int64_t v = 0;
      if (!ParseI64(val, &v) || (v != 0 && v != 1)) {
        return Status::Error("ERR value is not an integer or out of range");
      }
      r.rdb_only = v == 1;
    } else if (EqualsNoCase(opt, "rdb-filter-only")) {
      std::vector<std::string> filters;
      size_t count = 0;
      if (!resp::SplitInlineArgs(val, &filters, &count)) {
        return Status::Error("ERR Missing rdb-filter-only values");
      }
      // Everything is left out unless a filter names it; Redis 7.0 knows only "functions".
      // An unknown word fails the command with the exclusions already set, as in Redis.
      r.rdb_exclude_data = true;
      r.rdb_exclude_functions = true;
      for (size_t f = 0; f < count; ++f) {
        if (!EqualsNoCase(filters[f], "functions")) {
          return Status::Error("ERR Unsupported rdb-filter-only option: " + filters[f]);
        }
        r.rdb_exclude_functions = false;
      }
    } else {
      return Status::Error("ERR Unrecognized REPLCONF option: " + opt);
    }
  }
  return Status::Ok();
}

bool MasterFsm::OnAck(uint64_t client_id, int64_t offset, MonoTime now) {
  ReplicaRecord* r = Find(client_id);
  if (r == nullptr) return false;  // ACKs count only from attached replicas
  if (offset > r->ack_offset) r->ack_offset = offset;
  r->ack_time = now;
  if (r->state == ReplicaSyncState::kOnline && r->hold_stream_until_ack) {
    r->hold_stream_until_ack = false;
    return true;
  }
  return false;
}

int MasterFsm::CountAcked(int64_t offset) const {
  int n = 0;
  for (const auto& [id, r] : replicas_) {
    if (r.state == ReplicaSyncState::kOnline && r.ack_offset >= offset) ++n;
  }
  return n;
}

int MasterFsm::CountGood(MonoTime now, int64_t max_lag_s) const {
  int n = 0;
  for (const auto& [id, r] : replicas_) {
    if (r.state == ReplicaSyncState::kOnline && LagSeconds(r, now) <= max_lag_s) ++n;
  }
  return n;
}

int64_t MasterFsm::LagSeconds(const ReplicaRecord& r, MonoTime now) {
  if (r.state != ReplicaSyncState::kOnline) return 0;
  return (now - r.ack_time).count() / 1000;
}

std::vector<uint64_t> MasterFsm::WaitingForSnapshot() const {
  std::vector<uint64_t> out;
  for (const auto& [id, r] : replicas_) {
    if (r.state == ReplicaSyncState::kWaitBgsave && !r.snapshot_started) out.push_back(id);
  }
  return out;
}

bool MasterFsm::ShouldStartSnapshot(MonoTime now, Millis delay, bool child_running) const {
  if (child_running) return false;
  bool any = false;
  for (const auto& [id, r] : replicas_) {
    if (r.state != ReplicaSyncState::kWaitBgsave || r.snapshot_started) continue;
    any = true;
    if (now - r.attached_time >= delay) return true;
  }
  return any && delay.count() <= 0;
}

std::vector<uint64_t> MasterFsm::TimedOut(MonoTime now, Millis timeout) const {
  std::vector<uint64_t> out;
  for (const auto& [id, r] : replicas_) {
    if (r.state == ReplicaSyncState::kOnline && !r.pre_psync && now - r.ack_time > timeout) {
      out.push_back(id);
    }
  }
  return out;
}

void MasterFsm::RefreshAckTime(uint64_t client_id, MonoTime now) {
  if (ReplicaRecord* r = Find(client_id)) r->ack_time = now;
}

}  // namespace vigil::datanode
