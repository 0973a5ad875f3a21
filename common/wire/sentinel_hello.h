#pragma once
// SentinelHello: the eight-field payload every sentinel publishes on `__sentinel__:hello`
// (docs/sentinel-behaviour.md, "Hello protocol"), read by the sentinels (discovery) and by the
// data node (its write fence):
//   <ip>,<port>,<myid>,<current_epoch>,<master_name>,<master_ip>,<master_port>,<config_epoch>
// Decoding is strict about the field count and numbers; anything else is ignored by the caller,
// as Redis ignores malformed hellos.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/host_port.h"

namespace vigil {

struct SentinelHello {
  HostPort sentinel;
  std::string runid;
  uint64_t current_epoch = 0;
  std::string master_name;
  HostPort master;
  uint64_t master_config_epoch = 0;

  friend bool operator==(const SentinelHello&, const SentinelHello&) = default;
};

std::string EncodeSentinelHello(const SentinelHello& hello);

// nullopt unless the payload has exactly eight fields with valid ports and epochs.
std::optional<SentinelHello> DecodeSentinelHello(std::string_view payload);

}  // namespace vigil
