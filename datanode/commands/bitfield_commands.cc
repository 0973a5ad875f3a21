// BITFIELD and BITFIELD_RO: integers of any width at any bit offset of a string, read, set and
// incremented in one command with a chosen overflow behaviour.
#include <algorithm>
#include <vector>

#include "datanode/commands/bit_args.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/bitfield_int.h"

namespace vigil::datanode {
namespace {

enum class FieldOpKind { kGet, kSet, kIncrBy };

struct FieldOp {
  FieldOpKind kind = FieldOpKind::kGet;
  bits::FieldType type;
  uint64_t offset = 0;
  int64_t operand = 0;  // SET value or INCRBY increment
  bits::Overflow overflow = bits::Overflow::kWrap;
};

// The whole argument list is validated before anything is read or written, as in Redis: one
// bad subcommand fails the command with no effect.
bool ParseFieldOps(CommandContext& ctx, std::vector<FieldOp>* ops) {
  bits::Overflow overflow = bits::Overflow::kWrap;
  for (size_t j = 2; j < ctx.argc; ++j) {
    const size_t remaining = ctx.argc - j - 1;
    FieldOp op;
    if (ctx.ArgIs(j, "get") && remaining >= 2) {
      op.kind = FieldOpKind::kGet;
    } else if (ctx.ArgIs(j, "set") && remaining >= 3) {
      op.kind = FieldOpKind::kSet;
    } else if (ctx.ArgIs(j, "incrby") && remaining >= 3) {
      op.kind = FieldOpKind::kIncrBy;
    } else if (ctx.ArgIs(j, "overflow") && remaining >= 1) {
      ++j;
      if (ctx.ArgIs(j, "wrap")) {
        overflow = bits::Overflow::kWrap;
      } else if (ctx.ArgIs(j, "sat")) {
        overflow = bits::Overflow::kSat;
      } else if (ctx.ArgIs(j, "fail")) {
        overflow = bits::Overflow::kFail;
      } else {
        ctx.reply.Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      ctx.ErrSyntax();
      return false;
    }
    if (!bits::ParseFieldType(ctx.arg(j + 1), &op.type)) {
      ctx.reply.Error(
          "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
          "supported but i64 is.");
      return false;
    }
    if (!ParseBitOffset(ctx, j + 2, op.type.width, &op.offset)) return false;
    if (op.kind != FieldOpKind::kGet && !ctx.GetInt(j + 3, &op.operand)) return false;
    op.overflow = overflow;
    ops->push_back(op);
    j += op.kind == FieldOpKind::kGet ? 2 : 3;
  }
  return true;
}

int64_t ReadField(std::string_view bytes, const FieldOp& op) {
  return op.type.is_signed ? bits::ReadSignedField(bytes, op.offset, op.type.width)
                           : int64_t(bits::ReadUnsignedField(bytes, op.offset, op.type.width));
}

// Applies a SET or INCRBY to `raw` and answers it: the old value for SET, the new one for
// INCRBY, nil when OVERFLOW FAIL refuses it. True when the stored bits changed (or the string
// was just created or extended: that is a change too).
bool ApplyWrite(CommandContext& ctx, RawString* raw, const FieldOp& op, bool grew) {
  const int width = op.type.width;
  const bool incr = op.kind == FieldOpKind::kIncrBy;
  bool fits;
  uint64_t old_bits, new_bits;
  int64_t answer;
  if (op.type.is_signed) {
    int64_t old = bits::ReadSignedField(*raw, op.offset, width);
    int64_t limited = 0, next;
    if (incr) {
      fits = bits::AddSigned(old, op.operand, width, op.overflow, &limited);
      next = fits ? old + op.operand : limited;
      answer = next;
    } else {
      fits = bits::AddSigned(op.operand, 0, width, op.overflow, &limited);
      next = fits ? op.operand : limited;
      answer = old;
    }
    old_bits = uint64_t(old);
    new_bits = uint64_t(next);
  } else {
    uint64_t old = bits::ReadUnsignedField(*raw, op.offset, width);
    uint64_t limited = 0, next;
    if (incr) {
      fits = bits::AddUnsigned(old, op.operand, width, op.overflow, &limited);
      next = fits ? old + uint64_t(op.operand) : limited;
      answer = int64_t(next);
    } else {
      fits = bits::AddUnsigned(uint64_t(op.operand), 0, width, op.overflow, &limited);
      next = fits ? uint64_t(op.operand) : limited;
      answer = int64_t(old);
    }
    old_bits = old;
    new_bits = next;
  }
  if (!fits && op.overflow == bits::Overflow::kFail) {
    ctx.reply.Null();
    return false;
  }
  ctx.reply.Integer(answer);
  bits::WriteField(raw->data(), op.offset, width, new_bits);
  return grew || old_bits != new_bits;
}

void BitfieldGeneric(CommandContext& ctx, bool get_only) {
  std::vector<FieldOp> ops;
  if (!ParseFieldOps(ctx, &ops)) return;
  const std::string& key = ctx.arg(1);
  bool writes = false;
  uint64_t highest_bit = 0;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOpKind::kGet) continue;
    writes = true;
    highest_bit = std::max(highest_bit, op.offset + uint64_t(op.type.width) - 1);
  }
  std::optional<RawString> raw;
  std::string_view read_only;
  char scratch[24];
  bool grew = false;
  if (!writes) {
    Entry* e = ctx.LookupRead(key);
    if (!ctx.CheckType(e, ObjType::kString)) return;
    if (e != nullptr) read_only = e->StringValue(scratch);
  } else {
    if (get_only) return ctx.reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
    raw = StringForBitWrite(ctx, key, highest_bit, &grew);
    if (!raw) return;
  }
  ctx.reply.Array(ops.size());
  int64_t changes = 0;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOpKind::kGet) {
      ctx.reply.Integer(ReadField(raw ? raw->view() : read_only, op));
    } else if (ApplyWrite(ctx, &*raw, op, grew)) {
      ++changes;
    }
  }
  // A string created for writes that all failed (OVERFLOW FAIL) stays, but is no change to
  // propagate: Redis behaves the same.
  if (changes > 0) {
    ctx.KeyModified(key, changes);
    ctx.Notify(notify::kString, "setbit", key);
  }
}

void BitfieldCommand(CommandContext& ctx) {
  BitfieldGeneric(ctx, false);
}
void BitfieldRoCommand(CommandContext& ctx) {
  BitfieldGeneric(ctx, true);
}

}  // namespace

void RegisterBitfieldCommands(CommandTable& t) {
  t.Add({"bitfield", -2, kCmdWrite | kCmdDenyOom, 1, 1, 1, BitfieldCommand, "bitmap", {}});
  t.Add({"bitfield_ro", -2, kCmdReadonly | kCmdFast, 1, 1, 1, BitfieldRoCommand, "bitmap", {}});
}

}  // namespace vigil::datanode
