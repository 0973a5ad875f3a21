#pragma once
// Parsing `SENTINEL <subcommand> ...` argv into typed requests, with Redis 7.0's argument
// errors (docs/sentinel-behaviour.md, "Commands"). The shell routes the result: AdminRequest →
// Step(AdminCommand), VoteRequestArgs → Step(VoteRequest), AdminQuery → SentinelCore::Query, and
// replies to HELP / PENDING-SCRIPTS itself.
#include <string>
#include <variant>
#include <vector>

#include "common/base/status.h"
#include "sentinel/core/admin_request.h"

namespace vigil::sentinel {

struct HelpRequest {};
struct PendingScriptsRequest {};
struct SimulateFailureHelpRequest {};

using ParsedSentinelCommand = std::variant<AdminRequest, AdminQuery, VoteRequestArgs, HelpRequest,
                                           PendingScriptsRequest, SimulateFailureHelpRequest>;

// `argv[0]` is "SENTINEL" (any case). An error's message is the full reply text without the
// leading '-', e.g. "ERR No such master with that name".
Result<ParsedSentinelCommand> ParseSentinelCommand(const std::vector<std::string>& argv);

}  // namespace vigil::sentinel
