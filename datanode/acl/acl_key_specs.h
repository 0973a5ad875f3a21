#pragma once
// Which arguments of a request are keys (and how the command uses each) and which are pub/sub
// channels: what the ACL key and channel checks look at. Keys come from Redis 7.0's key specs
// (COMMAND INFO), falling back, as Redis does, on the command's own finder when a spec is
// incomplete or its flags depend on the arguments (SET ... GET, BITFIELD, SORT ... STORE).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.h"

namespace vigil::datanode {

enum KeySpecFlag : uint32_t {
  kKeyRO = 1 << 0,
  kKeyRW = 1 << 1,
  kKeyOW = 1 << 2,
  kKeyRM = 1 << 3,
  kKeyAccess = 1 << 4,
  kKeyUpdate = 1 << 5,
  kKeyInsert = 1 << 6,
  kKeyDelete = 1 << 7,
  kKeyNotKey = 1 << 8,
  kKeyIncomplete = 1 << 9,
  kKeyVariableFlags = 1 << 10,
};

struct KeySpec {
  enum class Begin { kUnknown, kIndex, kKeyword };
  enum class Find { kUnknown, kRange, kKeynum };
  uint32_t flags = 0;
  Begin begin = Begin::kUnknown;
  int index = 0;
  std::string keyword;
  int startfrom = 0;
  Find find = Find::kUnknown;
  int lastkey = 0, keystep = 1, limit = 0;  // range
  int keynumidx = 0, firstkey = 0;          // keynum (keystep shared)
};

// The command-specific finders Redis 7.0 has (its getkeys_proc), for the commands that have one.
enum class KeyFinder {
  kNone,
  kSet,
  kBitfield,
  kSort,
  kSortRo,
  kMigrate,
  kGeoradius,
  kXread,
  kNumkeys
};

struct KeyRef {
  int pos = 0;
  uint32_t flags = 0;  // KeySpecFlag; 0 when the finder gives none (every pattern applies)
};

enum ChannelFlag : uint32_t {
  kChannelPattern = 1 << 0,
  kChannelPublish = 1 << 1,
  kChannelSubscribe = 1 << 2,
  kChannelUnsubscribe = 1 << 3,
};

struct CommandKeys {
  int arity = 0;
  std::vector<KeySpec> specs;
  KeyFinder finder = KeyFinder::kNone;
  int numkeys_store = 0, numkeys_count = 0, numkeys_first = 0;  // kNumkeys layout
  uint32_t channel_flags = 0;                // ChannelFlag; 0 = no channel arguments
  int channel_start = 0, channel_count = 0;  // count -1 = every argument from start

  // Redis's doesCommandHaveKeys.
  bool has_keys() const;
  bool has_channels(uint32_t flags) const { return (channel_flags & flags) != 0; }
};

// Parses the key-specs element of a COMMAND INFO reply.
std::vector<KeySpec> ParseKeySpecs(const resp::Value& specs);
// Fills the finder and channel facts Redis keeps outside the key specs, by command name.
void AddNativeKeyFacts(std::string_view fullname, CommandKeys* keys);

// The keys of a request (args[0] is the command name), with the flags of their access.
void FindKeys(const CommandKeys& cmd, std::span<const std::string> args, std::vector<KeyRef>* out);
// The channel arguments of a request, with ChannelFlag flags.
void FindChannels(const CommandKeys& cmd, std::span<const std::string> args,
                  std::vector<KeyRef>* out);

}  // namespace vigil::datanode
