#pragma once
// The pieces of the DEBUG command, one file per concern: debug_commands.cc dispatches and holds
// the test knobs, debug_inspect.cc looks at keys and tables, debug_protocol.cc answers
// DEBUG PROTOCOL, debug_help.cc holds Redis's help text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::datanode {

class CommandContext;
class Entry;

void DebugHelp(CommandContext& ctx);
void DebugProtocol(CommandContext& ctx);
void DebugObject(CommandContext& ctx);
void DebugSdsLen(CommandContext& ctx);
void DebugListpack(CommandContext& ctx);
void DebugQuicklist(CommandContext& ctx);
void DebugHtStats(CommandContext& ctx);
void DebugHtStatsKey(CommandContext& ctx);
void DebugDigest(CommandContext& ctx);
void DebugDigestValue(CommandContext& ctx);

// OBJECT REFCOUNT and DEBUG OBJECT: Redis's shared integers report INT_MAX, the rest 1.
int64_t ObjectRefcount(CommandContext& ctx, const Entry& e);

// "unknown subcommand or wrong number of arguments for '<sub>'. Try DEBUG HELP."
void DebugSyntaxError(CommandContext& ctx);

// Redis's dictGetStats text for a table given the chain length of each bucket, and of the
// rehash target's buckets while one exists.
std::string RenderDictStats(const std::vector<size_t>& main,
                            const std::vector<size_t>* rehash_target);

}  // namespace vigil::datanode
