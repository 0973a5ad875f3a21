#include "datanode/replication/replication_history.h"

#include <algorithm>
#include <utility>

namespace vigil::datanode {

void ReplicationHistory::SetBacklogSize(int64_t bytes) {
  backlog_size_ = size_t(std::max(bytes, kMinBacklogSize));
  if (backlog_ && backlog_->capacity() != backlog_size_) backlog_->Resize(backlog_size_);
}

void ReplicationHistory::CreateBacklog() {
  backlog_ = std::make_unique<Backlog>(backlog_size_, offset_);
}

void ReplicationHistory::EnsureBacklog() {
  if (!backlog_) CreateBacklog();
}

void ReplicationHistory::Restart(std::string replid) {
  restored_id_unseen_ = false;
  ids_.Reset(std::move(replid));
}

void ReplicationHistory::Adopt(std::string replid, int64_t offset) {
  restored_id_unseen_ = false;
  ids_.Reset(std::move(replid));
  offset_ = offset;
  data_mark_.Reset(offset);
  if (backlog_) {
    backlog_->Rebase(offset);
  } else {
    CreateBacklog();
  }
}

void ReplicationHistory::Shift(std::string new_replid) {
  restored_id_unseen_ = false;
  ids_.ShiftTo(std::move(new_replid), offset_);
}

void ReplicationHistory::Restore(std::string replid, int64_t offset, bool as_replica) {
  offset_ = offset;
  data_mark_.Reset(offset);
  if (as_replica) {
    ids_.Reset(std::move(replid));
  } else {
    ids_.replid2 = std::move(replid);
    ids_.second_replid_offset = offset + 1;
    restored_id_unseen_ = true;
  }
  CreateBacklog();
}

void ReplicationHistory::FreeBacklog(std::string new_replid) {
  backlog_.reset();
  Restart(std::move(new_replid));
}

void ReplicationHistory::Append(std::string_view bytes, size_t data_len) {
  // Bytes that carry no data (the sentinels' hello PUBLISHes, PINGs) do not make a restored id
  // known: nobody is attached to see them, and a demotion drops them again. A data byte is a
  // history of our own.
  if (data_len > 0) restored_id_unseen_ = false;
  EnsureBacklog();
  backlog_->Append(bytes);
  if (data_len > 0) data_mark_.DataUpTo(offset_ + int64_t(data_len));
  offset_ += int64_t(bytes.size());
}

int64_t ReplicationHistory::DiscardNonDataTail() {
  const int64_t dropped = offset_ - data_mark_.offset();
  if (dropped <= 0) return 0;
  if (backlog_) backlog_->Truncate(data_mark_.offset());
  offset_ = data_mark_.offset();
  return dropped;
}

PsyncDecision ReplicationHistory::DecidePsync(const PsyncRequest& request) const {
  BacklogWindow window;
  if (backlog_) window = {true, backlog_->first_byte_offset(), backlog_->histlen()};
  return datanode::DecidePsync(request, ids_, offset_, window);
}

}  // namespace vigil::datanode
