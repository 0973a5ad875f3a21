#pragma once
// HttpEndpoint: Vigil's observability beyond Redis, on libevent's evhttp (no new dependency).
//   GET /metrics          Prometheus text format: per master status, flags, replicas, sentinels,
//                         epochs, failovers started/succeeded/aborted, last failover duration.
//   GET /health           JSON; 200 while the sentinel runs normally, 503 in TILT.
//   GET /masters/<name>   JSON: the address clients must use, status and topology; 200 when the
//                         master is up, 503 when it is SDOWN/ODOWN, 404 for an unknown name.
#include <event2/event.h>

#include <string>

#include "common/base/status.h"
#include "sentinel/shell/sentinel_host.h"

struct evhttp;
struct evhttp_request;

namespace vigil::sentinel {

class HttpEndpoint {
 public:
  HttpEndpoint(event_base* base, SentinelHost* host);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  Status Listen(const std::string& addr, int port);

  // The bodies, separately testable.
  std::string Metrics() const;
  std::string Health(int* code) const;
  std::string Master(const std::string& name, int* code) const;

 private:
  static void OnRequest(evhttp_request* req, void* arg);
  event_base* base_;
  SentinelHost* host_;
  evhttp* http_ = nullptr;
};

}  // namespace vigil::sentinel
