#pragma once
// What the bitmap and BITFIELD commands share: the bit offset argument and the string a bit
// write lands in (created or zero-extended so the highest bit written exists).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "datanode/store/raw_string.h"

namespace vigil::datanode {

class CommandContext;

// Parses argument `i` as a bit offset into *out. With `field_width` > 0 (BITFIELD), "#<n>"
// means the n-th field of that width. Offsets must be >= 0 and address a byte below
// proto-max-bulk-len, except for the master link and the AOF loader, which obey whatever they
// are sent. Answers the error and returns false otherwise.
bool ParseBitOffset(CommandContext& ctx, size_t i, int field_width, uint64_t* out);

// The raw string under `key` that bit writes modify, created or zero-extended to cover bit
// `highest_bit`. Answers WRONGTYPE and returns null for other types. *grew tells whether the
// key was created or got longer, which counts as a change even when no bit flips.
std::optional<RawString> StringForBitWrite(CommandContext& ctx, std::string_view key,
                                           uint64_t highest_bit, bool* grew);

}  // namespace vigil::datanode
