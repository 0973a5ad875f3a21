#pragma once
// The master's answer to `PSYNC <replid> <offset>` (Redis's masterTryPartialResynchronization
// without the sockets and the logging): continue from the backlog, or start a full sync.
#include <cstdint>
#include <optional>
#include <string>

#include "datanode/replication/replication_ids.h"

namespace vigil::datanode {

struct PsyncRequest {
  std::string replid;   // "?" asks for a full sync
  int64_t offset = -1;  // the first byte the replica is missing
};

// The part of the backlog a decision needs; `active` false when there is no backlog.
struct BacklogWindow {
  bool active = false;
  int64_t first_byte_offset = 0;
  int64_t histlen = 0;
};

struct PsyncDecision {
  enum class Kind { kContinue, kFullResync };
  Kind kind = Kind::kFullResync;
  // For kContinue: the first backlog byte to send.
  int64_t from_offset = 0;
  // For kFullResync after a real attempt (not "?"): counts as sync_partial_err.
  bool partial_attempt_failed = false;
  // Why, in Redis's log words ("Replication ID mismatch", "lack of backlog", ...).
  std::string reason;
};

PsyncDecision DecidePsync(const PsyncRequest& request, const ReplicationIds& ids,
                          int64_t master_repl_offset, const BacklogWindow& backlog);

}  // namespace vigil::datanode
