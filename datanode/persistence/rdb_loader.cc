#include "datanode/persistence/rdb_loader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "datanode/config/datanode_config.h"
#include "datanode/persistence/function_payload.h"
#include "datanode/persistence/rdb_format.h"
#include "datanode/persistence/rdb_object_loader.h"
#include "datanode/persistence/rdb_reader.h"

namespace vigil::datanode {

EncodingLimits LimitsFromConfig(const DatanodeConfig& c) {
  EncodingLimits l;
  l.hash_max_listpack_entries = size_t(std::max<int64_t>(0, c.hash_max_listpack_entries));
  l.hash_max_listpack_value = size_t(std::max<int64_t>(0, c.hash_max_listpack_value));
  l.set_max_intset_entries = size_t(std::max<int64_t>(0, c.set_max_intset_entries));
  l.zset_max_listpack_entries = size_t(std::max<int64_t>(0, c.zset_max_listpack_entries));
  l.zset_max_listpack_value = size_t(std::max<int64_t>(0, c.zset_max_listpack_value));
  return l;
}

namespace {

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

class Loader {
 public:
  Loader(Source* source, const RdbLoadOptions& options, Keyspace* ks, RdbLoadResult* result)
      : r_(source), o_(options), ks_(ks), res_(result) {}

  Status Run() {
    Status st = Header();
    while (st.ok() && !done_) st = Step();
    if (st.ok()) st = Trailer();
    res_->bytes_read = r_.offset();
    return st;
  }

  // Piecewise Run(), for RdbLoadInSteps.
  Status Begin() { return Header(); }
  bool done() const { return done_; }
  Status Next() { return Step(); }
  Status End() {
    Status st = Trailer();
    res_->bytes_read = r_.offset();
    return st;
  }
  uint64_t offset() const { return r_.offset(); }

 private:
  Status Doing(const char* what) {
    res_->doing = what;
    return Status::Ok();
  }

  Status Header() {
    Doing("start");
    char magic[9];
    Status st = r_.ReadExact(magic, 9, "the RDB signature");
    if (!st.ok()) return st;
    if (std::memcmp(magic, "REDIS", 5) != 0) {
      return RdbReader::Corrupt(0,
                                "Wrong signature trying to load DB from file (expected 'REDIS')");
    }
    int version = 0;
    for (int i = 5; i < 9; ++i) {
      if (magic[i] < '0' || magic[i] > '9')
        return RdbReader::Corrupt(5, "Invalid RDB version digits");
      version = version * 10 + (magic[i] - '0');
    }
    if (version < rdb::kMinLoadVersion || version > rdb::kMaxLoadVersion) {
      return RdbReader::Corrupt(5, "Can't handle RDB format version " + std::to_string(version));
    }
    res_->version = version;
    return Status::Ok();
  }

  Status Step() {
    if (o_.progress && r_.offset() - last_progress_ >= o_.progress_every_bytes) {
      last_progress_ = r_.offset();
      o_.progress(last_progress_);
    }
    Doing("read-type");
    const uint64_t at = r_.offset();
    uint8_t type;
    Status st = r_.ReadByte(&type, "a type byte");
    if (!st.ok()) return st;
    switch (type) {
      case rdb::kOpExpireTime: {
        Doing("read-expire");
        uint32_t s;
        st = r_.ReadU32Le(&s, "an expire time");
        expire_ms_ = int64_t(s) * 1000;
        return st;
      }
      case rdb::kOpExpireTimeMs: {
        Doing("read-expire");
        uint64_t ms;
        st = r_.ReadU64Le(&ms, "an expire time");
        expire_ms_ = static_cast<int64_t>(ms);
        return st;
      }
      case rdb::kOpFreq: {
        st = r_.ReadByte(&lfu_freq_, "an LFU frequency");
        has_freq_ = st.ok();
        return st;
      }
      case rdb::kOpIdle: {
        st = r_.ReadLength(&lru_idle_s_, "an LRU idle time");
        has_idle_ = st.ok();
        return st;
      }
      case rdb::kOpEof:
        done_ = true;
        return Status::Ok();
      case rdb::kOpSelectDb:
        return SelectDb(at);
      case rdb::kOpResizeDb: {
        Doing("read-resize-db");
        uint64_t a, b;
        st = r_.ReadLength(&a, "a RESIZEDB database size");
        if (st.ok()) st = r_.ReadLength(&b, "a RESIZEDB expires size");
        return st;
      }
      case rdb::kOpAux:
        return Aux(at);
      case rdb::kOpModuleAux:
        return ModuleAux();
      case rdb::kOpFunction: {
        // 7.0 release candidates: name, engine, optional description, body.
        Doing("read-functions");
        std::string name, engine, desc, body;
        uint64_t has_desc = 0;
        st = r_.ReadString(&name, "a library name");
        if (st.ok()) st = r_.ReadString(&engine, "an engine name");
        if (st.ok()) st = r_.ReadLength(&has_desc, "a library description flag");
        if (st.ok() && has_desc != 0) st = r_.ReadString(&desc, "a library description");
        if (st.ok()) st = r_.ReadString(&body, "a library body");
        if (st.ok()) res_->functions.push_back(CodeFromOldFunctionRecord(name, engine, body));
        return st;
      }
      case rdb::kOpFunction2: {
        Doing("read-functions");
        std::string code;
        st = r_.ReadString(&code, "a function library");
        if (st.ok()) res_->functions.push_back(std::move(code));
        return st;
      }
      default:
        break;
    }
    if (!IsRdbObjectType(type)) {
      return Status::Error("Unknown RDB type " + std::to_string(type) + " at offset " +
                           std::to_string(at));
    }
    return KeyValue(at, type);
  }

