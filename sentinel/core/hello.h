#pragma once
// HelloMessage: the eight-field payload sentinels publish on __sentinel__:hello
// (docs/sentinel-behaviour.md, "Hello protocol"):
//   <ip>,<port>,<myid>,<current_epoch>,<master_name>,<master_ip>,<master_port>,<config_epoch>
// Decoding is strict about the field count and numbers; anything else is ignored by the caller,
// as Redis ignores malformed hellos.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/core/host_port.h"

namespace vigil::sentinel {

struct HelloMessage {
  HostPort sentinel;
  std::string runid;
  uint64_t current_epoch = 0;
  std::string master_name;
  HostPort master;
  uint64_t master_config_epoch = 0;

  friend bool operator==(const HelloMessage&, const HelloMessage&) = default;
};

std::string EncodeHello(const HelloMessage& hello);

// nullopt unless the payload has exactly eight fields with valid ports and epochs.
std::optional<HelloMessage> DecodeHello(std::string_view payload);

}  // namespace vigil::sentinel
