// DEBUG subcommands that look at one key or one table: OBJECT, SDSLEN, LISTPACK, QUICKLIST,
// HTSTATS, HTSTATS-KEY, DIGEST, DIGEST-VALUE. Vigil's containers are not Redis's, so the
// low-level figures (node counts, chain lengths) describe Vigil's own tables, in Redis's format;
// the encodings, digests and serialized lengths are Redis's exactly.
#include <cinttypes>
#include <cstdio>

#include "datanode/commands/command_context.h"
#include "datanode/commands/debug_internal.h"
#include "datanode/persistence/listpack.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/service/service.h"
#include "datanode/store/dataset_digest.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

constexpr size_t kStatsVectorLen = 50;  // DICT_STATS_VECTLEN

std::string Format(const char* fmt, auto... args) {
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), fmt, args...);
  return std::string(buf, size_t(std::max(0, std::min(n, int(sizeof(buf)) - 1))));
}

std::string TableStats(const std::vector<size_t>& chains, int index) {
  const char* which = index == 0 ? "main hash table" : "rehashing target";
  size_t used = 0, slots = 0, max_chain = 0;
  size_t histogram[kStatsVectorLen] = {};
  for (size_t len : chains) {
    used += len;
    ++histogram[std::min(len, kStatsVectorLen - 1)];
    if (len == 0) continue;
    ++slots;
    max_chain = std::max(max_chain, len);
  }
  if (used == 0) {
    return Format("Hash table %d stats (%s):\nNo stats available for empty dictionaries\n", index,
                  which);
  }
  std::string s = Format(
      "Hash table %d stats (%s):\n table size: %zu\n number of elements: %zu\n different slots: "
      "%zu\n max chain length: %zu\n avg chain length (counted): %.02f\n avg chain length "
      "(computed): %.02f\n Chain length distribution:\n",
      index, which, chains.size(), used, slots, max_chain, double(float(used) / float(slots)),
      double(float(used) / float(slots)));
  for (size_t i = 0; i + 1 < kStatsVectorLen; ++i) {
    if (histogram[i] == 0) continue;
    s += Format("   %zu: %zu (%.02f%%)\n", i, histogram[i],
                double(float(histogram[i]) / float(chains.size()) * 100));
  }
  return s;
}

// The quicklist Redis 7.0 would build by appending the elements one by one: nodes cut by
// list-max-listpack-size, elements of quicklist-packed-threshold bytes or more alone in a plain
// node. Redis's real layout also depends on the order of inserts, so this is an estimate.
struct QuicklistShape {
  size_t nodes = 0;
  size_t uncompressed_bytes = 0;
};

QuicklistShape EstimateQuicklist(const ListValue& list, int64_t fill, int64_t packed_threshold) {
  static const size_t kOptimizationLevel[] = {4096, 8192, 16384, 32768, 65536};
  constexpr size_t kEmptyListpack = 7, kSafetyLimit = 8192, kOverhead = 8;
  QuicklistShape shape;
  size_t node_bytes = 0, node_count = 0;
  bool open = false;  // the last node is a packed one that may take more
  for (const std::string& item : list) {
    const bool large = int64_t(item.size()) >= packed_threshold;
    bool fits = false;
    if (open && !large) {
      const size_t grown = node_bytes + item.size() + kOverhead;
      if (fill < 0 && size_t(-fill) - 1 < std::size(kOptimizationLevel)) {
        fits = grown <= kOptimizationLevel[size_t(-fill) - 1];
      } else {
        fits = grown <= kSafetyLimit && int64_t(node_count) < fill;
      }
    }
    if (large) {
      shape.uncompressed_bytes += open ? node_bytes : 0;
      ++shape.nodes;
      shape.uncompressed_bytes += item.size();
      open = false;
      continue;
    }
    if (!fits) {
      if (open) shape.uncompressed_bytes += node_bytes;
      ++shape.nodes;
      node_bytes = kEmptyListpack;
      node_count = 0;
      open = true;
    }
    node_bytes += ListpackWriter::EntrySize(item);
    ++node_count;
  }
  if (open) shape.uncompressed_bytes += node_bytes;
  return shape;
}

