#include "datanode/replication/replication_ids.h"

#include <utility>

namespace vigil::datanode {

void ReplicationIds::ShiftTo(std::string new_replid, int64_t master_repl_offset) {
  replid2 = std::move(replid);
  second_replid_offset = master_repl_offset + 1;
  replid = std::move(new_replid);
}

void ReplicationIds::Reset(std::string new_replid) {
  replid = std::move(new_replid);
  ClearSecondary();
}

void ReplicationIds::ClearSecondary() {
  replid2 = kNoReplid;
  second_replid_offset = -1;
}

bool ReplicationIds::Names(const std::string& id, int64_t offset) const {
  if (id == replid) return true;
  // An unset replid2 (all zeros) must never match a request.
  return id == replid2 && replid2 != kNoReplid && offset <= second_replid_offset;
}

}  // namespace vigil::datanode
