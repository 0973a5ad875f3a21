#include "datanode/replication/backlog.h"

#include <algorithm>

#include "common/base/check.h"

namespace vigil::datanode {

Backlog::Backlog(size_t capacity, int64_t master_repl_offset)
    : buf_(capacity, '\0'), end_offset_(master_repl_offset) {
  VIGIL_CHECK(capacity > 0);
}

void Backlog::Append(std::string_view bytes) {
  end_offset_ += int64_t(bytes.size());
  const size_t cap = buf_.size();
  if (bytes.size() >= cap) {
    // Only the tail survives; store it so that the ring starts at index 0.
    bytes.remove_prefix(bytes.size() - cap);
    std::copy(bytes.begin(), bytes.end(), buf_.begin());
    head_ = 0;
    histlen_ = cap;
    return;
  }
  size_t first = std::min(bytes.size(), cap - head_);
  std::copy(bytes.begin(), bytes.begin() + long(first), buf_.begin() + long(head_));
  std::copy(bytes.begin() + long(first), bytes.end(), buf_.begin());
  head_ = (head_ + bytes.size()) % cap;
  histlen_ = std::min(cap, histlen_ + bytes.size());
}

bool Backlog::CanServe(int64_t from) const {
  return from >= first_byte_offset() && from <= end_offset_ + 1;
}

std::string Backlog::CopyFrom(int64_t from) const {
  VIGIL_CHECK(CanServe(from));
  const size_t len = size_t(end_offset_ + 1 - from);
  const size_t cap = buf_.size();
  size_t start = (head_ + cap - len) % cap;
  std::string out;
  out.reserve(len);
  size_t first = std::min(len, cap - start);
  out.append(buf_, start, first);
  out.append(buf_, 0, len - first);
  return out;
}

void Backlog::Resize(size_t capacity) {
  VIGIL_CHECK(capacity > 0);
  std::string kept = CopyFrom(first_byte_offset());
  const int64_t end = end_offset_;
  buf_.assign(capacity, '\0');
  head_ = 0;
  histlen_ = 0;
  end_offset_ = end - int64_t(kept.size());
  Append(kept);
}

void Backlog::Truncate(int64_t end) {
  VIGIL_CHECK(end <= end_offset_);
  if (end < first_byte_offset() - 1) return Rebase(end);
  const size_t drop = size_t(end_offset_ - end);
  const size_t cap = buf_.size();
  head_ = (head_ + cap - drop) % cap;
  histlen_ -= drop;
  end_offset_ = end;
}

void Backlog::Rebase(int64_t master_repl_offset) {
  head_ = 0;
  histlen_ = 0;
  end_offset_ = master_repl_offset;
}

}  // namespace vigil::datanode
