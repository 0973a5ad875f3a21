#pragma once
// Backlog: the replication backlog (docs/datanode-protocol.md, "Backlog"), a ring buffer holding
// the newest `capacity` bytes of the replication stream, addressed by stream offset. The first byte
// of a stream has offset 1; a backlog created when the stream is at `master_repl_offset` holds its
// next byte at `master_repl_offset + 1`. Pure value type.
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode {

class Backlog {
 public:
  // Requires: capacity > 0.
  Backlog(size_t capacity, int64_t master_repl_offset);

  void Append(std::string_view bytes);
  // Offset of the last byte appended (the master_repl_offset it was fed with).
  int64_t end_offset() const { return end_offset_; }
  // Offset of the oldest byte kept; end_offset + 1 while empty.
  int64_t first_byte_offset() const { return end_offset_ - int64_t(histlen_) + 1; }
  int64_t histlen() const { return int64_t(histlen_); }
  size_t capacity() const { return buf_.size(); }
  // Whether a replica that has every byte before `from` can continue from here:
  // first_byte_offset <= from <= end_offset + 1.
  bool CanServe(int64_t from) const;
  // The bytes from `from` to the end. Requires: CanServe(from).
  std::string CopyFrom(int64_t from) const;
  // Keeps the newest bytes that fit in `capacity`. Requires: capacity > 0.
  void Resize(size_t capacity);
  // Drops the newest bytes so the stream ends at `end` (a demoted master discarding a tail that
  // carries no data). Bytes older than the backlog cannot be kept: below first_byte_offset - 1
  // it empties and restarts at `end`. Requires: end <= end_offset.
  void Truncate(int64_t end);
  // Forgets every byte; the next one appended has offset `master_repl_offset + 1`.
  void Rebase(int64_t master_repl_offset);

 private:
  std::string buf_;
  size_t head_ = 0;  // where the next byte goes
  size_t histlen_ = 0;
  int64_t end_offset_ = 0;
};

}  // namespace vigil::datanode
