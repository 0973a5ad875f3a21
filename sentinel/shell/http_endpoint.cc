#include "sentinel/shell/http_endpoint.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cstring>
#include <map>

#include "common/base/host_port.h"
#include "common/base/json_string.h"

namespace vigil::sentinel {

namespace {

std::string Label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// The core's flat name/value reply as a map.
std::map<std::string, std::string> Fields(const resp::Value& v) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < v.elements.size(); i += 2) {
    out[v.elements[i].str] = v.elements[i + 1].str;
  }
  return out;
}

const char* StatusOf(const MasterRecord& m) {
  return m.instance.o_down ? "odown" : m.instance.s_down ? "sdown" : "ok";
}

}  // namespace

HttpEndpoint::HttpEndpoint(event_base* base, SentinelHost* host) : base_(base), host_(host) {}

HttpEndpoint::~HttpEndpoint() {
  if (http_ != nullptr) evhttp_free(http_);
}

Status HttpEndpoint::Listen(const std::string& addr, int port) {
  http_ = evhttp_new(base_);
  if (http_ == nullptr) return Status::Error("evhttp_new failed");
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_gencb(http_, &HttpEndpoint::OnRequest, this);
  if (evhttp_bind_socket_with_handle(http_, addr.c_str(), uint16_t(port)) == nullptr) {
    return Status::Error("cannot bind the HTTP endpoint to " + addr + ":" + std::to_string(port));
  }
  return Status::Ok();
}

