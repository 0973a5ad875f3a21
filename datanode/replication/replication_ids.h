#pragma once
// ReplicationIds: the identity of a replication history (docs/datanode-protocol.md,
// "Replication ids and offsets" and "PSYNC2 id handling"). `replid` names the current history;
// `replid2` names the one it continued from, valid up to and including `second_replid_offset - 1`,
// so replicas of the previous master can continue partially after a promotion. Pure value type; new
// ids come from the caller's PRNG.
#include <cstdint>
#include <string>

namespace vigil::datanode {

inline constexpr const char* kNoReplid = "0000000000000000000000000000000000000000";

struct ReplicationIds {
  std::string replid = kNoReplid;
  std::string replid2 = kNoReplid;
  int64_t second_replid_offset = -1;

  // The history continues under a new name: promotion (REPLICAOF NO ONE, FAILOVER target) or a
  // master that answered +CONTINUE with another id. The old name stays valid up to
  // `master_repl_offset`, so PSYNC requests for offsets up to `master_repl_offset + 1` match it.
  void ShiftTo(std::string new_replid, int64_t master_repl_offset);
  // Starts a new history with no secondary id (first backlog, backlog expiry, full sync).
  void Reset(std::string new_replid);
  void ClearSecondary();
  // Whether a PSYNC for (`id`, `offset`) names this history (the id test of
  // masterTryPartialResynchronization; the backlog test is separate).
  bool Names(const std::string& id, int64_t offset) const;
};

}  // namespace vigil::datanode
