#pragma once
// RDB loader: parses everything Redis 7.0 writes (and the older forms 6.2 and earlier wrote)
// from a byte Source into a Keyspace, with bounds checks on every read, so that no input can
// crash it (it is fuzzed). Errors name the byte offset and what was expected, e.g.
//   "Short read at offset 1234 while reading a string length"
//   "Wrong RDB checksum expected: 1a2b... got: 3c4d..."
//   "Unknown RDB type 42 at offset 77"
//
// Requires: `into` is a fresh, empty Keyspace. On failure it holds a partial load: callers load
// into a scratch Keyspace and swap it in only on success, so the live data is never touched.
// Pure apart from the Source; single-threaded.
#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "datanode/store/keyspace.h"

namespace vigil::datanode {

struct DatanodeConfig;

// Where the bytes come from. Read returns how many bytes it put in `dst` (0 at end of input)
// or an error.
class Source {
 public:
  virtual ~Source() = default;
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
};

// Reads from memory.
class StringSource final : public Source {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* dst, size_t n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// The encoding thresholds that decide a loaded container's encoding (the config directives).
struct EncodingLimits {
  size_t hash_max_listpack_entries = 512;
  size_t hash_max_listpack_value = 64;
  size_t set_max_intset_entries = 512;
  size_t zset_max_listpack_entries = 128;
  size_t zset_max_listpack_value = 64;
};
EncodingLimits LimitsFromConfig(const DatanodeConfig& config);

// Observes the file's structure as it is parsed (redis-check-rdb's report). Offsets are file
// offsets just past the item (where redis-check-rdb reports them), except OnKey's, which is the
// offset of the key's type byte.
class RdbLoadObserver {
 public:
  virtual ~RdbLoadObserver() = default;
  virtual void OnAux(uint64_t offset, const std::string& key, const std::string& value) = 0;
  virtual void OnSelectDb(uint64_t offset, int db) = 0;
  virtual void OnKey(uint64_t offset, uint8_t type, const std::string& key) = 0;
};

struct RdbLoadOptions {
  int64_t now_ms = 0;
  // A master loading at startup drops keys whose TTL has passed; replicas and AOF bases keep
  // them (Redis's rule).
  bool drop_expired = true;
  bool verify_checksum = true;
  // Modules have no Vigil data type. By default a file holding them is refused
  // (loading it would lose data); with skip_unsupported they are parsed, validated and skipped
  // (redis-check-rdb mode).
  bool skip_unsupported = false;
  // Parse and validate only; keys are counted but not stored (redis-check-rdb mode).
  bool dry_run = false;
  EncodingLimits limits;
  // Called about every `progress_every_bytes` with the bytes read so far, so the shell can keep
  // serving -LOADING replies and PINGs.
  uint64_t progress_every_bytes = 2 << 20;
  std::function<void(uint64_t bytes)> progress;
  // Called after each key is stored (key-load-delay, a test knob Redis has too).
  std::function<void()> after_key;
  RdbLoadObserver* observer = nullptr;
};

struct RdbLoadResult {
  int version = 0;
  std::map<std::string, std::string> aux;  // every AUX field as read
  int64_t keys_loaded = 0;
  int64_t keys_expired = 0;        // dropped because their TTL had passed
  int64_t expires = 0;             // keys read with a TTL
  int64_t already_expired = 0;     // keys read whose TTL had passed (dropped or not)
  int64_t skipped = 0;             // unsupported values skipped (skip_unsupported)
  int64_t empty_keys_skipped = 0;  // empty collections (a corrupt file), dropped as Redis does
  // Replication info from AUX (repl_stream_db -1 when absent).
  std::string repl_id;
  int64_t repl_offset = -1;
  int repl_stream_db = -1;
  bool aof_base = false;
  bool checksum_verified = false;  // false when the file stored a zero checksum
  uint64_t stored_crc = 0;
  uint64_t bytes_read = 0;
  std::vector<std::string> warnings;
  // The FUNCTION libraries' codes, in file order (the caller loads them into its FunctionStore).
  std::vector<std::string> functions;
  // Context of the error, for redis-check-rdb's "While doing" lines.
  std::string doing;
  std::string current_key;
  int current_type = -1;
};

Status LoadRdb(Source* source, const RdbLoadOptions& options, Keyspace* into,
               RdbLoadResult* result);

// The same load in slices, for a shell that must return to its event loop between them (a
// replica loading a full sync from inside a socket callback cannot run a nested loop).
class RdbLoadInSteps {
 public:
  RdbLoadInSteps(Source* source, RdbLoadOptions options, Keyspace* into, RdbLoadResult* result);
  ~RdbLoadInSteps();
  RdbLoadInSteps(const RdbLoadInSteps&) = delete;
  RdbLoadInSteps& operator=(const RdbLoadInSteps&) = delete;
  // Loads until about `bytes` more input was consumed, `max_keys` more keys were stored, or the
  // file ended. Returns true once the load is over; status() then says how it went.
  bool Advance(uint64_t bytes, int64_t max_keys = INT64_MAX);
  const Status& status() const { return status_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Status status_;
  bool started_ = false;
  bool over_ = false;
};

}  // namespace vigil::datanode
