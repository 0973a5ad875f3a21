#pragma once
// The SENTINEL command: argv → the core's typed requests (ParseSentinelCommand), read-only ones
// answered at once from the core's queries, state-changing ones and votes submitted to the core
// (answered later by ReplyToClient), HELP and PENDING-SCRIPTS answered here. Also the rendering of
// the core's flat replies as RESP2 arrays or RESP3 maps.
#include <optional>
#include <string>
#include <vector>

#include "common/resp/reply_writer.h"
#include "common/resp/value.h"
#include "sentinel/shell/sentinel_host.h"

namespace vigil::sentinel {

// How a flat array from the core is shown to a RESP3 client.
enum class ReplyShape { kPlain, kMap, kArrayOfMaps };

// Writes `v` in the writer's protocol; flat name/value arrays become maps under RESP3.
void WriteWire(resp::ReplyWriter& w, const resp::Value& v, ReplyShape shape = ReplyShape::kPlain);

struct SentinelOutcome {
  // Set when the reply is known now; otherwise `input` went to the core and the reply comes as
  // ReplyToClient for the token.
  std::optional<resp::Value> reply;
  ReplyShape shape = ReplyShape::kPlain;
  bool submitted = false;
};

SentinelOutcome RunSentinelCommand(SentinelHost& host, const std::vector<std::string>& argv,
                                   ClientToken token);

}  // namespace vigil::sentinel
