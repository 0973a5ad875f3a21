#pragma once
// FenceMembership: what a master's write fence must remember across a restart, and its file.
//
// A restarted master that forgot its sentinels would relearn them one hello at a time and,
// meanwhile, count a majority among the few it had heard again: the sentinels it has not heard
// yet may already see it down and fail it over while it acknowledges writes (found by the
// simulator, `vigil-sim --fencing --seed 147`). So the fence's membership is kept in a small
// file in the node's `dir` and restored at start: the known sentinels (with the current epoch
// each last announced, which decides the settle span after an election), the names they
// monitor this node under and the newest config epoch that named it.
//
// The file is text, one item per line, so an operator can read it:
//   vigil-fence 1
//   config-epoch <n>
//   master-name <name>
//   sentinel <runid> <ip> <port> <current_epoch>
// Pure: encoding and decoding only; Service reads and replaces it through the FileSystem seam.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vigil::datanode {

inline constexpr const char* kFenceMembershipFile = "sentinel-fence.state";

struct FenceMembership {
  struct Sentinel {
    std::string runid;
    std::string ip;
    int64_t port = 0;
    uint64_t current_epoch = 0;
    bool operator==(const Sentinel&) const = default;
  };
  std::vector<Sentinel> sentinels;
  std::vector<std::string> master_names;
  std::optional<uint64_t> config_epoch;
  bool operator==(const FenceMembership&) const = default;
};

std::string EncodeFenceMembership(const FenceMembership& m);
// A damaged file is refused whole, with the line that is wrong: restoring part of a membership
// could shrink the majority the fence counts.
Result<FenceMembership> DecodeFenceMembership(std::string_view text);

}  // namespace vigil::datanode
