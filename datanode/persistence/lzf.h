#pragma once
// LZF, the byte-oriented LZ77 variant Redis uses for RDB strings (liblzf's stream format,
// written here from the format description in docs/datanode-protocol.md, "RDB length and string
// encodings"; the compressor makes the same match choices as liblzf 3.6 as Redis builds it, so
// DUMP payloads and RDB files are byte-identical):
//   control byte c < 32      : c + 1 literal bytes follow;
//   otherwise                : back-reference; length = (c >> 5) + 2, where a top value of 7
//                              adds the next byte; distance = ((c & 0x1f) << 8) + next byte + 1
//                              back from the end of the output produced so far.
// Pure; an LzfCompressor instance is not thread-safe (it keeps a hash table between calls).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::datanode {

class LzfCompressor {
 public:
  LzfCompressor();
  ~LzfCompressor();
  LzfCompressor(const LzfCompressor&) = delete;
  LzfCompressor& operator=(const LzfCompressor&) = delete;

  // Compresses `in` into `out` (replacing its contents). Returns false, leaving `out`
  // unspecified, when the result would be longer than `max_out` bytes.
  bool Compress(std::string_view in, size_t max_out, std::string* out);

 private:
  static constexpr int kHashLog = 16;  // liblzf's HLOG in Redis's build
  static size_t Slot(uint32_t three_bytes);
  std::unique_ptr<uint64_t[]> table_;  // hash of 3 bytes -> absolute position + 1
  uint64_t base_ = 0;                  // absolute position of the current input's byte 0
};

// Decompresses `in`, which must expand to exactly `expected_len` bytes. Returns false on any
// malformed input (reference before the start, overrun, wrong final length); never reads or
// writes out of bounds.
bool LzfDecompress(std::string_view in, size_t expected_len, std::string* out);

}  // namespace vigil::datanode
