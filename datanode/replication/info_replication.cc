#include "datanode/replication/info_replication.h"

#include <cstdio>

namespace vigil::datanode {
namespace {

void Field(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}

void Field(std::string& out, const char* name, int64_t value) {
  Field(out, name, std::to_string(value));
}

void MasterLinkFields(std::string& out, const MasterLinkInfo& m) {
  Field(out, "master_host", m.host);
  Field(out, "master_port", m.port);
  Field(out, "master_link_status", m.link_up ? "up" : "down");
  Field(out, "master_last_io_seconds_ago", m.last_io_seconds_ago);
  Field(out, "master_sync_in_progress", m.sync_in_progress ? 1 : 0);
  Field(out, "slave_read_repl_offset", m.read_repl_offset);
  Field(out, "slave_repl_offset", m.repl_offset);
  if (m.sync_in_progress) {
    Field(out, "master_sync_total_bytes", m.sync_total_bytes);
    Field(out, "master_sync_read_bytes", m.sync_read_bytes);
    Field(out, "master_sync_left_bytes", m.sync_total_bytes - m.sync_read_bytes);
    char perc[32];
    double p = m.sync_total_bytes > 0
                   ? double(m.sync_read_bytes) * 100.0 / double(m.sync_total_bytes)
                   : 0.0;
    std::snprintf(perc, sizeof(perc), "%.2f", p);
    Field(out, "master_sync_perc", perc);
    Field(out, "master_sync_last_io_seconds_ago", m.sync_last_io_seconds_ago);
  }
  if (!m.link_up) Field(out, "master_link_down_since_seconds", m.link_down_since_seconds);
  Field(out, "slave_priority", m.priority);
  Field(out, "slave_read_only", m.read_only ? 1 : 0);
  Field(out, "replica_announced", m.announced ? 1 : 0);
}

}  // namespace

std::string RenderInfoReplication(const ReplicationInfo& info) {
  std::string out;
  Field(out, "role", info.master ? "slave" : "master");
  if (info.master) MasterLinkFields(out, *info.master);
  Field(out, "connected_slaves", int64_t(info.replicas.size()));
  if (info.min_slaves_good_slaves)
    Field(out, "min_slaves_good_slaves", *info.min_slaves_good_slaves);
  for (size_t i = 0; i < info.replicas.size(); ++i) {
    const ReplicaInfoLine& r = info.replicas[i];
    std::string name = "slave" + std::to_string(i);
    Field(out, name.c_str(),
          "ip=" + r.ip + ",port=" + std::to_string(r.port) + ",state=" + r.state +
              ",offset=" + std::to_string(r.offset) + ",lag=" + std::to_string(r.lag));
  }
  Field(out, "master_failover_state", info.failover_state);
  Field(out, "master_replid", info.ids.replid);
  Field(out, "master_replid2", info.ids.replid2);
  Field(out, "master_repl_offset", info.master_repl_offset);
  Field(out, "second_repl_offset", info.ids.second_replid_offset);
  Field(out, "repl_backlog_active", info.backlog_active ? 1 : 0);
  Field(out, "repl_backlog_size", info.backlog_size);
  Field(out, "repl_backlog_first_byte_offset", info.backlog_first_byte_offset);
  Field(out, "repl_backlog_histlen", info.backlog_histlen);
  return out;
}

void WriteRole(resp::ReplyWriter& w, const ReplicationInfo& info) {
  if (info.master) {
    const MasterLinkInfo& m = *info.master;
    w.Array(5);
    w.Bulk("slave");
    w.Bulk(m.host);
    w.Integer(m.port);
    w.Bulk(m.link_state);
    w.Integer(m.role_offset);
    return;
  }
  size_t online = 0;
  for (const auto& r : info.replicas) online += r.state == "online" ? 1 : 0;
  w.Array(3);
  w.Bulk("master");
  w.Integer(info.master_repl_offset);
  w.Array(online);
  for (const auto& r : info.replicas) {
    if (r.state != "online") continue;
    w.Array(3);
    w.Bulk(r.ip);
    w.Bulk(std::to_string(r.port));
    w.Bulk(std::to_string(r.offset));
  }
}

}  // namespace vigil::datanode
