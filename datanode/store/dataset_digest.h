#pragma once
// DEBUG DIGEST and DEBUG DIGEST-VALUE: a SHA-1 fingerprint of the dataset, computed exactly as
// Redis 7.0 computes it, so a Vigil node and a redis-server holding the same data (a replica,
// a reloaded RDB or AOF) print the same 40 hex digits, and Redis's own tests can compare them.
//
// Two building blocks: "xor" folds SHA1(data) into the digest (order-free, for keys, set
// members, hash fields, sorted set members), "mix" also re-hashes the result (order matters,
// for list elements and stream entries). A key contributes mix(key name), then its value:
// mix(type number as 4 big-endian bytes), the content, and xor("!!expire!!") when it has a TTL.
// A database with keys contributes mix(db number as 4 big-endian bytes) before its keys.
//
// Pure: reads the keyspace and expires nothing (logically expired keys still count, as in
// Redis).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode {

class Entry;
class Keyspace;

using DigestBytes = std::array<uint8_t, 20>;

// digest ^= SHA1(data)
void XorDigest(DigestBytes* digest, std::string_view data);
// digest = SHA1(digest ^ SHA1(data))
void MixDigest(DigestBytes* digest, std::string_view data);

// Folds the value of `e` (type, content, expire flag) into `digest`, as DEBUG DIGEST-VALUE does
// starting from zeros.
void DigestValue(const Entry& e, bool has_expire, DigestBytes* digest);
// The whole dataset, every database in order.
DigestBytes DigestDataset(Keyspace& keyspace);
// 40 lowercase hex digits.
std::string DigestHex(const DigestBytes& digest);

}  // namespace vigil::datanode
