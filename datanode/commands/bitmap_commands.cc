// Bitmap commands: strings addressed bit by bit (SETBIT GETBIT BITCOUNT BITPOS BITOP).
// BITFIELD lives in bitfield_commands.cc.
#include <array>
#include <vector>

#include "datanode/commands/bit_args.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/bit_ops.h"

namespace vigil::datanode {
namespace {

void SetbitCommand(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, 2, 0, &offset)) return;
  int64_t on;
  if (!ParseInt64Strict(ctx.arg(3), &on) || (on != 0 && on != 1)) {
    return ctx.reply.Error("ERR bit is not an integer or out of range");
  }
  bool grew = false;
  std::optional<RawString> raw = StringForBitWrite(ctx, ctx.arg(1), offset, &grew);
  if (!raw) return;
  bool was = bits::GetBit(raw->view(), offset);
  // Setting a bit to what it already was changes nothing: no dirty count, no propagation.
  if (grew || was != (on == 1)) {
    bits::SetBit(raw->data(), offset, on == 1);
    ctx.KeyModified(ctx.arg(1));
    ctx.Notify(notify::kString, "setbit", ctx.arg(1));
  }
  ctx.reply.Integer(was ? 1 : 0);
}

void GetbitCommand(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, 2, 0, &offset)) return;
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  char scratch[24];
  ctx.reply.Integer(bits::GetBit(e->StringValue(scratch), offset) ? 1 : 0);
}

// Parses the optional BYTE|BIT unit at argument `i` into *in_bits.
bool ParseRangeUnit(CommandContext& ctx, size_t i, bool* in_bits) {
  if (ctx.ArgIs(i, "bit")) {
    *in_bits = true;
  } else if (ctx.ArgIs(i, "byte")) {
    *in_bits = false;
  } else {
    ctx.ErrSyntax();
    return false;
  }
  return true;
}

// A start/end range resolved against a string, in bits, as BITCOUNT and BITPOS read it:
// negative indexes count from the end, then both ends are clamped into the string.
struct BitRange {
  bool empty = true;
  uint64_t first = 0, last = 0;
};

BitRange ResolveRange(int64_t start, int64_t end, bool in_bits, size_t string_len) {
  const int64_t total = int64_t(string_len) * (in_bits ? 8 : 1);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return {};
  if (in_bits) return {false, uint64_t(start), uint64_t(end)};
  return {false, uint64_t(start) * 8, uint64_t(end) * 8 + 7};
}

void BitcountCommand(CommandContext& ctx) {
  // Redis looks the key up before reading the range: a missing key answers 0 whatever follows.
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Integer(0);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  char scratch[24];
  std::string_view s = e->StringValue(scratch);
  if (ctx.argc == 2) return ctx.reply.Integer(int64_t(bits::CountSetBits(s)));
  if (ctx.argc != 4 && ctx.argc != 5) return ctx.ErrSyntax();
  int64_t start, end;
  if (!ctx.GetInt(2, &start) || !ctx.GetInt(3, &end)) return;
  // Both negative and crossed: empty before the unit is even looked at.
  if (start < 0 && end < 0 && start > end) return ctx.reply.Integer(0);
  bool in_bits = false;
  if (ctx.argc == 5 && !ParseRangeUnit(ctx, 4, &in_bits)) return;
  BitRange r = ResolveRange(start, end, in_bits, s.size());
  ctx.reply.Integer(r.empty ? 0 : int64_t(bits::CountSetBits(s, r.first, r.last)));
}

void BitposCommand(CommandContext& ctx) {
  int64_t bit;
  if (!ctx.GetInt(2, &bit)) return;
  if (bit != 0 && bit != 1) return ctx.reply.Error("ERR The bit argument must be 1 or 0.");
  // A missing key is an endless run of zeros.
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Integer(bit == 1 ? -1 : 0);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  if (ctx.argc > 6) return ctx.ErrSyntax();
  char scratch[24];
  std::string_view s = e->StringValue(scratch);
  int64_t start = 0, end = -1;
  bool in_bits = false, end_given = ctx.argc >= 5;
  if (ctx.argc >= 4 && !ctx.GetInt(3, &start)) return;
  // The unit is checked before the end index, as Redis does.
  if (ctx.argc == 6 && !ParseRangeUnit(ctx, 5, &in_bits)) return;
  if (end_given && !ctx.GetInt(4, &end)) return;
  BitRange r = ResolveRange(start, end, in_bits, s.size());
  if (r.empty) return ctx.reply.Integer(-1);
  int64_t pos = bits::FindBit(s, r.first, r.last, bit == 1);
  // Without an explicit end the string continues with zeros, so the first clear bit is the
  // one just past the range; with an explicit end, the range has none.
  if (pos < 0 && bit == 0 && !end_given) pos = int64_t(r.last) + 1;
  ctx.reply.Integer(pos);
}

void BitopCommand(CommandContext& ctx) {
  bits::BitOp op;
  if (ctx.ArgIs(1, "and")) {
    op = bits::BitOp::kAnd;
  } else if (ctx.ArgIs(1, "or")) {
    op = bits::BitOp::kOr;
  } else if (ctx.ArgIs(1, "xor")) {
    op = bits::BitOp::kXor;
  } else if (ctx.ArgIs(1, "not")) {
    op = bits::BitOp::kNot;
  } else {
    return ctx.ErrSyntax();
  }
  if (op == bits::BitOp::kNot && ctx.argc != 4) {
    return ctx.reply.Error("ERR BITOP NOT must be called with a single source key.");
  }
  const size_t num_sources = ctx.argc - 3;
  // Views into the sources (integer-encoded ones rendered into their scratch); nothing is
  // modified before the result is complete, so they stay valid.
  std::vector<std::array<char, 24>> scratch(num_sources);
  std::vector<std::string_view> sources;
  sources.reserve(num_sources);
  for (size_t i = 0; i < num_sources; ++i) {
    Entry* e = ctx.LookupRead(ctx.arg(3 + i));
    if (!ctx.CheckType(e, ObjType::kString)) return;
    sources.push_back(e ? e->StringValue(scratch[i].data()) : std::string_view());
  }
  std::string result = bits::Combine(op, sources);
  const std::string& dest = ctx.arg(2);
  if (result.empty()) {
    // An empty result is no key at all.
    if (ctx.db().Delete(dest)) {
      ctx.KeyModified(dest);
      ctx.Notify(notify::kGeneric, "del", dest);
    }
    return ctx.reply.Integer(0);
  }
  ctx.LookupWrite(dest);
  Entry* out = Entry::NewRaw(dest, result);  // Redis stores BITOP results raw
  ctx.keyspace().InitAccess(out, ctx.now_ms());
  ctx.UpsertKey(out, /*keep_ttl=*/false);
  ctx.Notify(notify::kString, "set", dest);
  ctx.KeyModified(dest);
  ctx.reply.Integer(int64_t(result.size()));
}

}  // namespace

void RegisterBitmapCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
  t.Add({"setbit", 4, kW, 1, 1, 1, SetbitCommand, "bitmap", {}});
  t.Add({"getbit", 3, kCmdReadonly | kCmdFast, 1, 1, 1, GetbitCommand, "bitmap", {}});
  t.Add({"bitcount", -2, kCmdReadonly, 1, 1, 1, BitcountCommand, "bitmap", {}});
  t.Add({"bitpos", -3, kCmdReadonly, 1, 1, 1, BitposCommand, "bitmap", {}});
  t.Add({"bitop", -4, kW, 2, -1, 1, BitopCommand, "bitmap", {}});
  RegisterBitfieldCommands(t);
}

}  // namespace vigil::datanode