size_t SerializedLength(CommandContext& ctx, const Entry& e) {
  std::string out;
  StringSink sink(&out);
  RdbWriteOptions options;
  options.compression = ctx.config().rdbcompression;
  options.now_ms = ctx.now_ms();
  options.list_max_listpack_size = ctx.config().list_max_listpack_size;
  RdbEncoder enc(&sink, options);
  enc.WriteValue(e);
  (void)enc.Flush();
  return out.size();
}

// LISTPACK, QUICKLIST and HTSTATS-KEY look keys up as OBJECT does: expired keys are gone.
Entry* LookupForInspect(CommandContext& ctx) {
  Entry* e = ctx.keyspace().Lookup(ctx.session.db, ctx.arg(2), ctx.now_ms(), /*touch=*/false);
  if (e == nullptr) ctx.reply.Error("ERR no such key");
  return e;
}

}  // namespace

std::string RenderDictStats(const std::vector<size_t>& main,
                            const std::vector<size_t>* rehash_target) {
  std::string s = TableStats(main, 0);
  if (rehash_target != nullptr) s += TableStats(*rehash_target, 1);
  return s;
}

int64_t ObjectRefcount(CommandContext& ctx, const Entry& e) {
  // Redis shares the objects of the integers 0..9999 unless an LRU/LFU policy needs each key
  // to carry its own access time; OBJECT REFCOUNT then shows the shared refcount.
  int64_t v = 0;
  const EvictionPolicy p = ctx.keyspace().policy();
  const bool no_sharing =
      ctx.config().maxmemory > 0 && (ctx.keyspace().lfu() || p == EvictionPolicy::kAllKeysLru ||
                                     p == EvictionPolicy::kVolatileLru);
  if (e.type() == ObjType::kString && e.encoding() == Encoding::kInt && e.StringAsInt(&v) &&
      v >= 0 && v < 10000 && !no_sharing) {
    return 2147483647;
  }
  return 1;
}

