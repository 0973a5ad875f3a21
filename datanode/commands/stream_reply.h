#pragma once
// Shared pieces of the stream commands: looking a stream up, parsing ids with Redis's error
// replies, rendering entries, and the XCLAIM/XGROUP SETID forms that propagate group state.
#include <string>
#include <string_view>
#include <vector>

#include "datanode/commands/command_context.h"
#include "datanode/store/stream_value.h"

namespace vigil::datanode {

// False (WRONGTYPE answered) when the key holds another type; *out is null when absent.
bool LookupStream(CommandContext& ctx, std::string_view key, bool write, Entry** out);
// Parses argv[i] as an id; answers the invalid-id error on failure.
bool ParseIdArg(CommandContext& ctx, size_t i, uint64_t missing_seq, bool strict, StreamId* out,
                bool* seq_given = nullptr);
// An XRANGE bound: "(" makes it exclusive (strict parse of the rest).
bool ParseRangeBound(CommandContext& ctx, size_t i, uint64_t missing_seq, StreamId* out,
                     bool* exclusive);
StreamNodeLimits NodeLimits(const CommandContext& ctx);

// Live entries in [start, end] (descending when rev), at most `count` (0 = all).
std::vector<const StreamRecord*> CollectRange(const StreamValue& s, const StreamId& start,
                                              const StreamId& end, bool rev, size_t count);

// [id, [field, value, ...]]
void ReplyRecord(resp::ReplyWriter& r, const StreamRecord& rec);
void ReplyId(resp::ReplyWriter& r, const StreamId& id);

// XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last: how Redis makes a
// PEL entry reach replicas and the AOF exactly.
std::vector<std::string> XClaimPropagation(std::string_view key, std::string_view group,
                                           const StreamId& id, const PendingEntry& p,
                                           const StreamId& last_id);
// XGROUP SETID key group last ENTRIESREAD n
std::vector<std::string> SetIdPropagation(std::string_view key, std::string_view group,
                                          const ConsumerGroup& g);

// Delivers entries with id > *start (up to count, 0 = all) to `consumer` of `group` as
// XREADGROUP '>' does: advances the group, records PEL entries (unless noack), writes the
// entries to the reply and queues the propagation. Returns the number delivered.
size_t DeliverNewEntries(CommandContext& ctx, std::string_view key, StreamValue& s,
                         const std::string& group_name, ConsumerGroup& g,
                         const std::string& consumer, size_t count, bool noack);
// Replies the consumer's own pending entries with id >= start (XREADGROUP with an id).
size_t ReplyConsumerHistory(CommandContext& ctx, StreamValue& s, ConsumerGroup& g,
                            StreamConsumer& c, const StreamId& start, size_t count);

std::string NoGroupError(std::string_view key, std::string_view group);

}  // namespace vigil::datanode
