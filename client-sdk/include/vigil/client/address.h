#pragma once
// A data node's or sentinel's network address, as sentinels report it (ip and port).
#include <optional>
#include <string>
#include <string_view>

namespace vigil::client {

struct Address {
  std::string host;
  int port = 0;

  // "host:port"; IPv6 hosts are written as they are, without brackets, as Redis does.
  std::string ToString() const;
  // Parses "host:port" (the last ':' separates the port). Empty result on a malformed text.
  static std::optional<Address> Parse(std::string_view text);

  friend bool operator==(const Address&, const Address&) = default;
  friend auto operator<=>(const Address&, const Address&) = default;
};

}  // namespace vigil::client
