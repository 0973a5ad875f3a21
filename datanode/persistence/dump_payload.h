#pragma once
// The DUMP / RESTORE serialization format of Redis 7.0: one value as it would appear in an RDB
// version 10 file (type byte + value, no key), then the RDB version as two little-endian bytes,
// then the CRC64 of everything before it as eight little-endian bytes. Payloads move both ways
// between vigil-datanode and redis-server, so the value forms are the RDB writer's and
// loader's own. Pure; single-threaded.
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/store/entry.h"

namespace vigil::datanode {

// The payload DUMP answers for `e`. Only options.compression and list_max_listpack_size matter.
std::string EncodeDumpPayload(const Entry& e, const RdbWriteOptions& options);

// True when the footer names an RDB version this node understands (<= 10) and, unless
// `verify_checksum` is false (DEBUG SET-SKIP-CHECKSUM-VALIDATION), the CRC64 matches.
bool DumpPayloadFooterValid(std::string_view payload, bool verify_checksum);

// Decodes the value of a payload whose footer was checked into a new entry named `key` (the
// caller owns it). Fails on a malformed value, an unknown or module type, or an empty
// collection: RESTORE answers all of these with "Bad data format".
Status DecodeDumpPayload(std::string_view payload, std::string_view key,
                         const RdbLoadOptions& options, Entry** out);

}  // namespace vigil::datanode
