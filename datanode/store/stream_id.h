#pragma once
// StreamId: a stream entry id <ms>-<seq>, ordered as Redis orders them (ms, then seq), and the
// id grammar of Redis 7.0's stream commands.
#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace vigil::datanode {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  static constexpr StreamId Max() {
    return {std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max()};
  }
  bool IsZero() const { return ms == 0 && seq == 0; }
  // The next id; false (and 0-0) when this is the largest id.
  bool Incr();
  // The previous id; false (and the largest id) when this is 0-0.
  bool Decr();
  std::string ToString() const;
  // The 128-bit big-endian form (RDB node keys and PEL ids), so byte order is id order.
  void Encode(char out[16]) const;
  static StreamId Decode(const char in[16]);
};

// Parses "<ms>-<seq>", "<ms>" (seq = missing_seq), "-" and "+" (unless strict) and, when
// seq_given is not null, "<ms>-*" (which clears *seq_given). False on anything else, as Redis's
// streamGenericParseIDOrReply.
bool ParseStreamId(std::string_view s, uint64_t missing_seq, bool strict, StreamId* out,
                   bool* seq_given = nullptr);

inline constexpr std::string_view kErrInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";

}  // namespace vigil::datanode
