#pragma once
// RDB writer: serializes a Keyspace as an RDB version 10 file that redis-server 7.0 loads and
// redis-check-rdb accepts (docs/datanode-protocol.md, "RDB version 10: layout"). Output goes to a
// Sink, so the same code writes a file (SAVE, BGSAVE), a socket (diskless replication) or memory
// (tests, DUMP).
//
// Each value is written in the form Redis 7.0 writes for the object's current encoding, so
// OBJECT ENCODING survives a round trip: strings type 0 (integer-encoded where Redis would,
// LZF when compression is on and the string is longer than 20 bytes), lists quicklist 2
// (type 18) of listpack nodes, sets intset (11) or plain (2), sorted sets listpack (17) or
// ZSET_2 (5), hashes listpack (16) or plain (4).
//
// Pure apart from the sink; single-threaded. In a forked child the keyspace is a frozen copy.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "datanode/persistence/lzf.h"
#include "datanode/store/keyspace.h"

namespace vigil::datanode {

// Where the bytes go. Write either consumes everything or fails.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(std::string_view data) = 0;
};

// Collects the output in memory.
class StringSink final : public Sink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Write(std::string_view data) override {
    out_->append(data);
    return Status::Ok();
  }

 private:
  std::string* out_;
};

// The AUX fields at the head of the file.
struct RdbAuxInfo {
  std::string redis_ver = "7.0.15";
  int64_t ctime_s = 0;   // creation time, unix seconds
  int64_t used_mem = 0;  // bytes
  // Replication info (repl-stream-db, repl-id, repl-offset): written when repl_id is not empty.
  int repl_stream_db = 0;
  std::string repl_id;
  int64_t repl_offset = 0;
  bool aof_base = false;  // "aof-base" 1 for an AOF base file
  // The FUNCTION libraries' codes, written as FUNCTION2 records before the databases.
  std::vector<std::string> functions;
};

struct RdbWriteOptions {
  bool compression = true;              // rdbcompression
  bool checksum = true;                 // rdbchecksum; false writes eight zero bytes
  int64_t now_ms = 0;                   // for IDLE / FREQ opcodes under LRU / LFU policies
  int64_t list_max_listpack_size = -2;  // quicklist node size, as the config directive
  // Called after every `progress_every_keys` keys with the number written so far.
  size_t progress_every_keys = 1024;
  std::function<void(size_t keys)> progress;
};

// Low-level encoder: buffers output, keeps the running CRC, and knows every value form.
// Exposed for DUMP/RESTORE and replication.
class RdbEncoder {
 public:
  RdbEncoder(Sink* sink, const RdbWriteOptions& options);

  void WriteByte(uint8_t b);
  void WriteRaw(std::string_view bytes);
  void WriteLength(uint64_t len);
  // A string: integer-encoded when it is a canonical int32 of <= 11 chars, LZF when enabled
  // and it shrinks by at least 4 bytes, raw otherwise.
  void WriteString(std::string_view s);
  void WriteInt64String(int64_t v);  // an integer value as an RDB string
  // Writes the value of `e` (not the key) and returns its RDB type id, which the caller must
  // write first: use ValueType() to learn it before calling.
  static uint8_t ValueType(const Entry& e);
  void WriteValue(const Entry& e);

  // Sends buffered bytes to the sink. Errors are sticky: after one, writes are dropped and
  // Finish returns it.
  Status Flush();
  // Writes EOF and the checksum, flushes, and returns the first error.
  Status Finish();
  uint64_t bytes_written() const { return flushed_ + buf_.size(); }

 private:
  void WriteList(const Entry& e);
  void WriteSet(const Entry& e);
  void WriteZSet(const Entry& e);
  void WriteHash(const Entry& e);
  void MaybeFlush() {
    if (buf_.size() >= kFlushBytes) (void)Flush();
  }

  static constexpr size_t kFlushBytes = 64 * 1024;
  Sink* sink_;
  RdbWriteOptions options_;
  std::string buf_;
  std::string scratch_;
  LzfCompressor lzf_;
  uint64_t crc_ = 0;
  uint64_t flushed_ = 0;
  Status status_;
};

// Writes the whole keyspace: magic, AUX fields, per non-empty database SELECTDB + RESIZEDB +
// keys (with EXPIRETIME_MS, IDLE/FREQ), EOF, CRC64.
Status WriteRdb(Keyspace& keyspace, const RdbAuxInfo& aux, const RdbWriteOptions& options,
                Sink* sink);

// Renders a score as Redis 7.0's d2string does (integral values as integers, else %.17g).
std::string_view FormatRdbScore(double v, char* buf /* >= 32 bytes */);

}  // namespace vigil::datanode
