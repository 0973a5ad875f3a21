#pragma once
// Renders the whole keyspace as AOF commands (Redis's rewriteAppendOnlyFileRio without the RDB
// preamble): per database a SELECT, then SET / RPUSH / SADD / ZADD / HMSET with at most 64 items
// per command, and PEXPIREAT for keys with a TTL. Keys already expired at `now_ms` are skipped.
// Pure: output goes to `sink`, which returns false to abort (a write error).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/store/keyspace.h"

namespace vigil::datanode {

using AofSink = std::function<bool(std::string_view)>;

// Renders each FUNCTION library as the FUNCTION LOAD command that recreates it (Redis's
// rewriteFunctions, written before the databases).
std::string FunctionLoadCommands(const std::vector<std::string>& codes);

// Returns false when the sink failed.
bool RewriteKeyspaceAsCommands(Keyspace& keyspace, int64_t now_ms, const AofSink& sink);

}  // namespace vigil::datanode
