#include "sentinel/core/info_parser.h"

#include <cctype>
#include <cstdlib>

namespace vigil::sentinel {

namespace {

bool StartsWith(std::string_view line, std::string_view prefix) {
  return line.size() >= prefix.size() && line.compare(0, prefix.size(), prefix) == 0;
}

// atoi-like: leading digits (with optional sign) count; garbage afterwards is ignored.
int64_t LeadingInt(std::string_view text) {
  int64_t value = 0;
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    value = value * 10 + (text[i++] - '0');
  }
  return negative ? -value : value;
}

// "ip=1.2.3.4,port=6380,state=online,..." or the legacy "1.2.3.4,6380,online".
std::optional<HostPort> ParseReplicaLine(std::string_view value) {
  HostPort addr;
  if (value.find("ip=") == std::string_view::npos) {
    size_t c1 = value.find(',');
    if (c1 == std::string_view::npos) return std::nullopt;
    size_t c2 = value.find(',', c1 + 1);
    if (c2 == std::string_view::npos) return std::nullopt;
    addr.host = std::string(value.substr(0, c1));
    addr.port = static_cast<int>(LeadingInt(value.substr(c1 + 1, c2 - c1 - 1)));
  } else {
    size_t start = 0;
    bool have_ip = false, have_port = false;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string_view field =
          value.substr(start, comma == value.npos ? value.npos : comma - start);
      if (StartsWith(field, "ip=")) {
        addr.host = std::string(field.substr(3));
        have_ip = true;
      } else if (StartsWith(field, "port=")) {
        addr.port = static_cast<int>(LeadingInt(field.substr(5)));
        have_port = true;
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (!have_ip || !have_port) return std::nullopt;
  }
  if (addr.host.empty() || addr.port <= 0 || addr.port > 65535) return std::nullopt;
  return addr;
}

void ParseReplicaField(std::string_view l, InfoReport* r) {
  if (StartsWith(l, "master_host:")) {
    r->master_host = std::string(l.substr(12));
  } else if (StartsWith(l, "master_port:")) {
    r->master_port = static_cast<int>(LeadingInt(l.substr(12)));
  } else if (StartsWith(l, "master_link_status:")) {
    r->master_link_up = l.substr(19) == "up";
  } else if (StartsWith(l, "slave_priority:")) {
    r->slave_priority = static_cast<int>(LeadingInt(l.substr(15)));
  } else if (StartsWith(l, "slave_repl_offset:")) {
    r->slave_repl_offset = LeadingInt(l.substr(18));
  } else if (StartsWith(l, "replica_announced:")) {
    r->replica_announced = LeadingInt(l.substr(18)) != 0;
  }
}

}  // namespace

InfoReport ParseInfo(std::string_view text) {
  InfoReport r;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    std::string_view l = text.substr(start, end == text.npos ? text.npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 2;

    if (l.size() >= 47 && StartsWith(l, "run_id:")) {
      r.run_id = std::string(l.substr(7, 40));
    } else if (l.size() >= 7 && StartsWith(l, "slave") &&
               std::isdigit(static_cast<unsigned char>(l[5]))) {
      size_t colon = l.find(':');
      if (colon != std::string_view::npos) {
        if (auto addr = ParseReplicaLine(l.substr(colon + 1))) r.replicas.push_back(*addr);
      }
    } else if (StartsWith(l, "master_link_down_since_seconds:")) {
      r.master_link_down_ms = LeadingInt(l.substr(31)) * 1000;
    } else if (StartsWith(l, "fence_timeout_ms:")) {
      r.fence_timeout_ms = LeadingInt(l.substr(17));
    } else if (l == "role:master") {
      r.role = ReportedRole::kMaster;
    } else if (l == "role:slave") {
      r.role = ReportedRole::kSlave;
    } else if (r.role == ReportedRole::kSlave) {
      ParseReplicaField(l, &r);
    }
  }
  return r;
}

}  // namespace vigil::sentinel