void DebugObject(CommandContext& ctx) {
  // No lookup with expiry: DEBUG OBJECT sees logically expired keys, as Redis's dictFind does.
  Entry* e = ctx.db().Find(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  std::string extra;
  if (e->type() == ObjType::kList) {
    const int64_t fill = ctx.config().list_max_listpack_size;
    QuicklistShape q =
        EstimateQuicklist(*e->list(), fill, ctx.service.debug.quicklist_packed_threshold);
    extra = Format(
        " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d "
        "ql_uncompressed_size:%zu",
        q.nodes, double(e->list()->size()) / double(std::max<size_t>(1, q.nodes)), int(fill),
        ctx.config().list_compress_depth != 0 ? 1 : 0, q.uncompressed_bytes);
  }
  ctx.reply.Simple(Format("Value at:%p refcount:%" PRId64
                          " encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%" PRIu64,
                          static_cast<const void*>(e), ObjectRefcount(ctx, *e),
                          std::string(EncodingName(e->encoding())).c_str(),
                          SerializedLength(ctx, *e), e->lru(),
                          ctx.keyspace().IdleMillis(e, ctx.now_ms()) / 1000) +
                   extra);
}

void DebugSdsLen(CommandContext& ctx) {
  Entry* e = ctx.db().Find(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  if (e->type() != ObjType::kString || e->encoding() == Encoding::kInt) {
    return ctx.reply.Error("ERR Not an sds encoded string.");
  }
  // Vigil keeps no sds headers: the lengths are real, the spare capacity is none.
  const size_t klen = e->key().size(), vlen = e->StringLength();
  ctx.reply.Simple(
      Format("key_sds_len:%zu, key_sds_avail:0, key_zmalloc: %zu, val_sds_len:%zu, "
             "val_sds_avail:0, val_zmalloc: %zu",
             klen, klen + 1, vlen, vlen + 1));
}

void DebugListpack(CommandContext& ctx) {
  Entry* e = LookupForInspect(ctx);
  if (e == nullptr) return;
  if (e->encoding() != Encoding::kListpack) {
    return ctx.reply.Error("ERR Not a listpack encoded object.");
  }
  if (ServerHooks* hooks = ctx.service.hooks()) {
    hooks->PrintToStdout("{listpack of key " + std::string(e->key()) + "}\n");
  }
  ctx.reply.Simple("Listpack structure printed on stdout");
}

void DebugQuicklist(CommandContext& ctx) {
  Entry* e = LookupForInspect(ctx);
  if (e == nullptr) return;
  if (e->encoding() != Encoding::kQuicklist) {
    return ctx.reply.Error("ERR Not a quicklist encoded object.");
  }
  QuicklistShape q = EstimateQuicklist(*e->list(), ctx.config().list_max_listpack_size,
                                       ctx.service.debug.quicklist_packed_threshold);
  if (ServerHooks* hooks = ctx.service.hooks()) {
    hooks->PrintToStdout("{quicklist of key " + std::string(e->key()) +
                         "} {count : " + std::to_string(e->list()->size()) +
                         "} {len : " + std::to_string(q.nodes) + "}\n");
  }
  ctx.reply.Simple("Quicklist structure printed on stdout");
}

void DebugHtStats(CommandContext& ctx) {
  int64_t dbid = 0;
  if (!ctx.GetInt(2, &dbid)) return;
  if (dbid < 0 || dbid >= ctx.keyspace().database_count()) {
    return ctx.reply.Error("ERR Out of range database");
  }
  Database& db = ctx.keyspace().db(int(dbid));
  const std::vector<size_t> target = db.keys().ChainLengths(1);
  std::string s = "[Dictionary HT]\n";
  s += RenderDictStats(db.keys().ChainLengths(0), db.keys().rehashing() ? &target : nullptr);
  s += "[Expires HT]\n";
  s += RenderDictStats(db.expires().ChainLengths(), nullptr);
  ctx.reply.Verbatim(s, "txt");
}

void DebugHtStatsKey(CommandContext& ctx) {
  Entry* e = LookupForInspect(ctx);
  if (e == nullptr) return;
  std::vector<size_t> chains;
  if (e->type() == ObjType::kHash && e->encoding() == Encoding::kHashtable) {
    chains = e->hash()->ChainLengths();
  } else if (e->type() == ObjType::kSet && e->encoding() == Encoding::kHashtable) {
    const SetValue& set = *e->set();
    const std::vector<size_t> target = set.ChainLengths(1);
    return ctx.reply.Verbatim(
        RenderDictStats(set.ChainLengths(0), set.rehashing() ? &target : nullptr), "txt");
  } else if (e->type() == ObjType::kZSet && e->encoding() == Encoding::kSkiplist) {
    chains = e->zset()->ChainLengths();
  } else {
    return ctx.reply.Error(
        "ERR The value stored at the specified key is not represented using an hash table");
  }
  ctx.reply.Verbatim(RenderDictStats(chains, nullptr), "txt");
}

void DebugDigest(CommandContext& ctx) {
  ctx.reply.Simple(DigestHex(DigestDataset(ctx.keyspace())));
}

void DebugDigestValue(CommandContext& ctx) {
  ctx.reply.Array(ctx.argc - 2);
  for (size_t j = 2; j < ctx.argc; ++j) {
    // Logically expired keys still have a value here, as in Redis.
    DigestBytes d{};
    if (Entry* e = ctx.db().Find(ctx.arg(j))) DigestValue(*e, e->has_expire(), &d);
    ctx.reply.Simple(DigestHex(d));
  }
}

}  // namespace vigil::datanode