  Status SelectDb(uint64_t at) {
    Doing("read-db");
    uint64_t id;
    Status st = r_.ReadLength(&id, "a database number");
    if (!st.ok()) return st;
    if (id >= uint64_t(ks_->database_count())) {
      return RdbReader::Corrupt(at, "SELECTDB " + std::to_string(id) +
                                        ": data file was created with a server configured for "
                                        "more than " +
                                        std::to_string(ks_->database_count()) + " databases");
    }
    db_ = int(id);
    if (o_.observer != nullptr) o_.observer->OnSelectDb(r_.offset(), db_);
    return Status::Ok();
  }

  Status Aux(uint64_t at) {
    Doing("read-aux");
    std::string key, value;
    Status st = r_.ReadString(&key, "an AUX field name");
    if (st.ok()) st = r_.ReadString(&value, "an AUX field value");
    if (!st.ok()) return st;
    if (o_.observer != nullptr) o_.observer->OnAux(r_.offset(), key, value);
    if (key == "repl-id" && value.size() == 40) res_->repl_id = value;
    if (key == "repl-offset") res_->repl_offset = std::strtoll(value.c_str(), nullptr, 10);
    if (key == "repl-stream-db")
      res_->repl_stream_db = int(std::strtol(value.c_str(), nullptr, 10));
    if (key == "aof-base" || key == "aof-preamble") res_->aof_base = value != "0";
    if (!key.empty() && key[0] == '%') res_->warnings.push_back("RDB '" + key + "': " + value);
    res_->aux[key] = std::move(value);
    return Status::Ok();
  }

  Status ModuleAux() {
    Doing("read-module-aux");
    uint64_t module_id, when_opcode, when;
    Status st = r_.ReadLength(&module_id, "a module id");
    if (st.ok()) st = r_.ReadLength(&when_opcode, "a module aux when-opcode");
    const uint64_t at = r_.offset();
    if (st.ok() && when_opcode != rdb::kModuleOpcodeUInt) {
      return RdbReader::Corrupt(at, "bad when_opcode in module aux data");
    }
    if (st.ok()) st = r_.ReadLength(&when, "a module aux when");
    if (st.ok()) st = SkipModuleValue(r_);
    if (st.ok()) res_->warnings.push_back("Module AUX data skipped (no modules are loaded)");
    return st;
  }

