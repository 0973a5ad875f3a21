#pragma once
// Ziplist decoder, for RDB files written by Redis <= 6.2 (types 10, 12, 13 and the nodes of
// quicklist type 14; docs/datanode-protocol.md, "RDB container blobs"). 7.0 never writes ziplists,
// so there is no encoder.
//   u32 LE zlbytes | u32 LE zltail | u16 LE zllen | entries | 0xFF
// Entry: prevlen (1 byte < 254, or 0xFE + u32 LE) | encoding (+ data). Pure.
#include <functional>
#include <string_view>

#include "common/base/status.h"
#include "datanode/persistence/listpack.h"

namespace vigil::datanode {

// Walks every element with full bounds checks (header size, each entry, prevlen chain,
// terminator, count unless 65535). Errors name the offset inside the blob. `fn` returns false
// to stop early.
Status ZiplistForEach(std::string_view blob, const std::function<bool(const ListpackEntry&)>& fn);

}  // namespace vigil::datanode

namespace vigil::datanode {

// Zipmap (RDB type 9, Redis <= 2.4 hashes): u8 count | { len key, len free value, free bytes }
// | 0xFF, where len is one byte below 254 or 254 + u32 LE. Calls fn(field, value).
Status ZipmapForEach(std::string_view blob,
                     const std::function<void(std::string_view, std::string_view)>& fn);

}  // namespace vigil::datanode
