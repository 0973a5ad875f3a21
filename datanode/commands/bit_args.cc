#include "datanode/commands/bit_args.h"

#include "datanode/commands/command_context.h"

namespace vigil::datanode {

bool ParseBitOffset(CommandContext& ctx, size_t i, int field_width, uint64_t* out) {
  std::string_view text = ctx.arg(i);
  bool per_field = field_width > 0 && !text.empty() && text[0] == '#';
  if (per_field) text.remove_prefix(1);
  int64_t offset = 0;
  bool ok = ParseCanonicalInt(text, &offset);
  // Redis multiplies in 64-bit two's complement; a huge "#n" wraps, often to a negative.
  if (ok && per_field) offset = int64_t(uint64_t(offset) * uint64_t(field_width));
  ok = ok && offset >= 0;
  if (ok && !ctx.session.is_master_link) ok = (offset >> 3) < ctx.config().proto_max_bulk_len;
  if (!ok) {
    ctx.reply.Error("ERR bit offset is not an integer or out of range");
    return false;
  }
  *out = uint64_t(offset);
  return true;
}

std::optional<RawString> StringForBitWrite(CommandContext& ctx, std::string_view key,
                                           uint64_t highest_bit, bool* grew) {
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kString)) return std::nullopt;
  size_t needed = size_t(highest_bit >> 3) + 1;
  if (e == nullptr) {
    e = Entry::NewRaw(key, std::string(needed, '\0'));  // Redis creates bit-written strings raw
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    ctx.AddKey(e);
    *grew = true;
    return e->MutableRaw();
  }
  RawString raw = e->MutableRaw();
  *grew = raw.size() < needed;
  if (*grew) raw.resize(needed);
  return raw;
}

}  // namespace vigil::datanode