  Status KeyValue(uint64_t at, uint8_t type) {
    Doing("read-key");
    res_->current_type = type;
    Status st = r_.ReadString(&key_, "a key");
    if (!st.ok()) return st;
    if (key_.size() >= (size_t(1) << 31)) return RdbReader::Corrupt(at, "Key too long");
    res_->current_key = key_;
    if (o_.observer != nullptr) o_.observer->OnKey(at, type, key_);
    Doing("read-object-value");
    Entry* e = nullptr;
    bool skipped = false;
    st = LoadRdbObject(r_, type, key_, o_, &e, &skipped);
    if (!st.ok()) return st;
    const int64_t expire = expire_ms_;
    expire_ms_ = -1;
    const bool had_idle = std::exchange(has_idle_, false);
    const bool had_freq = std::exchange(has_freq_, false);
    if (skipped) ++res_->skipped;
    if (e == nullptr) {
      if (!skipped) {
        ++res_->empty_keys_skipped;
        res_->warnings.push_back("rdbLoadObject skipping empty key: " + key_);
      }
      return Status::Ok();
    }
    if (expire != -1) ++res_->expires;
    if (expire != -1 && expire < o_.now_ms) ++res_->already_expired;
    if (o_.drop_expired && expire != -1 && expire < o_.now_ms) {
      ++res_->keys_expired;
      Entry::Free(e);
      return Status::Ok();
    }
    ++res_->keys_loaded;
    if (o_.after_key) o_.after_key();
    if (o_.dry_run) {
      Entry::Free(e);
      return Status::Ok();
    }
    Database& db = ks_->db(db_);
    if (db.Find(e->key()) != nullptr) {
      Entry::Free(e);
      return RdbReader::Corrupt(at, "Duplicated key '" + key_ + "' found in RDB file");
    }
    db.Add(e);
    if (expire != -1) db.SetExpire(e, expire);
    ks_->InitAccess(e, o_.now_ms);
    if (had_freq && ks_->lfu()) e->set_lru((e->lru() & ~0xFFu) | lfu_freq_);
    if (had_idle && !ks_->lfu()) {
      const int64_t idle_ms = int64_t(std::min<uint64_t>(lru_idle_s_, 1u << 24)) * 1000;
      e->set_lru(Keyspace::LruClock(std::max<int64_t>(0, o_.now_ms - idle_ms)));
    }
    return Status::Ok();
  }

  Status Trailer() {
    if (res_->version < 5) return Status::Ok();
    Doing("check-sum");
    const uint64_t computed = r_.crc();
    uint64_t stored;
    Status st = r_.ReadU64Le(&stored, "the RDB checksum");
    if (!st.ok()) return st;
    res_->stored_crc = stored;
    if (stored == 0) {
      res_->warnings.push_back("RDB file was saved with checksum disabled: no check performed.");
      return Status::Ok();
    }
    if (o_.verify_checksum && stored != computed) {
      return Status::Error("Wrong RDB checksum expected: " + Hex64(stored) +
                           " got: " + Hex64(computed) + " (checksum at offset " +
                           std::to_string(r_.offset() - 8) + "): RDB CRC error");
    }
    res_->checksum_verified = o_.verify_checksum;
    return Status::Ok();
  }

  RdbReader r_;
  const RdbLoadOptions& o_;
  Keyspace* ks_;
  RdbLoadResult* res_;
  bool done_ = false;
  int db_ = 0;
  int64_t expire_ms_ = -1;
  bool has_idle_ = false, has_freq_ = false;
  uint64_t lru_idle_s_ = 0;
  uint8_t lfu_freq_ = 0;
  uint64_t last_progress_ = 0;
  std::string key_;
};

}  // namespace

struct RdbLoadInSteps::Impl {
  Impl(Source* source, RdbLoadOptions o, Keyspace* into, RdbLoadResult* out)
      : options(std::move(o)), loader(source, options, into, out), result(out) {}
  RdbLoadOptions options;  // the Loader keeps a reference: it lives here
  Loader loader;
  RdbLoadResult* result;
};

RdbLoadInSteps::RdbLoadInSteps(Source* source, RdbLoadOptions options, Keyspace* into,
                               RdbLoadResult* result) {
  *result = RdbLoadResult{};
  impl_ = std::make_unique<Impl>(source, std::move(options), into, result);
}

RdbLoadInSteps::~RdbLoadInSteps() = default;

bool RdbLoadInSteps::Advance(uint64_t bytes, int64_t max_keys) {
  if (over_) return true;
  Loader& l = impl_->loader;
  if (!started_) {
    started_ = true;
    status_ = l.Begin();
  }
  const uint64_t until = l.offset() + bytes;
  const int64_t keys_until =
      impl_->result->keys_loaded + std::min<int64_t>(max_keys, INT64_MAX / 2);
  while (status_.ok() && !l.done() && l.offset() < until &&
         impl_->result->keys_loaded < keys_until) {
    status_ = l.Next();
  }
  if (status_.ok() && !l.done()) return false;
  if (status_.ok()) status_ = l.End();
  over_ = true;
  return true;
}

Status LoadRdb(Source* source, const RdbLoadOptions& options, Keyspace* into,
               RdbLoadResult* result) {
  *result = RdbLoadResult{};
  Loader loader(source, options, into, result);
  return loader.Run();
}

}  // namespace vigil::datanode
