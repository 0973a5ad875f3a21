#pragma once
// Redis 7.0's ACL command categories (@read, @write, ...). A command's categories are a bit
// mask: bit i is kAclCategoryNames[i]. The order is Redis's: ACL CAT lists it, and the rule
// writer (ACL LIST/GETUSER) tries categories in it, so the same user prints the same rules.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::datanode {

inline constexpr const char* kAclCategoryNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
inline constexpr size_t kAclCategoryCount = std::size(kAclCategoryNames);

// The bit of a category by name (case-insensitive, without '@'); 0 when there is none.
uint64_t AclCategoryBit(std::string_view name);

}  // namespace vigil::datanode