std::string HttpEndpoint::Metrics() const {
  const SentinelCore& core = host_->core();
  MonoTime now = host_->Now();
  std::string o;
  auto help = [&](const char* name, const char* type, const char* text) {
    o += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
  };
  help("vigil_sentinel_masters", "gauge", "Masters monitored by this sentinel.");
  o += "vigil_sentinel_masters " + std::to_string(core.masters().size()) + "\n";
  help("vigil_sentinel_tilt", "gauge", "1 while the sentinel is in TILT mode.");
  o += "vigil_sentinel_tilt " + std::string(core.tilt() ? "1" : "0") + "\n";
  help("vigil_sentinel_current_epoch", "gauge", "The sentinel's current epoch.");
  o += "vigil_sentinel_current_epoch " + std::to_string(core.current_epoch()) + "\n";

  struct Row {
    std::string labels;
    const MasterRecord* m;
    std::map<std::string, std::string> f;
  };
  std::vector<Row> rows;
  for (const auto& [name, m] : core.masters()) {
    rows.push_back(
        {"master=\"" + Label(name) + "\"", &m, Fields(core.Query(now, MasterQuery{name}))});
  }
  auto series = [&](const char* name, const char* type, const char* text, auto value) {
    help(name, type, text);
    for (const Row& r : rows) o += std::string(name) + "{" + r.labels + "} " + value(r) + "\n";
  };
  help("vigil_sentinel_master_status", "gauge",
       "1 for the master's current status (ok, sdown or odown).");
  for (const Row& r : rows) {
    for (const char* st : {"ok", "sdown", "odown"}) {
      o += "vigil_sentinel_master_status{" + r.labels + ",status=\"" + st + "\"} " +
           (std::strcmp(StatusOf(*r.m), st) == 0 ? "1" : "0") + "\n";
    }
  }
  help("vigil_sentinel_master_flag", "gauge", "1 for each flag SENTINEL MASTER shows.");
  for (const Row& r : rows) {
    std::string flags = r.f.count("flags") ? r.f.at("flags") : "";
    size_t start = 0;
    while (start < flags.size()) {
      size_t comma = flags.find(',', start);
      std::string flag = flags.substr(start, comma == std::string::npos ? comma : comma - start);
      o += "vigil_sentinel_master_flag{" + r.labels + ",flag=\"" + flag + "\"} 1\n";
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  help("vigil_sentinel_master_address", "gauge", "1 for the address clients must use.");
  for (const Row& r : rows) {
    const HostPort& a = r.m->CurrentAddress();
    o += "vigil_sentinel_master_address{" + r.labels + ",ip=\"" + Label(a.host) + "\",port=\"" +
         std::to_string(a.port) + "\"} 1\n";
  }
  series("vigil_sentinel_master_replicas", "gauge", "Replicas known for the master.",
         [](const Row& r) { return std::to_string(r.m->replicas.size()); });
  series("vigil_sentinel_master_sentinels", "gauge", "Sentinels monitoring the master (incl. us).",
         [](const Row& r) { return std::to_string(r.m->sentinels.size() + 1); });
  series("vigil_sentinel_master_quorum", "gauge", "Configured quorum.",
         [](const Row& r) { return std::to_string(r.m->config.quorum); });
  series("vigil_sentinel_master_config_epoch", "gauge", "The master's config epoch.",
         [](const Row& r) { return std::to_string(r.m->config_epoch); });
  series("vigil_sentinel_master_leader_epoch", "gauge", "Epoch of this sentinel's latest vote.",
         [](const Row& r) { return std::to_string(r.m->leader_epoch); });
  series("vigil_sentinel_master_failover_in_progress", "gauge", "1 while a failover runs.",
         [](const Row& r) { return std::string(r.m->failover.in_progress() ? "1" : "0"); });
  auto stat = [](const Row& r) -> const FailoverCounters& { return r.m->failover_counters; };
  series("vigil_sentinel_failovers_started_total", "counter", "Failovers this sentinel started.",
         [&](const Row& r) { return std::to_string(stat(r).started); });
  series("vigil_sentinel_failovers_succeeded_total", "counter",
         "Failovers this sentinel led to the end.",
         [&](const Row& r) { return std::to_string(stat(r).succeeded); });
  series("vigil_sentinel_failovers_aborted_total", "counter", "Failovers this sentinel aborted.",
         [&](const Row& r) { return std::to_string(stat(r).aborted); });
  series("vigil_sentinel_last_failover_duration_seconds", "gauge",
         "Duration of the last completed failover led by this sentinel (-1: none).",
         [&](const Row& r) {
           int64_t ms = stat(r).last_duration_ms;
           if (ms < 0) return std::string("-1");
           char buf[32];
           std::snprintf(buf, sizeof(buf), "%.3f", double(ms) / 1000.0);
           return std::string(buf);
         });
  return o;
}

std::string HttpEndpoint::Health(int* code) const {
  const SentinelCore& core = host_->core();
  *code = core.tilt() ? 503 : 200;
  return std::string("{\"status\":") + (core.tilt() ? "\"tilt\"" : "\"ok\"") +
         ",\"myid\":" + QuoteJsonString(core.myid()) +
         ",\"masters\":" + std::to_string(core.masters().size()) +
         ",\"current_epoch\":" + std::to_string(core.current_epoch()) + "}\n";
}

std::string HttpEndpoint::Master(const std::string& name, int* code) const {
  const SentinelCore& core = host_->core();
  const MasterRecord* m = core.FindMaster(name);
  if (m == nullptr) {
    *code = 404;
    return "{\"error\":\"No such master with that name\"}\n";
  }
  MonoTime now = host_->Now();
  auto f = Fields(core.Query(now, MasterQuery{name}));
  std::string status = StatusOf(*m);
  *code = status == "ok" ? 200 : 503;
  const HostPort& a = m->CurrentAddress();
  std::string o = "{\"name\":" + QuoteJsonString(name) + ",\"ip\":" + QuoteJsonString(a.host) +
                  ",\"port\":" + std::to_string(a.port) + ",\"status\":" + QuoteJsonString(status) +
                  ",\"flags\":" + QuoteJsonString(f["flags"]) +
                  ",\"quorum\":" + std::to_string(m->config.quorum) +
                  ",\"config_epoch\":" + std::to_string(m->config_epoch) +
                  ",\"failover_in_progress\":" + (m->failover.in_progress() ? "true" : "false") +
                  ",\"sentinels\":" + std::to_string(m->sentinels.size() + 1) + ",\"replicas\":[";
  resp::Value replicas = core.Query(now, ReplicasQuery{name});
  bool first = true;
  for (const resp::Value& r : replicas.elements) {
    auto rf = Fields(r);
    o += std::string(first ? "" : ",") + "{\"ip\":" + QuoteJsonString(rf["ip"]) +
         ",\"port\":" + (rf["port"].empty() ? "0" : rf["port"]) +
         ",\"flags\":" + QuoteJsonString(rf["flags"]) +
         ",\"master_link_status\":" + QuoteJsonString(rf["master-link-status"]) + "}";
    first = false;
  }
  return o + "]}\n";
}

void HttpEndpoint::OnRequest(evhttp_request* req, void* arg) {
  auto* self = static_cast<HttpEndpoint*>(arg);
  const char* uri = evhttp_request_get_uri(req);
  std::string path = uri ? uri : "/";
  size_t q = path.find('?');
  if (q != std::string::npos) path.resize(q);
  int code = 200;
  std::string body, type = "application/json";
  if (path == "/metrics") {
    body = self->Metrics();
    type = "text/plain; version=0.0.4";
  } else if (path == "/health") {
    body = self->Health(&code);
  } else if (path.rfind("/masters/", 0) == 0) {
    char* decoded = evhttp_uridecode(path.c_str() + 9, 0, nullptr);
    body = self->Master(decoded ? decoded : "", &code);
    std::free(decoded);
  } else {
    code = 404;
    body = "{\"error\":\"not found\"}\n";
  }
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", type.c_str());
  evbuffer* buf = evbuffer_new();
  evbuffer_add(buf, body.data(), body.size());
  const char* reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Service Unavailable";
  evhttp_send_reply(req, code, reason, buf);
  evbuffer_free(buf);
}

}  // namespace vigil::sentinel
