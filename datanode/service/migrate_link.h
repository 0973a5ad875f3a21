#pragma once
// MigrateLink: MIGRATE's connection to the target server as the command sees it. The shell owns
// the sockets (blocking, bounded by the command's timeout) and caches one per host:port for 10 s
// as Redis does; the command decides what to send and what the replies mean.
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode {

class MigrateLink {
 public:
  virtual ~MigrateLink() = default;
  // Sends all of `bytes`. False on error; *timed_out says whether the timeout passed.
  virtual bool Write(std::string_view bytes, int64_t timeout_ms, bool* timed_out) = 0;
  // Reads one reply line, without its CRLF. False on error or end of stream.
  virtual bool ReadLine(std::string* line, int64_t timeout_ms, bool* timed_out) = 0;

  // The database the target last SELECTed on this link (-1: unknown, SELECT again).
  int64_t last_db = -1;
};

}  // namespace vigil::datanode
