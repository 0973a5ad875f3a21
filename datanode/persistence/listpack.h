#pragma once
// Listpack, Redis 7.0's compact sequence blob (docs/datanode-protocol.md, "RDB container blobs"):
// the body of RDB types 16 (hash), 17 (zset), the nodes of 18 (quicklist 2) and streams.
//   u32 LE total bytes | u16 LE element count (65535 = unknown) | entries | 0xFF
// Each entry is an encoding byte (+ data) followed by its "backlen", the size of
// encoding+data written in 1-5 bytes so the blob can be walked backwards.
// Pure; no allocation beyond the output string.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace vigil::datanode {

// Builds a listpack. Strings that are canonical 64-bit integers are stored as integer entries,
// as Redis's lpAppend does, so the bytes match what Redis writes for the same elements.
class ListpackWriter {
 public:
  ListpackWriter() { Reset(); }
  void Reset();
  void AppendString(std::string_view s);
  void AppendInt(int64_t v);
  size_t count() const { return count_; }
  // Bytes the finished blob would have.
  size_t bytes() const { return buf_.size() + 1; }
  // Bytes an entry for `s` would add (encoding, data and backlen).
  static size_t EntrySize(std::string_view s);
  // Completes the header and terminator and returns the blob; the writer is then reset.
  std::string Finish();

 private:
  void AppendBacklen(size_t entry_len);
  std::string buf_;
  size_t count_ = 0;
};

// One element as read back: a string or an integer.
struct ListpackEntry {
  bool is_int = false;
  int64_t ival = 0;
  std::string_view sval;
  // The element as Redis renders it (integers in decimal). `scratch` needs 21 bytes.
  std::string_view Text(char* scratch) const;
};

// Walks every element of `blob`, checking the header, each entry's bounds, its backlen, the
// declared count and the terminator. Stops with an error naming the byte offset inside the
// blob on the first problem. `fn` returns false to stop early (the result is then Ok).
Status ListpackForEach(std::string_view blob, const std::function<bool(const ListpackEntry&)>& fn);

}  // namespace vigil::datanode
