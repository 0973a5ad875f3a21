#pragma once
// The base file of a multi-part AOF, in either form Redis 7.0 reads: an RDB with the `aof-base`
// AUX field (aof-use-rdb-preamble yes), or RESP commands. This is the seam between the AOF shell
// and the RDB writer/loader.
#include <cstdint>
#include <functional>

#include "common/base/status.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

// Writes the whole dataset to `fd` (not closed, not fsynced). With an RDB preamble, `progress`
// is called every `progress_every` keys (a fork child's reports).
Status WriteAofBase(int fd, Service& service, bool rdb_preamble, int64_t now_ms,
                    std::function<void(size_t)> progress = nullptr, size_t progress_every = 1024);

// Loads the RDB at the current position of `fd` into the service's (empty) keyspace. Returns
// the RDB's size in bytes; the RESP tail, if any, follows it.
// `pump`, when set, runs every loading-process-events-interval-bytes of input.
Result<int64_t> LoadAofRdbPreamble(int fd, Service& service, int64_t now_ms,
                                   std::function<void()> pump = nullptr);

}  // namespace vigil::datanode
