#pragma once
// StreamDataMark: where the last byte that carries data sits in a node's replication stream
// (datanode/replication/DESIGN.md, "Rejoining after a failover"). A master's stream also carries
// traffic that changes no key: the periodic PING, REPLCONF GETACK, SELECT, and PUBLISH (the
// sentinels' hellos arrive every 2 s). A demoted master whose stream ends in such traffic holds
// exactly the data it held at the mark, so it may ask its new master to continue from there. Pure.
#include <cstdint>
#include <string_view>

namespace vigil::datanode {

// Whether a stream command with this name leaves every key as it was. MULTI, EXEC and anything
// unknown count as data, so the rule errs towards a full resync.
bool CarriesNoData(std::string_view command_name);

class StreamDataMark {
 public:
  // A history starts (or restarts) at `offset`: everything before it counts as data.
  void Reset(int64_t offset) { offset_ = offset; }
  // Bytes ending at stream offset `end` carried data.
  void DataUpTo(int64_t end) {
    if (end > offset_) offset_ = end;
  }
  int64_t offset() const { return offset_; }

 private:
  int64_t offset_ = 0;
};

}  // namespace vigil::datanode
