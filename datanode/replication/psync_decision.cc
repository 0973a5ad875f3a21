#include "datanode/replication/psync_decision.h"

namespace vigil::datanode {

PsyncDecision DecidePsync(const PsyncRequest& request, const ReplicationIds& ids,
                          int64_t master_repl_offset, const BacklogWindow& backlog) {
  PsyncDecision d;
  if (request.replid == "?") {
    d.reason = "full sync requested";
    return d;
  }
  d.partial_attempt_failed = true;
  if (request.replid != ids.replid) {
    if (request.replid != ids.replid2 || ids.replid2 == kNoReplid) {
      d.reason = "Replication ID mismatch (Replica asked for '" + request.replid +
                 "', my replication IDs are '" + ids.replid + "' and '" + ids.replid2 + "')";
      return d;
    }
    if (request.offset > ids.second_replid_offset) {
      d.reason = "Requested offset for second ID was " + std::to_string(request.offset) +
                 ", but I can reply up to " + std::to_string(ids.second_replid_offset);
      return d;
    }
  }
  if (!backlog.active || request.offset < backlog.first_byte_offset ||
      request.offset > backlog.first_byte_offset + backlog.histlen) {
    d.reason = "lack of backlog (Replica request was: " + std::to_string(request.offset) + ")";
    if (request.offset > master_repl_offset + 1) {
      d.reason += "; the replica asked for an offset greater than the master replication offset";
    }
    return d;
  }
  d.kind = PsyncDecision::Kind::kContinue;
  d.partial_attempt_failed = false;
  d.from_offset = request.offset;
  d.reason = "accepted";
  return d;
}

}  // namespace vigil::datanode
