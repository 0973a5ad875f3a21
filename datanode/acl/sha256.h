#pragma once
// SHA-256 (FIPS 180-4). ACL passwords are kept only as the hex digest, as Redis keeps them, so
// `#<hash>` rules and ACL GETUSER show the same 64 characters Redis shows.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode {

std::array<uint8_t, 32> Sha256(std::string_view data);
// 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace vigil::datanode
