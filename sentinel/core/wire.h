#pragma once
// Wire rendering: typed Command ↔ argv, and the RESP replies of each command ↔ typed replies.
// The shell sends RenderCommand(...)'s argv vectors pipelined on one connection and passes every
// reply back to DecodeReply in order. The simulator uses the inverse functions, and the round trip
// is tested, so what the core means and what goes on the wire cannot drift apart.
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/resp/value.h"
#include "sentinel/core/commands.h"

namespace vigil::sentinel {

using Argv = std::vector<std::string>;

// One argv per RESP command; the reconfiguration block renders to six. Command names go through
// `renames` (keys are upper-case original names). Redis's spelling is kept: SLAVEOF, not
// REPLICAOF, and "SENTINEL is-master-down-by-addr" in lower case.
std::vector<Argv> RenderCommand(const Command& command, const RenameMap& renames = {});

// The inverse of RenderCommand for unrenamed commands (simulator and tests). Errors name the
// first argv that does not fit.
Result<Command> ParseCommand(const std::vector<Argv>& argvs);

// Decodes the replies to one rendered command; `replies` has one entry per argv (the block's EXEC
// reply is the last one). A short vector or a wrong shape yields MalformedReply.
ReplyPayload DecodeReply(const Command& command, const std::vector<resp::Value>& replies);

// The replies a conforming instance sends for `payload` (inverse of DecodeReply).
std::vector<resp::Value> EncodeReply(const Command& command, const ReplyPayload& payload);

// The is-master-down-by-addr answer a sentinel sends: *3 :down $leader :epoch.
resp::Value EncodeVoteReply(const VoteReply& vote);

}  // namespace vigil::sentinel
