// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. An HLL is an ordinary
// string value in Redis's byte format (datanode/store/hyperloglog.h), so every string command,
// DUMP/RESTORE, RDB and replication carry it unchanged.
#include <cmath>
#include <cstdlib>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/hyperloglog.h"

namespace vigil::datanode {
namespace {

constexpr const char* kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr const char* kCorruptHll = "INVALIDOBJ Corrupted HLL object detected";

// Redis's isHLLObjectOrReply: another type gets the usual WRONGTYPE, a string without a sane
// HLL header gets the HLL-specific one.
bool CheckHll(CommandContext& ctx, const Entry* e) {
  if (!ctx.CheckType(e, ObjType::kString)) return false;
  char scratch[24];
  if (e->encoding() == Encoding::kInt || !hll::HasValidHeader(e->StringValue(scratch))) {
    ctx.reply.Error(kNotHll);
    return false;
  }
  return true;
}

std::string_view HllView(const Entry* e) {
  char scratch[24];  // unused: CheckHll rejected int-encoded values
  return e->StringValue(scratch);
}

size_t SparseMaxBytes(CommandContext& ctx) {
  return size_t(ctx.config().hll_sparse_max_bytes);
}

// A new key holding an empty sparse HLL, stored raw as Redis creates it.
Entry* CreateHll(CommandContext& ctx, std::string_view key) {
  Entry* e = Entry::NewRaw(key, hll::NewSparse());
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  ctx.AddKey(e);
  return e;
}

void PfaddCommand(CommandContext& ctx) {
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  int64_t updated = 0;
  if (e == nullptr) {
    e = CreateHll(ctx, key);
    ++updated;
  } else if (!CheckHll(ctx, e)) {
    return;
  }
  RawString handle = e->MutableRaw();
  RawString* value = &handle;
  for (size_t i = 2; i < ctx.argc; ++i) {
    switch (hll::AddElement(value, ctx.arg(i), SparseMaxBytes(ctx))) {
      case hll::UpdateResult::kChanged:
        ++updated;
        break;
      case hll::UpdateResult::kCorrupt:
        return ctx.reply.Error(kCorruptHll);
      case hll::UpdateResult::kUnchanged:
        break;
    }
  }
  if (updated > 0) {
    // Every changed register counts as a change, as Redis's dirty counter does.
    ctx.KeyModified(key, updated);
    ctx.Notify(notify::kString, "pfadd", key);
    hll::InvalidateCachedCardinality(value->data());
  }
  ctx.reply.Integer(updated > 0 ? 1 : 0);
}

// PFCOUNT of several keys: the estimate of their union, leaving the values untouched.
void CountUnion(CommandContext& ctx) {
  hll::Registers max{};
  for (size_t i = 1; i < ctx.argc; ++i) {
    Entry* e = ctx.LookupRead(ctx.arg(i));
    if (e == nullptr) continue;
    if (!CheckHll(ctx, e)) return;
    if (!hll::MergeInto(HllView(e), &max)) return ctx.reply.Error(kCorruptHll);
  }
  ctx.reply.Integer(int64_t(hll::EstimateRegisters(max)));
}

void PfcountCommand(CommandContext& ctx) {
  if (ctx.argc > 2) return CountUnion(ctx);
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupRead(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!CheckHll(ctx, e)) return;
  RawString handle = e->MutableRaw();
  RawString* value = &handle;
  if (auto cached = hll::CachedCardinality(*value)) return ctx.reply.Integer(int64_t(*cached));
  auto estimate = hll::Estimate(*value);
  if (!estimate) return ctx.reply.Error(kCorruptHll);
  // Caching the estimate changes the value's bytes: like Redis, that is a write replicas and
  // the AOF must see, though PFCOUNT is flagged read-only.
  hll::StoreCachedCardinality(value->data(), *estimate);
  ctx.KeyModified(key);
  ctx.reply.Integer(int64_t(*estimate));
}

void PfmergeCommand(CommandContext& ctx) {
  hll::Registers max{};
  bool any_dense = false;
  for (size_t i = 1; i < ctx.argc; ++i) {
    Entry* e = ctx.LookupRead(ctx.arg(i));
    if (e == nullptr) continue;
    if (!CheckHll(ctx, e)) return;
    if (hll::EncodingOf(HllView(e)) == hll::Encoding::kDense) any_dense = true;
    if (!hll::MergeInto(HllView(e), &max)) return ctx.reply.Error(kCorruptHll);
  }
  // The destination was also a source, so it is known to be a valid HLL when it exists.
  const std::string& key = ctx.arg(1);
  Entry* dest = ctx.LookupWrite(key);
  if (dest == nullptr) dest = CreateHll(ctx, key);
  RawString handle = dest->MutableRaw();
  RawString* value = &handle;
  // A dense input makes the result dense at once instead of growing the sparse form.
  if (any_dense && !hll::ConvertToDense(value)) return ctx.reply.Error(kCorruptHll);
  for (uint32_t i = 0; i < hll::kRegisterCount; ++i) {
    if (max[i] != 0) hll::RaiseRegister(value, i, max[i], SparseMaxBytes(ctx));
  }
  hll::InvalidateCachedCardinality(value->data());
  ctx.KeyModified(key);
  // Redis names a merge a mass PFADD.
  ctx.Notify(notify::kString, "pfadd", key);
  ctx.reply.Ok();
}

void PfdebugCommand(CommandContext& ctx) {
  const std::string& sub = ctx.arg(1);
  Entry* e = ctx.LookupWrite(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Error("ERR The specified key does not exist");
  if (!CheckHll(ctx, e)) return;
  RawString handle = e->MutableRaw();
  RawString* value = &handle;
  const bool sparse = hll::EncodingOf(*value) == hll::Encoding::kSparse;
  if (EqualsIgnoreCase(sub, "getreg") || EqualsIgnoreCase(sub, "todense")) {
    if (sparse) {
      if (!hll::ConvertToDense(value)) return ctx.reply.Error(kCorruptHll);
      // The new encoding must reach replicas, but no key "changed" for WATCH, as in Redis.
      ctx.Dirty();
    }
    if (EqualsIgnoreCase(sub, "todense")) return ctx.reply.Integer(sparse ? 1 : 0);
    const auto* body = reinterpret_cast<const uint8_t*>(value->data()) + hll::kHeaderSize;
    ctx.reply.Array(hll::kRegisterCount);
    for (uint32_t i = 0; i < hll::kRegisterCount; ++i) {
      ctx.reply.Integer(hll::DenseRegister(body, i));
    }
  } else if (EqualsIgnoreCase(sub, "decode")) {
    if (!sparse) return ctx.reply.Error("ERR HLL encoding is not sparse");
    ctx.reply.Bulk(hll::DescribeSparse(*value));
  } else if (EqualsIgnoreCase(sub, "encoding")) {
    ctx.reply.Simple(sparse ? "sparse" : "dense");
  } else {
    ctx.reply.Error("ERR Unknown PFDEBUG subcommand '" + sub + "'");
  }
}

// PFSELFTEST, as Redis runs it: packed register access must round-trip, and a sparse and a
// dense HLL fed the same 10M elements must agree and stay within 6 standard errors.
std::string RunSelfTest(Prng& prng, size_t sparse_max_bytes) {
  std::vector<uint8_t> body(hll::kDenseSize - hll::kHeaderSize + 1, 0);
  hll::Registers expected{};
  for (int cycle = 0; cycle < 1000; ++cycle) {
    for (uint32_t i = 0; i < hll::kRegisterCount; ++i) {
      expected[i] = uint8_t(prng.Next() & hll::kRegisterMax);
      hll::SetDenseRegister(body.data(), i, expected[i]);
    }
    for (uint32_t i = 0; i < hll::kRegisterCount; ++i) {
      const uint8_t got = hll::DenseRegister(body.data(), i);
      if (got != expected[i]) {
        return "ERR TESTFAILED Register " + std::to_string(i) + " should be " +
               std::to_string(expected[i]) + " but is " + std::to_string(got);
      }
    }
  }

  OwnedRawString dense_value(hll::NewSparse());
  OwnedRawString sparse_value(hll::NewSparse());
  RawString dense = dense_value.handle();
  RawString sparse = sparse_value.handle();
  if (!hll::ConvertToDense(&dense)) return "ERR TESTFAILED dense/sparse disagree";
  const double relative_error = 1.04 / std::sqrt(double(hll::kRegisterCount));
  const uint64_t seed = prng.Next();
  uint64_t checkpoint = 1;
  for (uint64_t j = 1; j <= 10000000; ++j) {
    const uint64_t element = j ^ seed;
    char bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = char(uint8_t(element >> (8 * b)));
    const hll::ElementRank r = hll::RankElement(std::string_view(bytes, 8));
    hll::RaiseRegister(&dense, r.index, r.rank, sparse_max_bytes);
    hll::RaiseRegister(&sparse, r.index, r.rank, sparse_max_bytes);
    if (j != checkpoint) continue;
    if (j < sparse_max_bytes / 2 && hll::EncodingOf(sparse) != hll::Encoding::kSparse) {
      return "ERR TESTFAILED sparse encoding not used";
    }
    const uint64_t dense_count = hll::Estimate(dense).value_or(0);
    if (dense_count != hll::Estimate(sparse).value_or(0)) {
      return "ERR TESTFAILED dense/sparse disagree";
    }
    const int64_t abs_error = std::llabs(int64_t(checkpoint) - int64_t(dense_count));
    // At cardinality 10 a single collision is a likely, harmless outcome.
    const uint64_t max_error =
        j == 10 ? 1 : uint64_t(std::ceil(relative_error * 6 * double(checkpoint)));
    if (uint64_t(abs_error) > max_error) {
      return "ERR TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
             " abserr:" + std::to_string(abs_error);
    }
    checkpoint *= 10;
  }
  return "";
}

void PfselftestCommand(CommandContext& ctx) {
  Prng prng(ctx.keyspace().prng().Next());
  const std::string failure = RunSelfTest(prng, SparseMaxBytes(ctx));
  failure.empty() ? ctx.reply.Ok() : ctx.reply.Error(failure);
}

}  // namespace

void RegisterHyperLogLogCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
  t.Add({"pfadd", -2, kW | kCmdFast, 1, 1, 1, PfaddCommand, "hyperloglog", {}});
  t.Add({"pfcount",
         -2,
         kCmdReadonly | kCmdMayReplicate,
         1,
         -1,
         1,
         PfcountCommand,
         "hyperloglog",
         {}});
  t.Add({"pfmerge", -2, kW, 1, -1, 1, PfmergeCommand, "hyperloglog", {}});
  t.Add({"pfdebug", 3, kW | kCmdAdmin, 2, 2, 1, PfdebugCommand, "hyperloglog", {}});
  t.Add({"pfselftest", 1, kCmdAdmin, 0, 0, 0, PfselftestCommand, "hyperloglog", {}});
}

}  // namespace vigil::datanode
