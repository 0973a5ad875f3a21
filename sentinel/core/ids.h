#pragma once
// Identifiers the core and its shell share. All are allocated by their owner and never reused
// within one core's lifetime.
#include <cstdint>

namespace vigil::sentinel {

// One TCP connection attempt, allocated by the core in ConnectAction.
using ConnId = uint64_t;
// One sent command, allocated by the core in SendAction; replies name it.
using RequestId = uint64_t;
// One client request to this sentinel, allocated by the shell.
using ClientToken = uint64_t;

enum class Channel { kCommand, kPubSub };

}  // namespace vigil::sentinel
