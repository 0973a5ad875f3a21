#pragma once
// Decodes one RDB value (every type id Redis 7.0 loads) into an Entry. Internal to the RDB
// loader; split out to keep the opcode loop and the value forms apart.
#include <cstdint>
#include <string_view>

#include "common/base/status.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_reader.h"
#include "datanode/store/entry.h"

namespace vigil::datanode {

// True for the value type ids Redis 7.0 accepts (0-7, 9-19).
bool IsRdbObjectType(uint8_t type);

// Reads the value of `key` whose type id is `type`. On success `*out` is the new entry (the
// caller owns it), or nullptr when the value was an empty collection or an unsupported type
// skipped under options.skip_unsupported (`*skipped` tells which).
Status LoadRdbObject(RdbReader& r, uint8_t type, std::string_view key,
                     const RdbLoadOptions& options, Entry** out, bool* skipped);

// Skips MODULE_AUX / MODULE_2 data: opcode-tagged values up to the EOF opcode.
Status SkipModuleValue(RdbReader& r);

}  // namespace vigil::datanode
