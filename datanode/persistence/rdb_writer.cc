#include "datanode/persistence/rdb_writer.h"

#include "datanode/persistence/rdb_stream_codec.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "datanode/persistence/crc64.h"
#include "datanode/persistence/function_payload.h"
#include "datanode/persistence/intset_codec.h"
#include "datanode/persistence/listpack.h"
#include "datanode/persistence/rdb_format.h"
#include "datanode/persistence/rdb_stream_codec.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

// Elements at least this long get a PLAIN quicklist node, as Redis's packed_threshold (1 GiB).
constexpr size_t kPackedThreshold = size_t(1) << 30;
// Redis's SIZE_SAFETY_LIMIT for count-limited (positive fill) nodes.
constexpr size_t kSizeSafetyLimit = 8192;
// What Redis adds to an element's length to estimate its listpack entry size.
constexpr size_t kSizeEstimateOverhead = 8;

// Bytes per quicklist node for a negative list-max-listpack-size (-1 .. -5).
size_t NodeByteLimit(int64_t fill) {
  static constexpr size_t kLimits[] = {4096, 8192, 16384, 32768, 65536};
  int64_t i = -fill - 1;
  if (i < 0) i = 1;
  if (i > 4) i = 4;
  return kLimits[i];
}

bool FitsInt32(int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}

}  // namespace

std::string_view FormatRdbScore(double v, char* buf) {
  int n;
  if (std::isnan(v)) {
    n = std::snprintf(buf, 32, "nan");
  } else if (std::isinf(v)) {
    n = std::snprintf(buf, 32, v < 0 ? "-inf" : "inf");
  } else if (v == 0) {
    n = std::snprintf(buf, 32, std::signbit(v) ? "-0" : "0");
  } else if (v > -4503599627370495.0 && v < 4503599627370496.0 &&
             v == static_cast<double>(static_cast<long long>(v))) {
    n = std::snprintf(buf, 32, "%lld", static_cast<long long>(v));
  } else {
    n = std::snprintf(buf, 32, "%.17g", v);
  }
  return {buf, size_t(n)};
}

RdbEncoder::RdbEncoder(Sink* sink, const RdbWriteOptions& options)
    : sink_(sink), options_(options) {
  buf_.reserve(kFlushBytes + 1024);
}

void RdbEncoder::WriteByte(uint8_t b) {
  buf_.push_back(static_cast<char>(b));
}

void RdbEncoder::WriteRaw(std::string_view bytes) {
  if (bytes.size() >= kFlushBytes) {
    (void)Flush();
    if (!status_.ok()) return;
    crc_ = Crc64(crc_, bytes);
    status_ = sink_->Write(bytes);
    flushed_ += bytes.size();
    return;
  }
  buf_.append(bytes);
  MaybeFlush();
}

void RdbEncoder::WriteLength(uint64_t len) {
  if (len < (1 << 6)) {
    WriteByte(static_cast<uint8_t>(len));
  } else if (len < (1 << 14)) {
    WriteByte(static_cast<uint8_t>((rdb::kLen14Bit << 6) | (len >> 8)));
    WriteByte(static_cast<uint8_t>(len & 0xFF));
  } else if (len <= UINT32_MAX) {
    WriteByte(rdb::kLen32Bit);
    for (int i = 3; i >= 0; --i) WriteByte(static_cast<uint8_t>(len >> (8 * i)));
  } else {
    WriteByte(rdb::kLen64Bit);
    for (int i = 7; i >= 0; --i) WriteByte(static_cast<uint8_t>(len >> (8 * i)));
  }
}

void RdbEncoder::WriteInt64String(int64_t v) {
  if (FitsInt32(v)) {
    const uint8_t special = rdb::kLenEncoded << 6;
    if (v >= INT8_MIN && v <= INT8_MAX) {
      WriteByte(special | rdb::kEncInt8);
      WriteByte(static_cast<uint8_t>(v));
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
      WriteByte(special | rdb::kEncInt16);
      WriteByte(static_cast<uint8_t>(v));
      WriteByte(static_cast<uint8_t>(v >> 8));
    } else {
      WriteByte(special | rdb::kEncInt32);
      for (int i = 0; i < 4; ++i) WriteByte(static_cast<uint8_t>(v >> (8 * i)));
    }
    MaybeFlush();
    return;
  }
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
  std::string_view s(tmp, size_t(r.ptr - tmp));
  WriteLength(s.size());
  WriteRaw(s);
}

