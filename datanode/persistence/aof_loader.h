#pragma once
// AofReplayer: replays one AOF file (a RESP base or an incr file) into a Service, as Redis 7.0's
// loadSingleAppendOnlyFile does. Records run through Service::Execute on a private session that
// carries the master-link privilege (no OOM, no READONLY, past expiries kept for the stream's own
// DEL), and their replies are discarded. Pure: the shell reads the file and hands the bytes in
// pieces, so it can serve clients (-LOADING) between pieces.
//
// A file may end inside a record, or inside MULTI without EXEC: that is a truncated tail, and
// Finish() reports the offset to cut it at. Anything else that is not a record, or an unknown
// command, is corruption: Feed() fails naming the file and the byte offset.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "datanode/persistence/aof_repl_mark.h"
#include "datanode/service/service.h"
#include "datanode/service/session.h"

namespace vigil::datanode {

struct AofFileEnd {
  bool truncated = false;   // the file ends inside a record or an open MULTI
  int64_t valid_up_to = 0;  // bytes of complete records (where to truncate)
  int64_t size = 0;         // bytes seen
  bool open_multi = false;  // truncated because MULTI had no EXEC
};

class AofReplayer {
 public:
  // `file_name` is only used in messages. `start_offset` is where `data` of the first Feed
  // begins in the file (after an RDB preamble).
  AofReplayer(Service* service, std::string file_name, int64_t start_offset = 0);
  ~AofReplayer();
  AofReplayer(const AofReplayer&) = delete;
  AofReplayer& operator=(const AofReplayer&) = delete;

  // Replays the complete records at the start of `data` (the bytes following everything
  // consumed so far), at most `max_commands` of them. `*consumed` gets the bytes used; the
  // caller keeps the rest and calls again with more appended. Errors: corruption, with
  // "... reading the append only file <name> at offset <n>".
  Status Feed(std::string_view data, size_t max_commands, size_t* consumed);

  // End of file: `leftover` bytes were never consumed. Reports whether the tail is truncated.
  AofFileEnd Finish(size_t leftover) const;

  // Called after every replayed command (key-load-delay).
  void set_after_command(std::function<void()> fn) { after_command_ = std::move(fn); }
  int64_t offset() const { return offset_; }
  int64_t commands() const { return commands_; }
  // The last replication mark read (aof_repl_mark.h) and the commands replayed after it.
  const std::optional<ReplPosition>& last_mark() const { return last_mark_; }
  int64_t commands_after_mark() const { return commands_after_mark_; }
  const std::string& file_name() const { return file_name_; }

 private:
  Status Replay(const std::vector<std::string_view>& args, int64_t record_start);

  Service* service_;
  std::string file_name_;
  Session session_;
  int64_t offset_ = 0;        // file offset of the next unconsumed byte
  int64_t multi_start_ = -1;  // offset of the open MULTI record, -1 if none
  int64_t commands_ = 0;
  std::optional<ReplPosition> last_mark_;
  int64_t commands_after_mark_ = 0;
  std::vector<std::string> argv_;
  std::function<void()> after_command_;
};

}  // namespace vigil::datanode
