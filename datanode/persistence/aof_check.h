#pragma once
// AOF checking as `redis-check-aof` 7.0 does it, on bytes: finds how far a RESP AOF (or the
// RESP tail after an RDB preamble) is valid, with redis-check-aof's error texts, so
// `vigil-datanode --check-aof [--fix]` can report and truncate. Pure; the tool reads files.
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode {

struct AofCheckReport {
  int64_t size = 0;
  int64_t ok_up_to = 0;       // offset after the last valid record (before an open MULTI)
  int64_t ok_up_to_line = 1;  // line number reached, as redis-check-aof counts
  std::string error;          // "0x<pos>: Expected ..." or "" when the file is valid
  bool valid() const { return ok_up_to == size; }
  int64_t diff() const { return size - ok_up_to; }
};

// Checks `data` (a whole file, or what follows an RDB preamble at `base_offset`).
AofCheckReport CheckAofBytes(std::string_view data, int64_t base_offset = 0);

}  // namespace vigil::datanode
