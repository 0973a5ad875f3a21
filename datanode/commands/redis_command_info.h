#pragma once
// Redis 7.0.15's own COMMAND INFO for every command (generated into redis_command_info.inc by
// scripts/gen_command_info.py), parsed once. COMMAND INFO replays it byte for byte, and the ACL
// catalog reads categories, flags and key specs from it.
#include <map>
#include <string>

#include "common/resp/value.h"

namespace vigil::datanode {

// Keyed by full name: "get", and "config|get" for subcommands.
const std::map<std::string, resp::Value>& RedisCommandInfo();

}  // namespace vigil::datanode
