#pragma once
// Decoding what sentinels and data nodes answer during discovery (pure): GET-MASTER-ADDR-BY-NAME,
// ROLE, SENTINEL REPLICAS / SENTINELS, and the +switch-master message.
#include <optional>
#include <string_view>
#include <vector>

#include "client-sdk/src/discovery_fsm.h"

#include "vigil/client/address.h"
#include "vigil/client/reply.h"

namespace vigil::client {

// The replicas of a SENTINEL REPLICAS reply (an array of flat name/value arrays) whose flags
// contain none of s_down, o_down, disconnected; in reply order. Malformed entries are skipped.
std::vector<Address> HealthyReplicas(const Reply& sentinel_replicas_reply);

// SENTINEL SENTINELS has the same shape; every entry with an ip and a port.
std::vector<Address> SentinelAddresses(const Reply& sentinel_sentinels_reply);

// A GET-MASTER-ADDR-BY-NAME reply: *2 ip port (port as a bulk string), null, or an error.
SentinelAnswer DecodeMasterAddrReply(const Reply& reply);

// A ROLE reply: kMaster only for an array whose first element is "master".
RoleAnswer DecodeRoleReply(const Reply& reply);

// The new master of a +switch-master payload "<name> <old-ip> <old-port> <new-ip> <new-port>"
// when <name> is master_name; empty otherwise or when malformed.
std::optional<Address> DecodeSwitchMaster(std::string_view payload, std::string_view master_name);

}  // namespace vigil::client
