#pragma once
// RdbReader: the bounds-checked byte reader under the RDB loader. Buffers a Source, tracks the
// file offset of every byte and the CRC64 of everything consumed, and decodes RDB lengths and
// strings (raw, integer-encoded, LZF). Every failure is a Status naming the offset, e.g.
// "Short read at offset 1234 while reading a string length". Internal to persistence/.
#include <cstdint>
#include <string>

#include "common/base/status.h"
#include "datanode/persistence/rdb_loader.h"

namespace vigil::datanode {

class RdbReader {
 public:
  explicit RdbReader(Source* source);

  // File offset of the next byte to be read.
  uint64_t offset() const { return base_ + pos_; }
  // CRC64 of every byte consumed so far.
  uint64_t crc();

  Status ReadByte(uint8_t* out, const char* what);
  Status ReadExact(char* dst, size_t n, const char* what);
  // Little-endian fixed-width integers (expiry times, module data).
  Status ReadU32Le(uint32_t* out, const char* what);
  Status ReadU64Le(uint64_t* out, const char* what);
  Status ReadBinaryDouble(double* out, const char* what);
  // A length; `*encoded` is set when the 11xxxxxx form carries a string encoding instead.
  Status ReadLength(uint64_t* out, bool* encoded, const char* what);
  // A plain length; the special-encoding form is an error here.
  Status ReadLength(uint64_t* out, const char* what);
  // A string in any of its encodings.
  Status ReadString(std::string* out, const char* what);
  // Exactly `len` raw bytes.
  Status ReadRaw(std::string* out, uint64_t len, const char* what);
  // An old-style ZSET (type 3) score: 1-byte length + ASCII, 253/254/255 = nan/+inf/-inf.
  Status ReadAsciiDouble(double* out, const char* what);

  Status ShortRead(const char* what) const;
  // "<message> at offset <offset>".
  static Status Corrupt(uint64_t offset, const std::string& message);

 private:
  // Makes at least `n` bytes available (n <= buffer size); false at end of input.
  Result<bool> Fill(size_t n);
  void CrcConsumed();

  static constexpr size_t kBufferSize = 256 * 1024;
  Source* source_;
  std::string buf_;
  size_t pos_ = 0;      // next unread byte in buf_
  size_t end_ = 0;      // end of valid data in buf_
  size_t crc_pos_ = 0;  // bytes of buf_ before this are already in crc_
  uint64_t base_ = 0;   // file offset of buf_[0]
  uint64_t crc_ = 0;
  std::string scratch_;  // LZF input
};

}  // namespace vigil::datanode