void RdbEncoder::WriteString(std::string_view s) {
  int64_t v;
  if (s.size() <= 11 && ParseCanonicalInt(s, &v) && FitsInt32(v)) return WriteInt64String(v);
  if (options_.compression && s.size() > 20 && lzf_.Compress(s, s.size() - 4, &scratch_)) {
    WriteByte((rdb::kLenEncoded << 6) | rdb::kEncLzf);
    WriteLength(scratch_.size());
    WriteLength(s.size());
    WriteRaw(scratch_);
    return;
  }
  WriteLength(s.size());
  WriteRaw(s);
}

uint8_t RdbEncoder::ValueType(const Entry& e) {
  switch (e.type()) {
    case ObjType::kString:
      return rdb::kTypeString;
    case ObjType::kList:
      return rdb::kTypeListQuicklist2;
    case ObjType::kSet:
      return e.encoding() == Encoding::kIntset ? rdb::kTypeSetIntset : rdb::kTypeSet;
    case ObjType::kZSet:
      return e.encoding() == Encoding::kListpack ? rdb::kTypeZSetListpack : rdb::kTypeZSet2;
    case ObjType::kHash:
      return e.encoding() == Encoding::kListpack ? rdb::kTypeHashListpack : rdb::kTypeHash;
    case ObjType::kStream:
      return rdb::kTypeStreamListpacks2;
  }
  return rdb::kTypeString;
}

void RdbEncoder::WriteValue(const Entry& e) {
  switch (e.type()) {
    case ObjType::kString: {
      int64_t v;
      if (e.encoding() == Encoding::kInt && e.StringAsInt(&v)) return WriteInt64String(v);
      char tmp[24];
      return WriteString(e.StringValue(tmp));
    }
    case ObjType::kList:
      return WriteList(e);
    case ObjType::kSet:
      return WriteSet(e);
    case ObjType::kZSet:
      return WriteZSet(e);
    case ObjType::kHash:
      return WriteHash(e);
    case ObjType::kStream:
      return WriteRdbStream(*this, *e.stream());
  }
}

void RdbEncoder::WriteList(const Entry& e) {
  const ListValue& list = *e.list();
  const int64_t fill = options_.list_max_listpack_size;
  // Build the nodes first: the node count comes before them.
  std::vector<std::pair<bool, std::string>> nodes;  // (plain, blob)
  ListpackWriter lp;
  auto close_node = [&] {
    if (lp.count() > 0) nodes.emplace_back(false, lp.Finish());
  };
  for (const std::string& item : list) {
    if (item.size() >= kPackedThreshold) {
      close_node();
      nodes.emplace_back(true, item);
      continue;
    }
    if (lp.count() > 0) {
      // Redis's estimate of the node's growth (the element's length plus 8), not the exact
      // entry size: the node boundaries must fall where Redis's quicklist puts them.
      const size_t new_size = lp.bytes() + item.size() + kSizeEstimateOverhead;
      const bool fits = fill < 0 && fill >= -5
                            ? new_size <= NodeByteLimit(fill)
                            : new_size <= kSizeSafetyLimit && int64_t(lp.count()) < fill;
      if (!fits) close_node();
    }
    lp.AppendString(item);
  }
  close_node();
  WriteLength(nodes.size());
  for (const auto& [plain, blob] : nodes) {
    WriteLength(plain ? rdb::kQuicklistNodePlain : rdb::kQuicklistNodePacked);
    WriteString(blob);
  }
}

void RdbEncoder::WriteSet(const Entry& e) {
  const SetValue& set = *e.set();
  if (set.encoding() == Encoding::kIntset) {
    std::vector<int64_t> ints;
    ints.reserve(set.size());
    set.ForEach([&](std::string_view m) {
      int64_t v = 0;
      ParseCanonicalInt(m, &v);
      ints.push_back(v);
    });
    return WriteString(EncodeIntset(ints));
  }
  WriteLength(set.size());
  set.ForEach([&](std::string_view m) { WriteString(m); });
}

void RdbEncoder::WriteZSet(const Entry& e) {
  const ZSetValue& z = *e.zset();
  if (z.encoding() == Encoding::kListpack) {
    ListpackWriter lp;
    char buf[32];
    for (const ZSetValue::Node* n = z.first(); n != nullptr; n = n->next()) {
      lp.AppendString(n->member());
      lp.AppendString(FormatRdbScore(n->score(), buf));
    }
    return WriteString(lp.Finish());
  }
  // Highest score first, so Redis's loader inserts at the head of its skiplist.
  WriteLength(z.size());
  for (const ZSetValue::Node* n = z.last(); n != nullptr; n = n->prev()) {
    WriteString(n->member());
    double d = n->score();
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    for (int i = 0; i < 8; ++i) WriteByte(static_cast<uint8_t>(bits >> (8 * i)));
  }
}

