#pragma once
// MigrateSockets: the shell's cache of MIGRATE connections (Redis's migrate_cached_sockets). One
// blocking TCP socket per "host:port", reused by later MIGRATEs to the same target and closed
// after 10 s unused; at most 64 are kept. Every connect, write and read waits with poll() for at
// most the MIGRATE's timeout.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "datanode/service/migrate_link.h"

namespace vigil::datanode {

class MigrateSockets {
 public:
  MigrateSockets();
  ~MigrateSockets();
  MigrateSockets(const MigrateSockets&) = delete;
  MigrateSockets& operator=(const MigrateSockets&) = delete;

  // The cached link to host:port, or a new one; null when the connection fails in time.
  MigrateLink* Get(const std::string& host, const std::string& port, int64_t timeout_ms,
                   int64_t now_s);
  void Close(const std::string& host, const std::string& port);
  // Cron: closes links unused for more than 10 s.
  void CloseIdle(int64_t now_s);
  size_t size() const { return links_.size(); }

 private:
  class Link;
  std::map<std::string, std::unique_ptr<Link>> links_;
};

}  // namespace vigil::datanode
