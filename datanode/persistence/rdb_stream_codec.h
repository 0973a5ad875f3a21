#pragma once
// The stream value in RDB files: type 15 (STREAM_LISTPACKS, read only) and type 19
// (STREAM_LISTPACKS_2, read and written), byte-compatible with Redis 7.0:
//   nodes: count, then per node the 16-byte big-endian master id and the listpack
//   length, last id, [first id, max deleted id, entries added]  (type 19 only in brackets)
//   groups: count, then name, last id, [entries read], the PEL (16-byte id, ms time LE,
//   delivery count) and consumers (name, seen time, their PEL ids).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "datanode/persistence/rdb_reader.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/store/entry.h"
#include "datanode/store/stream_value.h"

namespace vigil::datanode {

// Reads a whole stream; on success *out is the new entry. Every inconsistency (bad listpack,
// counts that do not add up, ids out of order, a PEL entry without its owner) is refused with
// the file offset.
Status LoadRdbStream(RdbReader& r, uint8_t type, std::string_view key, Entry** out);

// Writes the value part of a type 19 record.
void WriteRdbStream(RdbEncoder& enc, const StreamValue& s);

// One node as the listpack Redis 7.0 holds for it (exposed for tests).
std::string EncodeStreamNode(const StreamId& master, const StreamNode& node);
// Decodes and validates one node listpack.
Status DecodeStreamNode(std::string_view blob, const StreamId& master, StreamNode* out);

}  // namespace vigil::datanode