void RdbEncoder::WriteHash(const Entry& e) {
  const HashValue& h = *e.hash();
  if (h.is_listpack()) {
    ListpackWriter lp;
    h.ForEach([&](std::string_view f, std::string_view v) {
      lp.AppendString(f);
      lp.AppendString(v);
    });
    return WriteString(lp.Finish());
  }
  WriteLength(h.size());
  h.ForEach([&](std::string_view f, std::string_view v) {
    WriteString(f);
    WriteString(v);
  });
}

Status RdbEncoder::Flush() {
  if (!status_.ok() || buf_.empty()) {
    buf_.clear();
    return status_;
  }
  crc_ = Crc64(crc_, buf_);
  status_ = sink_->Write(buf_);
  flushed_ += buf_.size();
  buf_.clear();
  return status_;
}

Status RdbEncoder::Finish() {
  WriteByte(rdb::kOpEof);
  (void)Flush();
  if (!status_.ok()) return status_;
  const uint64_t crc = options_.checksum ? crc_ : 0;
  char trailer[8];
  for (int i = 0; i < 8; ++i) trailer[i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  status_ = sink_->Write(std::string_view(trailer, 8));
  flushed_ += 8;
  return status_;
}

namespace {

void WriteAux(RdbEncoder& enc, std::string_view key, std::string_view value) {
  enc.WriteByte(rdb::kOpAux);
  enc.WriteString(key);
  enc.WriteString(value);
}

void WriteAuxInt(RdbEncoder& enc, std::string_view key, int64_t value) {
  enc.WriteByte(rdb::kOpAux);
  enc.WriteString(key);
  enc.WriteInt64String(value);
}

}  // namespace

Status WriteRdb(Keyspace& keyspace, const RdbAuxInfo& aux, const RdbWriteOptions& options,
                Sink* sink) {
  RdbEncoder enc(sink, options);
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", rdb::kVersion);
  enc.WriteRaw(magic);
  WriteAux(enc, "redis-ver", aux.redis_ver);
  WriteAuxInt(enc, "redis-bits", int64_t(sizeof(void*) * 8));
  WriteAuxInt(enc, "ctime", aux.ctime_s);
  WriteAuxInt(enc, "used-mem", aux.used_mem);
  if (!aux.repl_id.empty()) {
    WriteAuxInt(enc, "repl-stream-db", aux.repl_stream_db);
    WriteAux(enc, "repl-id", aux.repl_id);
    WriteAuxInt(enc, "repl-offset", aux.repl_offset);
  }
  WriteAuxInt(enc, "aof-base", aux.aof_base ? 1 : 0);
  WriteFunctionRecords(enc, aux.functions);

  const EvictionPolicy policy = keyspace.policy();
  const bool lru = policy == EvictionPolicy::kAllKeysLru || policy == EvictionPolicy::kVolatileLru;
  const bool lfu = keyspace.lfu();
  size_t keys_written = 0;
  for (int i = 0; i < keyspace.database_count(); ++i) {
    Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    enc.WriteByte(rdb::kOpSelectDb);
    enc.WriteLength(uint64_t(i));
    enc.WriteByte(rdb::kOpResizeDb);
    enc.WriteLength(db.size());
    enc.WriteLength(db.expires_size());
    db.keys().ForEach([&](Entry* e) {
      const int64_t when = db.GetExpire(e);
      if (when >= 0) {
        enc.WriteByte(rdb::kOpExpireTimeMs);
        for (int b = 0; b < 8; ++b) enc.WriteByte(static_cast<uint8_t>(uint64_t(when) >> (8 * b)));
      }
      if (lru) {
        enc.WriteByte(rdb::kOpIdle);
        enc.WriteLength(keyspace.IdleMillis(e, options.now_ms) / 1000);
      } else if (lfu) {
        enc.WriteByte(rdb::kOpFreq);
        enc.WriteByte(keyspace.LfuCounter(e, options.now_ms));
      }
      enc.WriteByte(RdbEncoder::ValueType(*e));
      enc.WriteString(e->key());
      enc.WriteValue(*e);
      ++keys_written;
      if (options.progress && options.progress_every_keys > 0 &&
          keys_written % options.progress_every_keys == 0) {
        options.progress(keys_written);
      }
    });
    Status st = enc.Flush();
    if (!st.ok()) return st;
  }
  return enc.Finish();
}

}  // namespace vigil::datanode
